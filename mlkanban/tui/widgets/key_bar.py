"""A footer of key hints that is one widget.

Textual's ``Footer`` mounts a widget per key and rebuilds them whenever the bindings
change (focus, screen, keymap); on the board that was a quarter of a second of every
start-up. This bar draws the same hints as one line of text, follows the same
bindings (so a remapped key shows remapped) and runs the action when a hint is clicked.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """The shown bindings of the active screen, as ``key Description`` pairs."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyBar > .key-bar--palette {
        color: $footer-description-foreground;
    }
    """

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--palette"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def hints(self) -> list[tuple[str, str, str]]:
        """(key as displayed, description, action to run on click) in footer order."""
        seen: set[tuple[str, str]] = set()
        hints = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not binding.description or not active.enabled:
                continue
            if (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            namespace = "app" if active.node is self.app else "screen"
            if active.node is not self.app and active.node is not self.screen:
                namespace = "focused"
            hints.append((self.app.get_key_display(binding), binding.description,
                          f"{namespace}.{binding.action}"))
        return hints

    def _color(self, name: str) -> Style:
        """A component's colour and weight, already blended with the bar's background."""
        full = self.get_component_rich_style(name)
        return Style(color=full.color, bold=full.bold)

    def fitted(self, width: int) -> list[tuple[str, str, str]]:
        """The hints that fit in ``width`` cells: the app's own (help, quit) always, the
        screen's from the left while they fit (the help lists every one)."""
        hints = self.hints()
        kept = [h for h in hints if h[2].startswith("app.")]
        room = width - sum(_cells(h) for h in kept)
        shown: list[tuple[str, str, str]] = []
        for hint in hints:
            if hint in kept:
                continue
            if _cells(hint) > room:
                break
            shown.append(hint)
            room -= _cells(hint)
        return shown + kept

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        self._spans: list[tuple[int, int, str]] = []
        key_style = self._color("key-bar--key")
        for key, description, action in self.fitted(self.size.width):
            start = text.cell_len
            text.append(f" {key} ", key_style)
            text.append(f"{description} ")
            self._spans.append((start, text.cell_len, action))
        if self.app.ENABLE_COMMAND_PALETTE:
            palette_key = Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")
            hint = f"{self.app.get_key_display(palette_key)} palette "
            room = self.size.width - text.cell_len - len(hint)
            if room > 0:
                text.append(" " * room)
                start = text.cell_len
                text.append(hint, self._color("key-bar--palette"))
                self._spans.append((start, text.cell_len, "app.command_palette"))
        return text

    async def _on_click(self, event: events.Click) -> None:
        for start, end, action in getattr(self, "_spans", []):
            if start <= event.x < end:
                event.stop()
                await self.app.run_action(action, self.screen)
                return


def _cells(hint: tuple[str, str, str]) -> int:
    key, description, _ = hint
    return Text(f" {key} {description} ").cell_len
