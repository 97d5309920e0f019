"""Counting units on one record by scanning: picking and packing a fulfillment, receiving a
manifest. The counts are the operator's until the backend confirms them, and they are kept.

The record is read fresh when it is opened (the list it came from may be old, and counts sent
on an old basis would overwrite newer ones); scans wait for that read. Each change the operator
makes is applied to the work at once (the screen shows it) and sent, one update at a time,
through the outbox: counts travel as absolute numbers, so an update sent again never counts
twice (see console/services/outbox.py for when it is). A refused update drops what it carried
and the record is read again, so the screen shows the truth. A status change waits until the
counts are saved and is shown to the operator before it is sent.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from console.backends.protocol import Backend
from console.domain.errors import (
    Conflict,
    InvalidInput,
    OutcomeUnknown,
    PreconditionFailed,
    WarehouseError,
)
from console.domain.models import Fulfillment, Manifest
from console.domain.picking import PickPack
from console.domain.receiving import Receiving
from console.services.notices import Notice, Tone
from console.services.outbox import ORPHANED, Outbox, Request, Result

Record = TypeVar("Record")


class Work(Protocol[Record]):
    """The operator's work on one record (console/domain/picking.py, receiving.py)."""

    in_flight: Any

    @property
    def record(self) -> Record: ...

    @property
    def status(self) -> Any: ...

    @property
    def unsaved(self) -> bool: ...

    def next_update(self) -> dict[str, Any] | None: ...

    def confirmed(self, answer: Record) -> None: ...

    def reread(self, fresh: Record, *, refused: bool = False) -> None: ...


Job = Callable[[], Awaitable[None]]


class Views(Protocol):
    """What a counting screen gives its session: a way to run a background job (one of the
    screen's workers), a message for the operator, and three moments to redraw at."""

    def start(self, job: Job) -> None: ...

    def tell(self, notice: Notice) -> None: ...

    def reread(self) -> None:
        """The record was read again: draw all of it."""
        ...

    def changed(self, before: Any) -> None:
        """An answer arrived; the status may have moved from `before`."""
        ...

    def idle(self) -> None:
        """Nothing is left to send."""
        ...


class CountingSession(Generic[Record]):
    """Keeps one record's counted work sent: `method` updates the record and `read()` reads it
    (see `picking` and `receiving`); `views` is the screen's side."""

    def __init__(
        self,
        work: Work[Record],
        outbox: Outbox,
        views: Views,
        *,
        method: str,
        read: Callable[[], Awaitable[Record]],
        what: str,
        kind: str,
        screen: str,
    ) -> None:
        self.work = work
        self.outbox = outbox
        self._method = method  # the backend call that updates the record
        self._read = read
        self._screen = screen  # where the operator counts it, for the journal
        self._start = views.start
        self._tell = views.tell
        self._reread = views.reread
        self._changed = views.changed
        self._idle = views.idle
        self.what = what  # the operator's word for the work: "picks", "counts"
        self.kind = kind  # names its idempotency keys: "picks", "receipt"
        self.sending = False
        self.waiting = False  # an update waits for the backend to answer again
        self._changing = False  # a status change is on its way: counts wait for its answer
        self._idle_now = asyncio.Event()
        self._idle_now.set()
        self.ready = asyncio.Event()  # the record has been read fresh (or that failed)
        self._shared = False  # the operator has been told another console counts here too
        self._carrying: str | None = None  # the key of the update on its way
        self._session = uuid.uuid4().hex[:12]

    # -- the record, fresh --------------------------------------------------------------------

    async def read(self) -> Record:
        return await self._read()

    async def try_read(self) -> Record | None:
        try:
            return await self._read()
        except WarehouseError:
            return None

    async def open(self) -> None:
        """Read the record again on opening, unless work is already waiting to be sent."""
        try:
            fresh = await self.try_read()
            if fresh is not None and not self.work.unsaved:
                self.work.reread(fresh)
                self._reread()
            if fresh is not None and getattr(fresh, "etag", None) is None:
                self._tell(
                    Notice(
                        "This warehouse does not say when another console changes a record: if "
                        f"someone else counts on {self._name()} at the same time, one of you "
                        "could overwrite the other's counts.",
                        Tone.WARNING,
                    )
                )
        finally:
            self.ready.set()

    async def reload(self) -> bool:
        """The record read again on the operator's request; False when what came back was not
        taken (work is being sent, or the answer is older than what is shown)."""
        fresh = await self._read()
        current = self.work.record
        stale = (getattr(fresh, "updated_at", 0) or 0) < (getattr(current, "updated_at", 0) or 0)
        if self.sending or self.work.unsaved or stale:
            return False
        self.work.reread(fresh)
        self._reread()
        return True

    # -- the operator's changes ---------------------------------------------------------------

    def record(self, change: Callable[[], object]) -> bool:
        """Apply one of the operator's changes to the work and send it; a refusal (an over-pick,
        a wrong item) changes nothing and is told."""
        try:
            change()
        except WarehouseError as refusal:
            self._tell(Notice.alert(refusal.message))
            return False
        self._keep()  # on disk before anything is sent
        self.send()
        return True

    def busy(self) -> bool:
        """Whether work is still on its way (told to the operator when it is)."""
        if self.work.unsaved or self.sending:
            self._tell(
                Notice.alert(
                    f"Still saving your last {self.what}; try again in a moment.", Tone.WARNING
                )
            )
            return True
        return False

    def send(self) -> None:
        if not self.sending and not self._changing:
            self.sending = True
            self._idle_now.clear()
            self._start(self._send_all)

    async def settled(self) -> None:
        """Until nothing is being sent."""
        await self._idle_now.wait()

    async def _send_all(self) -> None:
        """Send the unconfirmed work, one update at a time, until none is left. A refusal drops
        what was refused and shows the truth."""
        try:
            while (body := self.work.next_update()) is not None:
                before = self.work.status
                key = self._carrying = self.outbox.new_key(self.kind)
                self._keep()  # which update carries what, should the console end now
                delivery = await self.outbox.deliver(
                    f"{self.what} on {self._name()}",
                    self._request(body, based=True),
                    key=key,
                    replayable=True,  # absolute counts: a repeat sets the same numbers
                    waiting=self._lost,
                    context=self._context(),
                )
                self._carrying = None
                self._back_in_touch(delivery.waited)
                if delivery.result is Result.APPLIED:
                    self.work.confirmed(delivery.answer)  # type: ignore[arg-type]
                    self._changed(before)
                    continue
                if delivery.result is Result.ORPHANED:
                    self.work.in_flight = None  # kept, but not sent into another warehouse
                    self._tell(Notice.alert(ORPHANED))
                    return
                error = delivery.error
                if isinstance(error, PreconditionFailed):
                    if not await self._rebase(error):
                        return
                    self._changed(before)
                    continue  # the operator's work, on top of what the other console counted
                if not isinstance(error, Conflict | InvalidInput):
                    self.work.in_flight = None  # kept; sent again with the next change
                    self._tell(Notice.alert(str(error)))
                    return
                self._tell(Notice.alert(f"Refused: {error}"))
                fresh = await self.try_read()
                if fresh is None:
                    self.work.in_flight = None
                    return
                self.work.reread(fresh, refused=True)
                self._reread()
                self._changed(before)  # the refusal may come from a status changed elsewhere
        except asyncio.CancelledError:
            # the console is closing with an update on its way: the journal already holds what
            # it carries and what is left, as they were when it was sent; that stays the truth
            self.work.in_flight = None
            self.sending = False
            self._idle_now.set()
            raise
        except BaseException:
            self.work.in_flight = None
            raise
        finally:
            if self.sending:
                self.sending = False
                self._keep()
                self._idle_now.set()
                self._idle()

    async def _rebase(self, stale: PreconditionFailed) -> bool:
        """The record changed since the update was based on it (another console counted on it):
        the update was not applied. The operator's work goes on top of the record as it is now;
        False when it cannot be read (the work is kept and sent with the next change)."""
        current = stale.current if stale.current is not None else await self.try_read()
        if current is None:
            self.work.in_flight = None
            return False
        self.work.rebase(current)
        if not self._shared:
            self._shared = True
            self._tell(
                Notice.alert(
                    f"Someone else is counting {self._name()} too: your {self.what} are added to "
                    "theirs, never over them.",
                    Tone.WARNING,
                )
            )
        self._reread()
        return True

    def keep(self) -> None:
        """Write the work not confirmed yet to the journal now."""
        self._keep()

    def _keep(self) -> None:
        """The journal's copy of the work not confirmed yet (gone once all is confirmed), with
        the key of the update carrying part of it, if one is on its way."""
        if not self.work.unsaved and self.work.in_flight is None:
            self.outbox.drop_work(self.ref)
            return
        state = {"kind": self._screen, "work": self.work.unconfirmed(), "key": self._carrying}
        self.outbox.keep_work(self.ref, f"{self.what} on {self._name()}", state)

    @property
    def ref(self) -> str:
        """This session's work in the journal: 'order:ful_1:…', 'manifest:mfst_1:…' (one per
        session: a record reopened while an earlier session still sends has two)."""
        return f"{self._screen}:{getattr(self.work.record, 'id', '')}:{self._session}"

    def _request(self, body: dict[str, Any], *, based: bool) -> Request:
        """The update of this record; counts are absolute, so they are sent on the version they
        were counted on top of (`based`), where the backend gives versions."""
        record = self.work.record
        etag = getattr(record, "etag", None) if based else None
        return Request(self._method, str(getattr(record, "id", "")), body, if_match=etag)

    def _context(self) -> dict[str, Any]:
        return {"screen": self._screen, "record": str(getattr(self.work.record, "id", ""))}

    def _name(self) -> str:
        record = self.work.record
        return str(getattr(record, "order_number", None) or getattr(record, "id", "record"))

    def _lost(self, error: WarehouseError) -> None:
        self.waiting = True
        kind = (
            "answer was lost" if isinstance(error, OutcomeUnknown) else "backend is not answering"
        )
        self._tell(
            Notice.alert(
                f"The {kind}: your {self.what} are kept and sent again until it answers; "
                "nothing will count twice.",
                Tone.WARNING,
            )
        )

    def _back_in_touch(self, waited: bool) -> None:
        if waited and self.waiting:
            self.waiting = False
            self._tell(Notice("Back in touch: everything is saved.", Tone.SUCCESS))

    # -- status changes -----------------------------------------------------------------------

    async def change_status(self, body: dict[str, Any]) -> bool:
        """Send one status change (shown to the operator before), once the counts are saved;
        True when it landed. A status is a target, not a step: sent again after a lost answer
        it is applied at most once (a repeat of a change already made is refused by the status
        rules), so it is sent again until it is answered."""
        await self.settled()
        if self.work.unsaved:
            self._tell(Notice.alert(f"Your last {self.what} are not saved yet: nothing changed."))
            return False
        before = self.work.status
        self._changing = True
        try:
            delivery = await self.outbox.deliver(
                f"status {body.get('status')} of {self._name()}",
                self._request(body, based=False),
                key=self.outbox.new_key("status"),
                replayable=True,
                waiting=self._lost,
                context=self._context(),
            )
            self._back_in_touch(delivery.waited)
            answer = delivery.answer
            if delivery.result is not Result.APPLIED and delivery.waited:
                # refused only because the first attempt had landed after all?
                fresh = await self.try_read()
                if fresh is not None and getattr(fresh, "status", None) == body.get("status"):
                    answer = fresh
            if answer is None:
                self._tell(Notice.alert(f"Refused: {delivery.error}"))
                return False
        finally:
            self._changing = False
            if self.work.unsaved:
                self.send()  # scanned while the change was on its way
        self.work.confirmed(answer)
        self._changed(before)
        return True


def picking(
    work: PickPack, backend: Backend, outbox: Outbox, views: Views
) -> CountingSession[Fulfillment]:
    """The session of one fulfillment being picked and packed."""
    ful_id = work.fulfillment.id
    return CountingSession(
        work,
        outbox,
        views,
        method="update_fulfillment",
        read=lambda: backend.get_fulfillment(ful_id),
        what="picks",
        kind="picks",
        screen="order",
    )


def receiving(
    work: Receiving, backend: Backend, outbox: Outbox, views: Views
) -> CountingSession[Manifest]:
    """The session of one manifest being received."""
    manifest_id = work.manifest.id
    return CountingSession(
        work,
        outbox,
        views,
        method="update_manifest",
        read=lambda: backend.get_manifest(manifest_id),
        what="counts",
        kind="receipt",
        screen="manifest",
    )
