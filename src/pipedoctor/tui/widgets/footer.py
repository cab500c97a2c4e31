"""The footer: the keys of the screen, help and quit first so that no width hides them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from pipedoctor.tui.bindings import FIRST_IN_FOOTER

COMPACT_BELOW = 120  # columns: narrower, the keys lose their padding
PALETTE_FROM = 100  # columns: narrower, ^p (in help) would hide the last keys


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter { overflow-x: hidden; }
    """

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        shown: dict[str, tuple[str, str, str, str, bool, str]] = {}
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if not binding.show or binding.action in shown:
                continue
            shown[binding.action] = (
                binding.id or key,
                key,
                self.app.get_key_display(binding),
                binding.description,
                enabled,
                tooltip or binding.tooltip,
            )
        entries = sorted(
            shown.items(),
            key=lambda item: _rank(item[1][0]),
        )
        self.styles.grid_size_columns = len(entries)
        for action, (_id, key, display, description, enabled, tooltip) in entries:
            yield FooterKey(
                key, display, description, action, disabled=not enabled, tooltip=tooltip
            ).data_bind(compact=Footer.compact)
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        wide = self.size.width >= PALETTE_FROM
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE and wide:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            )

    def on_resize(self) -> None:
        self.compact = self.size.width < COMPACT_BELOW
        self.refresh(recompose=True)


def _rank(binding_id: str) -> int:
    return FIRST_IN_FOOTER.index(binding_id) if binding_id in FIRST_IN_FOOTER else len(FIRST_IN_FOOTER)
