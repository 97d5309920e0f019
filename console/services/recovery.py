"""What an earlier console left unconfirmed, sent again: each change with its original
idempotency key, the counts kept on a record put on top of the record as it is now.

A console that ended (a dropped SSH session, a killed process, a closed terminal) leaves its
journal behind (console/services/journal.py). The next console on the same backend and location
lists what it holds, sends it when the operator says so, and lets the operator discard any of it
explicitly (the journal logs why). A change made for a warehouse the backend no longer serves (a
training server started afresh) is never sent into the new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from console.backends.protocol import Backend
from console.domain.errors import WarehouseError
from console.domain.picking import PickPack
from console.domain.receiving import Receiving
from console.services import counting
from console.services.journal import PENDING, Journal, KeptWork, PendingChange
from console.services.notices import Notice, Tell, Tone
from console.services.outbox import ORPHANED, Outbox, Result


@dataclass(frozen=True)
class Unconfirmed:
    """One line of what is left: a change not answered, or counts kept on a record."""

    journal: Journal
    what: str
    when: float
    change: PendingChange | None = None
    work: KeptWork | None = None
    elsewhere: bool = False  # made for another warehouse than the one served now

    @property
    def ref(self) -> str:
        if self.change is not None:
            return self.change.key
        assert self.work is not None
        return self.work.record


class _Quiet:
    """The views of a counting session with no screen: its jobs run as tasks, its messages go
    to `tell`, and there is nothing to redraw."""

    def __init__(self, tell: Tell) -> None:
        self.tell = tell
        self.jobs: list[asyncio.Task[None]] = []

    def start(self, job: Callable[[], Awaitable[None]]) -> None:
        self.jobs.append(asyncio.ensure_future(job()))

    def reread(self) -> None:
        pass

    def changed(self, before: Any) -> None:
        pass

    def idle(self) -> None:
        pass


class Recovery:
    """The unconfirmed work of the journals left behind (`Journal.left_behind`)."""

    def __init__(self, backend: Backend, outbox: Outbox, journals: list[Journal]) -> None:
        self.backend = backend
        self.outbox = outbox
        self.journals = journals

    def _elsewhere(self, instance: str | None) -> bool:
        now = self.backend.instance
        return instance is not None and now is not None and instance != now

    def unconfirmed(self) -> list[Unconfirmed]:
        lines: list[Unconfirmed] = []
        for journal in self.journals:
            kept = journal.kept_work()
            carried = {str(w.state.get("key")) for w in kept if w.state.get("key")}
            for change in journal.pending():
                if change.key in carried:
                    continue  # sent as part of the counts on its record
                lines.append(
                    Unconfirmed(
                        journal,
                        change.what,
                        change.made_at,
                        change=change,
                        elsewhere=self._elsewhere(change.instance),
                    )
                )
            for work in kept:
                lines.append(
                    Unconfirmed(
                        journal, work.what, work.made_at, work=work,
                        elsewhere=self._elsewhere(work.instance),
                    )
                )  # fmt: skip
        return sorted(lines, key=lambda line: line.when)

    def place(self) -> tuple[str, str | None] | None:
        """Where the operator was in the console that ended (the latest such place)."""
        places = [place for journal in self.journals if (place := journal.place())]
        return places[-1] if places else None

    def discard(self, line: Unconfirmed, why: str) -> None:
        """Not sent, on the operator's word; the journal logs it."""
        if line.change is not None:
            line.journal.discard_change(line.change.key, why)
        if line.work is not None:
            line.journal.discard_work(line.work.record, why)
            key = line.work.state.get("key")
            if key and line.journal.change_state(str(key)) == PENDING:
                line.journal.discard_change(str(key), why)
        self._tidy(line.journal)

    def _tidy(self, journal: Journal) -> None:
        if journal.empty:
            journal.remove()
            self.journals.remove(journal)

    async def send_all(self, tell: Tell) -> int:
        """Send everything left, line by line; how many lines could not be sent (they stay)."""
        left = 0
        for line in self.unconfirmed():
            if line.elsewhere:
                tell(Notice.alert(f"Not sent: {line.what}. {ORPHANED}", Tone.WARNING))
                left += 1
                continue
            try:
                done = await (
                    self._send_change(line, tell) if line.change else self._send_work(line, tell)
                )
            except WarehouseError as error:
                tell(Notice.alert(f"Not sent yet: {line.what} ({error}). It is kept."))
                done = False
            left += not done
        for journal in list(self.journals):
            self._tidy(journal)
        return left

    async def _send_change(self, line: Unconfirmed, tell: Tell) -> bool:
        change = line.change
        assert change is not None
        delivery = await self.outbox.deliver(
            change.what,
            change.request,
            key=change.key,
            replayable=change.replayable,
            instance=change.instance,
            journal=line.journal,
        )
        if delivery.result is Result.APPLIED:
            tell(Notice(f"Sent: {change.what}.", Tone.SUCCESS))
        elif delivery.result is Result.UNKNOWN:
            tell(Notice.alert(f"No answer for {change.what}: check it before entering it again."))
        elif delivery.result is Result.ORPHANED:
            tell(Notice.alert(f"Not sent: {change.what}. {ORPHANED}", Tone.WARNING))
        else:
            tell(Notice.alert(f"Refused: {change.what}: {delivery.error}"))
        return True

    async def _send_work(self, line: Unconfirmed, tell: Tell) -> bool:
        kept = line.work
        assert kept is not None
        kind = str(kept.state.get("kind", ""))
        record_id = kept.record.split(":")[1] if kept.record.count(":") else ""
        landed = await self._in_flight_landed(line.journal, kept)
        views = _Quiet(tell)
        session: counting.CountingSession[Any]
        if kind == "order":
            order = PickPack(
                await self.backend.get_fulfillment(record_id),
                keeps_lots=self.backend.capabilities.lot_picks,
            )
            order.restore(kept.state.get("work", {}), landed=landed)
            session = counting.picking(order, self.backend, self.outbox, views)
        elif kind == "manifest":
            manifest = Receiving(
                await self.backend.get_manifest(record_id),
                split=self.backend.capabilities.receipt_parts,
            )
            manifest.restore(kept.state.get("work", {}), landed=landed)
            session = counting.receiving(manifest, self.backend, self.outbox, views)
        else:
            tell(
                Notice.alert(
                    f"Not sent: {kept.what} (a kind of record this console does not know)."
                )
            )
            return False
        if self.outbox.journal is not None:
            session.keep()  # moves to this console's journal before anything is sent
            line.journal.drop_work(kept.record)
        session.send()
        await session.settled()
        if session.work.unsaved:
            tell(Notice.alert(f"Not all sent yet: {kept.what}; it is kept.", Tone.WARNING))
            return False
        line.journal.drop_work(kept.record)
        tell(Notice(f"Sent: {kept.what}.", Tone.SUCCESS))
        return True

    async def _in_flight_landed(self, journal: Journal, kept: KeptWork) -> bool | None:
        """Whether the update that was carrying part of the counts was applied (True), refused
        (False), or did not land (None: its amounts are still to be sent). Sent again first,
        with its key, if its answer never came: the backend says whether it has it."""
        key = kept.state.get("key")
        if not key:
            return None
        state = journal.change_state(str(key))
        if state == PENDING:
            change = next((c for c in journal.pending() if c.key == key), None)
            if change is not None:
                delivery = await self.outbox.deliver(
                    change.what,
                    change.request,
                    key=change.key,
                    replayable=change.replayable,
                    instance=change.instance,
                    journal=journal,
                )
                state = journal.change_state(str(key)) or delivery.result.value
        if state == Result.APPLIED.value:
            return True
        if state == Result.REFUSED.value:
            return False
        return None  # never written (nothing was sent), stale (not applied), orphaned
