"""Every key binding, with ids (remappable through App.set_keymap) and help groups.

The help screen and the footer are generated from these; nothing lists keys by hand.
(Textual's Binding.group folds a group into one footer entry, so help groups live here.)
"""

from __future__ import annotations

from textual.binding import Binding

NAVIGATE = "navigate"
VIEW = "view"
ACT = "act on the selection"
APP = "application"
GROUPS: dict[str, str] = {}  # binding id -> help group


def _key(group: str, key: str, action: str, description: str, name: str, **extra: str) -> Binding:
    binding = Binding(key, action, description, id=f"pipedoctor.{name}", **extra)  # type: ignore[arg-type]
    GROUPS[f"pipedoctor.{name}"] = group
    return binding


HELP = _key(APP, "question_mark", "help", "help", "help", key_display="?")
JUMP = _key(
    NAVIGATE,
    "colon",
    "jump",
    "jump",
    "jump",
    key_display=":",
    tooltip="go to a view (pipelines, findings) or a pipeline, execution, build, project, role "
    "or cause",
)
REFRESH = _key(
    APP,
    "r",
    "refresh",
    "refresh",
    "refresh",
    tooltip="read the data again (AWS or the snapshot file) and re-analyse",
)
FAILURES = _key(
    VIEW,
    "f",
    "failures_only",
    "failures only",
    "failures",
    tooltip="show only failed pipelines, executions, actions and diagnoses",
)
SAVE = _key(APP, "s", "save", "save", "save", tooltip="save the snapshot on screen to a file")
QUIT = _key(APP, "q", "quit", "quit", "quit")
APP_BINDINGS = [HELP, JUMP, REFRESH, FAILURES, SAVE, QUIT]

BACK = _key(NAVIGATE, "escape", "back", "back", "back", key_display="esc")
COPY = _key(
    ACT, "y", "copy", "copy", "copy", tooltip="copy the main thing on screen (ARN, fix or policy)"
)
COPY_CHOOSE = _key(ACT, "Y", "copy_choose", "copy…", "copy-choose", tooltip="choose what to copy")
OPEN = _key(
    ACT,
    "o",
    "open_console",
    "console",
    "open",
    tooltip="open the AWS console page of the selection",
)
SCREEN_BINDINGS = [BACK, COPY, COPY_CHOOSE, OPEN]

NEWEST_FAILURE = _key(
    NAVIGATE,
    "d",
    "app.newest_failure",
    "newest failure",
    "newest-failure",
    tooltip="the top diagnosis of the newest failed execution, with its fix",
)
# The footer shows these first, whatever the width: help, quit, then the way to the fix.
FIRST_IN_FOOTER = [HELP.id, QUIT.id, NEWEST_FAILURE.id]

FILTER = _key(
    VIEW,
    "slash",
    "filter",
    "filter",
    "filter",
    key_display="/",
    tooltip="show only rows containing a text (kept across refreshes)",
)
SEARCH = _key(
    VIEW,
    "slash",
    "filter",
    "search",
    "search",
    key_display="/",
    tooltip="highlight a text in the log and jump to it",
)
WRAP = _key(
    VIEW,
    "w",
    "wrap",
    "wrap",
    "wrap",
    tooltip="wrap long lines, or keep each on one line and scroll sideways",
)
NEXT_MATCH = _key(VIEW, "n", "next_match(1)", "next", "next-match")
PREVIOUS_MATCH = _key(VIEW, "N", "next_match(-1)", "previous", "previous-match")
FINDINGS = _key(NAVIGATE, "a", "findings", "all findings", "findings")
LOG = _key(NAVIGATE, "l", "log", "log", "log", tooltip="the failed build's log excerpt")
ROLE = _key(
    NAVIGATE,
    "p",
    "role",
    "role & policy",
    "role",
    tooltip="the role's permissions and least-privilege policy",
)
NEXT_TAB = _key(VIEW, "t", "next_tab", "next tab", "next-tab")
FIX = _key(
    ACT,
    "x",
    "fix",
    "fix",
    "fix",
    tooltip="show the diff of the finding's fix in the repository files, and apply it",
)
SHOW_FIX = _key(
    ACT,
    "enter",
    "show_fix",
    "the fix",
    "show-fix",
    tooltip="scroll back to the fix and say what can be done with it",
    key_display="enter",
)
