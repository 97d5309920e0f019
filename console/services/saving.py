"""Saving a form (a lot, an item): checked before it is sent, sent once through the outbox, and
when its answer is lost, the record read back to learn whether it was saved."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from console.domain.errors import PreconditionFailed, WarehouseError
from console.services.outbox import ORPHANED, Outbox, Request, Result


@dataclass(frozen=True)
class NotSaved:
    """Refused (`error` names the field when it can), or not known to be saved."""

    error: WarehouseError
    unknown: bool = False  # the answer was lost and the record could not be shown to be saved


@dataclass(frozen=True)
class NothingChanged:
    pass


class CannotTell(Exception):
    """Raised by a read-back that cannot tell whether a lost save landed (nothing identifies
    the record): the operator is told to look before entering it again."""


class SavesOnce:
    """The saves of one form. Saving the same request again (the operator presses Enter again
    after a lost answer) sends it with the same idempotency key, so it applies once."""

    def __init__(self, outbox: Outbox, kind: str) -> None:
        self.outbox = outbox
        self.kind = kind
        self._sent: tuple[str, str] | None = None  # (request, idempotency key) last sent

    async def send(
        self,
        what: str,
        request: Request,
        *,
        context: dict[str, Any],
        changed_meanwhile: str,
        read_back: Callable[[], Awaitable[Any | None]],
    ) -> Any | NotSaved:
        """The record the backend answered, or why it is not saved. `read_back` gives the
        record as it is after a lost answer if the request is in it (None if not)."""
        sent = json.dumps([request.method, request.record_id, request.body], sort_keys=True)
        if self._sent and self._sent[0] == sent:
            key = self._sent[1]
        else:
            key = self.outbox.new_key(self.kind)
        self._sent = (sent, key)
        delivery = await self.outbox.deliver(what, request, key=key, context=context)
        if delivery.result is Result.APPLIED:
            return delivery.answer
        if delivery.result is Result.ORPHANED:
            return NotSaved(WarehouseError(ORPHANED), unknown=True)
        assert delivery.error is not None
        if isinstance(delivery.error, PreconditionFailed):
            return NotSaved(WarehouseError(changed_meanwhile))
        if delivery.result is Result.REFUSED:
            return NotSaved(delivery.error)
        return await self._learn(delivery.error, read_back)

    async def _learn(
        self, lost: WarehouseError, read_back: Callable[[], Awaitable[Any | None]]
    ) -> Any | NotSaved:
        """The answer was lost: read back what is true, and say whether it was saved."""
        try:
            found = await read_back()
        except CannotTell as unsure:
            return NotSaved(WarehouseError(f"{lost.message} {unsure}"), unknown=True)
        except WarehouseError as again:
            return NotSaved(
                WarehouseError(
                    f"{lost.message} Still cannot reach the warehouse ({again.message}). "
                    "Enter tries again."
                ),
                unknown=True,
            )
        if found is not None:
            return found
        return NotSaved(
            WarehouseError(
                f"{lost.message} It was not saved. Enter sends it again (safely: same request id)."
            ),
            unknown=True,
        )
