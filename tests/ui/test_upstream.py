"""The open Textual bugs the console works around (console/ui/upstream.py), reproduced on the
installed Textual. When a test here fails, that Textual no longer has the bug: remove its
workaround (and this test)."""

from __future__ import annotations

import gc

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label

from console.ui import upstream


def alive(kind: str) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o).__name__ == kind)


class Rebuilding(App[None]):
    """Issue 6665's own example: a list of styled widgets rebuilt again and again."""

    def compose(self) -> ComposeResult:
        yield Vertical(id="list")

    async def rebuild(self) -> None:
        box = self.query_one("#list", Vertical)
        await box.remove_children()
        await box.mount(*(Label(f"card {i}") for i in range(40)))


async def test_textual_6665_removed_widgets_render_caches_stay_alive() -> None:
    app = Rebuilding()
    async with app.run_test(size=(40, 50)) as pilot:
        for _ in range(5):
            await app.rebuild()
            await pilot.pause()
        kept = alive("StylesCache")
        for _ in range(5):
            await app.rebuild()
            await pilot.pause()
        leaked = alive("StylesCache") - kept
        assert leaked >= 100, (
            "Textual no longer keeps removed widgets' render caches (issue 6665 fixed): remove "
            "forget_removed_widgets from console/ui/upstream.py"
        )
        # and the workaround lets them go
        upstream.forget_removed_widgets()
        assert alive("StylesCache") < kept + leaked


async def test_the_6665_workaround_applies_to_the_installed_textual() -> None:
    assert upstream.STYLES_CACHE_LEAK, (
        f"Textual {upstream.TEXTUAL_VERSION} is outside the versions the workaround was checked "
        "against: check issue 6665 on it and widen or drop the gate"
    )


class Watcher(Widget):
    """A short-lived widget watching a long-lived object, as Footer's keys do (data_bind)."""

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self, theme: str) -> None:
        self.refresh()


class Watching(App[None]):
    def compose(self) -> ComposeResult:
        yield Vertical(id="box")


async def test_textual_6666_a_removed_widget_watching_the_app_stays_alive() -> None:
    app = Watching()
    async with app.run_test(size=(40, 10)) as pilot:
        box = app.query_one("#box", Vertical)
        before = alive("Watcher")
        for _ in range(10):
            await box.mount(Watcher())
            await pilot.pause()
            await box.remove_children()
            await pilot.pause()
        assert alive("Watcher") - before >= 10, (
            "Textual now drops the watchers of removed widgets (issue 6666 fixed): the console "
            "could use Textual's Footer again (see KeysLine in console/ui/widgets.py)"
        )
