"""Counts an operator made that the backend has not confirmed yet.

Picking and receiving send absolute counts (`picked_qty`, `received_qty`), so a re-sent update
never counts twice. What the operator did is kept as what they added on top of the last count
the backend confirmed: when an answer is lost, the count read afterwards says whether the update
went through, and only what did not is sent again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# key → (confirmed count when sent, count sent)
Sent = dict[str, tuple[int, int]]


class AddedCounts:
    """Per key (an item), the units counted here on top of the backend's confirmed count."""

    def __init__(self) -> None:
        self._added: dict[str, int] = {}

    def __getitem__(self, key: str) -> int:
        return self._added.get(key, 0)

    def __bool__(self) -> bool:
        return any(self._added.values())

    def as_dict(self) -> dict[str, int]:
        return dict(self._added)

    def add(self, key: str, count: int) -> None:
        self._set(key, self[key] + count)

    def make_total(self, key: str, confirmed: int, total: int) -> None:
        """The operator typed the whole count: it becomes `total` once sent."""
        self._set(key, total - confirmed)

    def sending(self, confirmed: Mapping[str, int]) -> Sent:
        """What an update carries for every key with unconfirmed units."""
        return {
            key: (confirmed.get(key, 0), confirmed.get(key, 0) + added)
            for key, added in self._added.items()
            if added
        }

    def settle(self, sent: Sent, now: Mapping[str, int] | None) -> None:
        """An update's answer arrived (`now` None), or the counts read after a lost answer
        (`now`): what landed is no longer the operator's to send."""
        for key, (before, after) in sent.items():
            if now is None or _landed(before, after, now.get(key, 0)):
                self._set(key, self[key] - (after - before))

    def drop(self, sent: Sent) -> None:
        """The backend refused the update: what it carried is gone."""
        for key, (before, after) in sent.items():
            self._set(key, self[key] - (after - before))

    def keep_only(self, keys: Iterable[str]) -> None:
        wanted = set(keys)
        self._added = {k: v for k, v in self._added.items() if k in wanted and v}

    def _set(self, key: str, count: int) -> None:
        if count:
            self._added[key] = count
        else:
            self._added.pop(key, None)


def _landed(before: int, after: int, now: int) -> bool:
    # The count moved to where the update put it (or beyond, by another console's work).
    return now >= after if after >= before else now <= after
