"""What workers report to the app. Posted from threads (post_message is thread-safe)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from pipedoctor.model import Finding, Snapshot

if TYPE_CHECKING:
    from pipedoctor.leastpriv.generate import Generated
    from pipedoctor.tui.neighbourhood import Neighbourhood


class FetchProgress(Message):
    """One more thing read; bursts collapse into the latest."""

    def __init__(self, count: int, what: str) -> None:
        super().__init__()
        self.count = count
        self.what = what

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FetchProgress)


class SnapshotFetched(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class FetchFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class AnalysisReady(Message):
    """The findings of the snapshot with this generation number."""

    def __init__(self, generation: int, findings: list[Finding]) -> None:
        super().__init__()
        self.generation = generation
        self.findings = findings


class SnapshotSaved(Message):
    def __init__(self, path: str, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.error = error


class RoleAnalysed(Message):
    """A role's least-privilege policy and neighbourhood, or why they could not be computed."""

    def __init__(
        self,
        generated: Generated | None = None,
        neighbourhood: Neighbourhood | None = None,
        error: str = "",
    ) -> None:
        super().__init__()
        self.generated = generated
        self.neighbourhood = neighbourhood
        self.error = error
