"""A backend for tests: the in-memory warehouse behind a recorder of calls that can misbehave."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from console.backends.memory.warehouse import MemoryWarehouse
from console.backends.protocol import Capabilities


class Recording:
    """A backend in front of the in-memory warehouse that counts calls and can misbehave:
    `hooks[name]` runs before the real call and may wait, raise, or call through. With
    `keys_honoured = False` it says it does not honour idempotency keys (as a PackageX account
    may not)."""

    def __init__(self, inner: MemoryWarehouse) -> None:
        self.inner = inner
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.hooks: dict[str, Callable[..., Awaitable[Any]]] = {}
        self.keys_honoured = True
        self.etags = True  # False: the backend's answers carry no versions (as PackageX's)
        self.lot_picks = True  # False: the backend keeps no lot per pick (as PackageX)
        self.receipt_parts = True  # False: a manifest line holds one bin and lot (as PackageX)

    @property
    def label(self) -> str:
        return "test"

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            idempotency_keys=self.keys_honoured,
            etags=self.etags,
            lot_picks=self.lot_picks,
            receipt_parts=self.receipt_parts,
        )

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call[0] == name)

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)
        if not asyncio.iscoroutinefunction(real):
            return real

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            hook = self.hooks.get(name)
            if hook is not None:
                return await hook(real, *args, **kwargs)
            return await real(*args, **kwargs)

        return call


def answers_lost(
    times: int | None = None, *, applied: bool = True
) -> Callable[..., Awaitable[Any]]:
    """A hook: the call is applied (or not, with `applied=False`) but its answer is lost, the
    first `times` times (every time when None); after that the answer comes back."""
    from console.domain.errors import OutcomeUnknown

    left = [times]

    async def hook(real: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        if left[0] is not None and left[0] <= 0:
            return await real(*args, **kwargs)
        if left[0] is not None:
            left[0] -= 1
        if applied:
            await real(*args, **kwargs)
        raise OutcomeUnknown("The connection dropped before the answer arrived.")

    return hook
