"""A change as the backend protocol takes it, as plain data: the outbox sends it, the journal
keeps it on disk, a recovery sends it again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.backends.protocol import Backend

# The backend calls a change may be: a journal on disk names one of these, nothing else.
CHANGES = frozenset(
    {
        "create_item",
        "update_item",
        "create_lot",
        "update_lot",
        "create_manifest",
        "update_manifest",
        "create_fulfillment",
        "update_fulfillment",
    }
)


@dataclass(frozen=True)
class Request:
    """One change as the backend protocol takes it: the call, the record it changes (None for a
    create), its body and the version it is based on. Plain data, so the journal can keep it."""

    method: str
    record_id: str | None
    body: Mapping[str, Any]
    if_match: str | None = None

    def __post_init__(self) -> None:
        if self.method not in CHANGES:
            raise ValueError(f"{self.method} is not a change of the backend protocol")

    async def send(self, backend: Backend, key: str) -> Any:
        call = getattr(backend, self.method)
        args = (dict(self.body),) if self.record_id is None else (self.record_id, dict(self.body))
        if self.if_match is not None:
            return await call(*args, idempotency_key=key, if_match=self.if_match)
        return await call(*args, idempotency_key=key)
