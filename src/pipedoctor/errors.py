"""Exit codes and the one error type a user can cause."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (README, `pipedoctor --help`)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2  # bad arguments, unreadable or invalid input file, rule error
    AWS_UNAVAILABLE = 3  # no credentials, endpoint unreachable
    INTERRUPTED = 130


class UserError(Exception):
    """An error the user caused and can fix: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
