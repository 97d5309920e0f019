"""The command palette (ctrl+p): every action of the screen on view, and the console's own,
found by any of their words (from the action table, console/ui/actions.py)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from console.ui.actions import Action, actions_on, key_rank, shown_key

DESCRIBED = 0.6


class ActionCommands(Provider):
    """The actions that work now on the screen the palette was opened from."""

    def _live(self) -> list[tuple[Action, Screen[object] | None]]:
        """Each action with the node that runs it: the screen, or the app for its own."""
        screen = self.screen
        screen_id = getattr(screen, "SCREEN", "")
        live: list[tuple[Action, Screen[object] | None]] = []
        own = sorted(actions_on(screen_id), key=lambda action: key_rank(action.id))
        everywhere = [a for a in actions_on(screen_id, everywhere=True) if a.everywhere]
        lacking = getattr(self.app, "lacking", lambda _action: None)
        for action in [*own, *everywhere]:
            name, parameters = action.call
            node = None if action.everywhere else screen
            if node is not None and name.startswith("app."):
                continue  # field moves and the like: nothing to do from the palette
            # what the backend does not offer is listed too: chosen, it says so
            if lacking(action) or (node or self.app).check_action(name, parameters):
                live.append((action, node))
        return live

    def _run(self, action: Action, node: Screen[object] | None) -> None:
        refuse = getattr(self.app, "refuse_unoffered", None)
        if refuse is not None and refuse(action):
            return
        target = node if node is not None else self.app
        self.app.call_later(partial(target.run_action, action.action))

    def _title(self, action: Action) -> str:
        key = getattr(self.app, "keymap", None)
        shown = shown_key(key.key(action) if key is not None else action.key)
        return f"{action.words} ({shown})"

    async def discover(self) -> Hits:
        for action, node in self._live():
            yield DiscoveryHit(
                self._title(action), partial(self._run, action, node), help=action.help
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, node in self._live():
            title = self._title(action)
            # its own words first; a match in what it does counts for less
            score = max(matcher.match(title), DESCRIBED * matcher.match(action.searched))
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self._run, action, node),
                    help=action.help,
                )
