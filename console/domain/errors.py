"""Typed errors shared by the domain rules and every backend.

Each carries a message written for an operator: what was refused and why. The HTTP client maps
status codes onto these, the server maps them back, so a screen never sees a transport detail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a request, as the API's `errors` array names it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class WarehouseError(Exception):
    """Base of every error a backend raises on purpose."""

    status: int = 500
    code: str = "error"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: list[FieldError] = list(errors or [])

    def __str__(self) -> str:
        """The message, with the field details when they add something to it."""
        details = "; ".join(str(e) for e in self.errors if e.message not in self.message)
        return f"{self.message} ({details})" if details else self.message


class InvalidInput(WarehouseError):
    """The request itself is wrong: a field is missing, of the wrong type or out of range."""

    status = 400
    code = "invalid_input"

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls(f"Invalid {field}: {message}", [FieldError(field, message)])


class Unauthorized(WarehouseError):
    status = 401
    code = "unauthorized"


class Forbidden(Unauthorized):
    """The credentials are good but may not do this (HTTP 403): asking for a new token would
    not help, and logging in again and again gets a client blocked."""

    status = 403
    code = "forbidden"


class NotFound(WarehouseError):
    status = 404
    code = "not_found"


class Conflict(WarehouseError):
    """The request is well formed but the warehouse's state refuses it (stock below zero, a
    status change the machine forbids)."""

    status = 409
    code = "conflict"


class WarehouseChanged(Conflict):
    """The change was meant for a warehouse the server no longer serves (it was started afresh
    since): nothing was applied."""

    code = "warehouse_changed"


class PreconditionFailed(WarehouseError):
    """The update named the version it was based on (If-Match) and the record has changed
    since: nothing was applied. `current` is the record as it is now, when the backend sent it."""

    status = 412
    code = "precondition_failed"

    def __init__(
        self,
        message: str,
        errors: list[FieldError] | None = None,
        *,
        current: object = None,
        etag: str | None = None,
    ) -> None:
        super().__init__(message, errors)
        self.current = current
        self.etag = etag  # the current version, as a server's header gave it


class RateLimited(WarehouseError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotOffered(WarehouseError):
    """The backend keeps no such thing (byrd keeps no level adjustments): asked of a backend
    whose capabilities say so, it changes nothing."""

    status = 501
    code = "not_offered"


class Unavailable(WarehouseError):
    """The backend could not be reached or answered with something unusable."""

    status = 503
    code = "unavailable"


class Unreachable(Unavailable):
    """The backend could not be reached at all: nothing was sent, so sending again is safe."""

    code = "unreachable"


class OutcomeUnknown(Unavailable):
    """A change was sent but its answer was lost: it may or may not have been applied.

    Sent again only where that cannot apply it twice (see console/services/outbox.py);
    otherwise the caller re-reads the object to learn the truth.
    """

    code = "outcome_unknown"


ERRORS_BY_STATUS: dict[int, type[WarehouseError]] = {
    400: InvalidInput,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    422: InvalidInput,
    429: RateLimited,
}
