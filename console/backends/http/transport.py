"""One HTTP exchange with a PackageX-style API, and everything that can go wrong with it.

Every failure leaves here as one of the typed errors of :mod:`console.domain.errors`, with a
message an operator can act on. The rules, in short:

* **Reads (GET)** are retried a bounded number of times, with exponential backoff and jitter, on
  transient failures: a refused or reset connection, a dropped connection, 429 (honouring
  ``Retry-After`` up to a cap) and 500/502/503/504. Timeouts (connect or read) are *not* retried:
  each already cost the operator the whole timeout, and repeating it would multiply the wait; the
  screen offers a retry.
* **Changes (POST, DELETE)** are sent exactly once and never retried by this code. Each carries
  an ``Idempotency-Key`` so that a server which honours it (ours does) ignores a deliberate
  re-send. When the request may have reached the server but no trustworthy answer came back (read
  timeout, connection dropped or reset after sending, a garbled status line, any 5xx except
  501/505), the change raises :class:`OutcomeUnknown`: it may or may not have been applied, and the
  caller re-reads the object. A 5xx counts as unknown because a gateway (502/504) or an overloaded
  server (503) may answer after the upstream already applied the change, and a 500 may come from
  code that failed half-way; telling the operator "re-read" is always safe, telling them "it
  failed" when it did not would make them apply it twice. A failure to connect (nothing was sent)
  is :class:`Unreachable`.
* **The key is a secret.** It is only ever put in the dialect's key header (``PX-API-KEY`` for
  PackageX, ``Authorization: Bearer`` for Directus and byrd). Error messages are
  built from our own words plus the server's ``message`` (with the key redacted should a server
  echo it); typed errors are raised *outside* the ``except`` blocks, so no httpx exception (which
  holds the request and its headers) is chained to them, not even as ``__context__``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import socket
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from console.backends.loopback import is_loopback
from console.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    PreconditionFailed,
    RateLimited,
    Unauthorized,
    Unavailable,
    Unreachable,
    WarehouseChanged,
    WarehouseError,
)
from console.domain.wire import (
    ETAG,
    EXTENSIONS,
    HONOURED,
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEYS_HONOURED,
    IF_MATCH,
    WAREHOUSE_INSTANCE,
)

log = logging.getLogger("console.backends.http")

USER_AGENT = "warehouse-console/0.1"
# A page of 250 items with every field is well under 2 MiB; anything far bigger is not an answer.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# Statuses after which a read may succeed if asked again.
RETRYABLE_READ_STATUSES = frozenset({429, 500, 502, 503, 504})
# 5xx that say the server never tried the request at all.
NOT_ATTEMPTED_5XX = frozenset({501, 505})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")


class ClientConfigError(ValueError):
    """The client cannot be built as configured (bad URL, key over plain http, bad timeout)."""


def _packagex_errors(payload: Any) -> tuple[str | None, list[FieldError], str | None]:
    """A PackageX envelope's words: `message`, the `errors` array and `code`."""
    envelope = payload if isinstance(payload, dict) else {}
    return envelope.get("message"), field_errors(envelope.get("errors")), envelope.get("code")


@dataclass(frozen=True)
class Dialect:
    """How one kind of API is spoken: the shape of its base URL, where the key goes, how its
    errors are worded. The exchange itself (timeouts, retries, lost answers) is the same for
    every API the console talks to."""

    name: str  # "a PackageX-style /v1 inventory API": what the URL should point at
    example_url: str  # "https://api.packagex.io/v1"
    key_source: str  # where the operator sets the key: "PX_API_KEY or api_key in config.toml"
    # the path the base URL must end in (a bare host gets it), or None: any path is kept
    version_path: str | None = None
    key_header: str = "PX-API-KEY"
    key_scheme: str = ""  # "Bearer": the header is "Bearer <key>"
    # payload of an error answer → (message, field errors, error code)
    read_errors: Callable[[Any], tuple[str | None, list[FieldError], str | None]] = _packagex_errors
    conflict_codes: frozenset[str] = frozenset()  # codes that mean "conflicts with the state"
    # The API answers 403 for a record that does not exist, so as not to tell which exist
    # (Directus does): a 403 on one record is reported as not found, its message kept.
    forbidden_means_missing: bool = False

    def key_value(self, key: str) -> str:
        return f"{self.key_scheme} {key}" if self.key_scheme else key


PACKAGEX = Dialect(
    name="a PackageX-style /v1 inventory API",
    example_url="https://api.packagex.io/v1",
    key_source="PX_API_KEY or api_key in config.toml",
    version_path="/v1",
)


@dataclass(frozen=True)
class RetryPolicy:
    """How reads are retried. Changes are never retried."""

    attempts: int = 4  # the first try and three retries
    backoff: float = 0.25  # seconds before the first retry; doubled each time, with jitter
    max_backoff: float = 4.0
    max_retry_after: float = 30.0  # a longer Retry-After is reported instead of waited out


def check_base_url(
    base_url: str, *, has_key: bool, allow_insecure_http: bool, dialect: Dialect = PACKAGEX
) -> httpx.URL:
    """The API base URL, normalised (to end in the dialect's version path, /v1 for PackageX),
    or a `ClientConfigError` saying what is wrong."""
    example = dialect.example_url
    try:
        url = httpx.URL(base_url.strip())
    except Exception:  # httpx.InvalidURL and friends: the text is not a URL at all
        raise ClientConfigError(
            f"The API URL is not a valid URL: use one like {example}."
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ClientConfigError(
            "The API URL must start with https:// (or http:// for a server on this machine), "
            f"like {example}."
        )
    if url.userinfo or url.query or url.fragment:
        # A key smuggled into the URL would end up in logs and error messages.
        raise ClientConfigError(
            "The API URL must not carry a user name, query or fragment: put the key in "
            f"{dialect.key_source}."
        )
    path = url.path.rstrip("/")
    version = dialect.version_path
    if version is not None:
        if path == "":
            path = version
        if not path.endswith(version):
            raise ClientConfigError(
                f"The API URL must end in {version} (the API version), like "
                f"https://{url.netloc.decode()}{version}."
            )
    if url.scheme == "http" and has_key and not allow_insecure_http and not is_loopback(url.host):
        raise ClientConfigError(
            f"Refusing to send the API key unencrypted to {url.host} over plain http://: use "
            "https://, or pass --allow-insecure-http (allow_insecure_http = true) only on a "
            "network you trust."
        )
    return url.copy_with(path=path or "/")


def host_label(url: httpx.URL) -> str:
    """'api.packagex.io' or '127.0.0.1:8765': the host, and the port when it is not the default."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{host}:{url.port}" if url.port else host


def _seconds(value: float) -> str:
    return f"{value:g} s"


@dataclass(frozen=True)
class Call:
    """One request, and the words that describe it to an operator."""

    method: str
    path: str  # below the base URL, e.g. "/items/item_123"
    doing: str  # "reading item item_123", "saving item item_123"
    subject: str  # "item item_123": what to re-read when an answer is lost
    params: Mapping[str, str | int] | None = None
    body: Any = field(default=None, repr=False)  # may hold a secret (a login's password)
    idempotency_key: str | None = None
    if_match: str | None = None  # the version the change is based on (412 when it is old)
    collection: bool = False  # a list or create path: a 404 there means a wrong URL

    @property
    def is_change(self) -> bool:
        return self.method != "GET"


@dataclass(frozen=True)
class Answer:
    """A response whose body was read whole: the status, headers and the decoded JSON (or None)."""

    status: int
    headers: httpx.Headers
    payload: Any
    readable: bool  # the body was JSON
    size: int


class _Failure:
    """What went wrong in one attempt at the transport level (no response to look at)."""

    def __init__(self, kind: str, reason: str, *, sent: bool, retryable: bool) -> None:
        self.kind = kind
        self.reason = reason
        self.sent = sent  # the request may have reached the server
        self.retryable = retryable


class Transport:
    """Sends `Call`s through an `httpx.AsyncClient` and returns decoded envelopes."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        allow_insecure_http: bool = False,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_connections: int = 20,
        dialect: Dialect = PACKAGEX,
        secrets: Iterable[str] = (),
    ) -> None:
        self.dialect = dialect
        # what never appears in a message besides the key: a login's own credentials
        self._secrets = tuple(s for s in secrets if s and len(s) >= 4)
        for name, value in (("connect_timeout", connect_timeout), ("read_timeout", read_timeout)):
            if not value > 0:
                raise ClientConfigError(f"{name} must be a positive number of seconds.")
        self._api_key = api_key or None
        if self._api_key is not None and not _HEADER_SAFE.match(self._api_key):
            # Said without the key itself: it is a secret even when it is malformed.
            raise ClientConfigError(
                "The API key contains spaces, control or non-ASCII characters and cannot be sent; "
                f"check {dialect.key_source} (a stray quote or line break?)."
            )
        self.url = check_base_url(
            base_url,
            has_key=self._api_key is not None,
            allow_insecure_http=allow_insecure_http,
            dialect=dialect,
        )
        self.label = host_label(self.url)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        # Learned from the server's answers (console/domain/wire.py): until one says so, a change
        # whose answer was lost is not sent again, and no update is based on a version.
        self.honours_keys = False
        self.etags = False
        self.extensions: frozenset[str] = frozenset()  # of the contract, as the server says
        self.instance: str | None = None  # which warehouse the server serves, once it says
        self.instance_changed: Callable[[str, str], None] | None = None
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self._api_key:
            headers[dialect.key_header] = dialect.key_value(self._api_key)
        self._client = httpx.AsyncClient(
            base_url=str(self.url),
            headers=headers,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            # Idle connections are dropped after 5 s, well before a server or a NAT box drops
            # them silently: a change sent on a dead connection would be reported unknown.
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=5.0,
            ),
            # A redirect could carry the key to another host; report it instead of following.
            follow_redirects=False,
            # Loopback traffic never goes through a proxy from the environment.
            trust_env=not is_loopback(self.url.host),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def authorize(self, key: str | None) -> None:
        """Send `key` from now on (a token the API gave at login), or no key at all."""
        if key is not None and not _HEADER_SAFE.match(key):
            raise Unauthorized(f"The API at {self.label} gave a token that cannot be sent.")
        self._api_key = key or None
        if self._api_key:
            self._client.headers[self.dialect.key_header] = self.dialect.key_value(self._api_key)
        else:
            self._client.headers.pop(self.dialect.key_header, None)

    # -- the exchange ------------------------------------------------------------------------

    async def call(self, call: Call) -> Answer:
        """Send the call (retrying reads when it is worth it) and return a 2xx answer."""
        attempts = 1 if call.is_change else max(1, self.retry.attempts)
        headers: dict[str, str] = {}
        if call.is_change:
            # The caller's key, or a fresh one: a server that honours it never applies this twice.
            headers[IDEMPOTENCY_KEY] = call.idempotency_key or uuid.uuid4().hex
            if call.if_match:
                headers[IF_MATCH] = call.if_match
            if self.instance:
                # the warehouse this change is meant for: a server started afresh refuses it
                headers[WAREHOUSE_INSTANCE] = self.instance
        for attempt in range(1, attempts + 1):
            outcome = await self._attempt(call, headers)
            last = attempt == attempts
            if isinstance(outcome, _Failure):
                log.info("%s %s: %s (attempt %d)", call.method, call.path, outcome.kind, attempt)
                if outcome.retryable and not last:
                    await self._sleep(self._backoff(attempt))
                    continue
                raise self._transport_error(call, outcome)
            log.debug("%s %s -> %d (attempt %d)", call.method, call.path, outcome.status, attempt)
            self._learn(outcome.headers)
            if 200 <= outcome.status < 300:
                return outcome
            if not call.is_change and outcome.status in RETRYABLE_READ_STATUSES and not last:
                retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.retry.max_retry_after:
                    raise self._status_error(call, outcome)  # too long to wait: say so now
                delay = self._backoff(attempt)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                await self._sleep(delay)
                continue
            raise self._status_error(call, outcome)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _learn(self, headers: httpx.Headers) -> None:
        """What the server says of itself in every answer."""
        if headers.get(IDEMPOTENCY_KEYS_HONOURED, "").strip().lower() == HONOURED:
            self.honours_keys = True
        if strong_etag(headers.get(ETAG)):
            self.etags = True
        offered = headers.get(EXTENSIONS)
        if offered is not None:
            self.extensions = frozenset(
                word.strip().lower() for word in offered[:500].split(",") if word.strip()
            )
        instance = headers.get(WAREHOUSE_INSTANCE, "").strip()[:100] or None
        if instance is not None and instance != self.instance:
            before, self.instance = self.instance, instance
            if before is not None and self.instance_changed is not None:
                self.instance_changed(before, instance)

    def _backoff(self, attempt: int) -> float:
        base = min(self.retry.max_backoff, self.retry.backoff * 2 ** (attempt - 1))
        # Jitter spreads the retries of many consoles that failed at the same moment.
        return base * random.uniform(0.5, 1.0)

    async def _attempt(self, call: Call, headers: Mapping[str, str]) -> Answer | _Failure:
        """One try. Returns the answer, or a `_Failure` describing a transport problem."""
        failure: _Failure | None = None
        started = time.monotonic()
        try:
            request = self._client.build_request(
                call.method,
                call.path.lstrip("/"),
                params=dict(call.params) if call.params else None,
                json=call.body,
                headers=headers,
            )
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = self._classify(exc, response_started=False)
        except OSError as exc:  # an error httpx did not wrap: treat like a failed connection
            failure = _Failure("os-error", _connect_reason(exc), sent=False, retryable=True)
        if failure is not None:
            return failure
        try:
            content = await _read_capped(response)
        except httpx.HTTPError as exc:
            failure = self._classify(exc, response_started=True, status=response.status_code)
        except _TooLarge:
            failure = _Failure(
                "too-large", "the answer was far too large", sent=True, retryable=False
            )
        finally:
            await response.aclose()
        if failure is not None:
            return failure
        log.debug("%s %s answered in %.3f s", call.method, call.path, time.monotonic() - started)
        return _decode(response, content)

    def _classify(
        self, exc: httpx.HTTPError, *, response_started: bool, status: int | None = None
    ) -> _Failure:
        """Name a transport error without keeping it (it holds the request and its headers)."""
        text = str(exc).lower()
        # Timeouts are not retried: each already cost the operator the whole timeout, and an
        # unreachable host would otherwise keep the screen waiting four times as long.
        if isinstance(exc, httpx.ConnectTimeout):
            return _Failure(
                "connect-timeout",
                f"no connection within {_seconds(self.connect_timeout)}",
                sent=False,
                retryable=False,
            )
        if isinstance(exc, httpx.PoolTimeout):
            return _Failure(
                "pool-timeout", "too many requests already waiting", sent=False, retryable=False
            )
        if isinstance(exc, httpx.ConnectError):
            reason = _connect_reason(exc)
            # A certificate problem does not go away by asking again.
            return _Failure("connect", reason, sent=False, retryable="TLS" not in reason)
        if isinstance(exc, httpx.ReadTimeout):
            return _Failure(
                "read-timeout",
                f"no answer within {_seconds(self.read_timeout)}",
                sent=True,
                retryable=False,
            )
        if isinstance(exc, httpx.WriteTimeout | httpx.WriteError):
            return _Failure(
                "write", "the connection failed while sending", sent=True, retryable=True
            )
        if isinstance(exc, httpx.DecodingError):
            return _Failure(
                "decoding", "the answer's encoding was broken", sent=True, retryable=False
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            if response_started:
                reason = f"the connection dropped in the middle of the answer (HTTP {status})"
            elif "without sending" in text or isinstance(exc, httpx.ReadError):
                reason = "the connection dropped before any answer came"
            else:
                reason = "the answer was not valid HTTP"
            # A 2xx whose body was cut off still means "applied"; kept in `kind` for the message.
            kind = "cut-2xx" if response_started and status and 200 <= status < 300 else "dropped"
            return _Failure(kind, reason, sent=True, retryable=True)
        if isinstance(exc, httpx.LocalProtocolError):
            # Refused by httpx itself before anything went out (e.g. a header it cannot send).
            return _Failure("local", "the request could not be sent", sent=False, retryable=False)
        # Anything else: assume the request may have gone out, so a change is reported unknown.
        return _Failure("http-error", "the connection failed", sent=True, retryable=True)

    # -- turning failures into typed errors ------------------------------------------------------

    def _transport_error(self, call: Call, failure: _Failure) -> WarehouseError:
        where = f"the API at {self.label}"
        if not failure.sent:
            nothing = " Nothing was sent." if call.is_change else ""
            return Unreachable(
                f"Could not reach {where} while {call.doing} ({failure.reason}): check the "
                f"network and the API URL, then try again.{nothing}"
            )
        if call.is_change:
            if failure.kind == "cut-2xx":
                return OutcomeUnknown(
                    f"The API accepted the change while {call.doing}, but its answer was cut off: "
                    f"re-read {call.subject} to see its current state before doing anything else."
                )
            return OutcomeUnknown(
                f"The answer from {where} was lost while {call.doing} ({failure.reason}): the "
                f"change may or may not have been applied. Re-read {call.subject} before trying "
                "again."
            )
        if failure.kind == "read-timeout":
            return Unavailable(
                f"{where[0].upper()}{where[1:]} gave {failure.reason} while {call.doing}: check "
                "the network and try again; if it keeps happening, raise read_timeout."
            )
        return Unavailable(
            f"{where[0].upper()}{where[1:]} failed while {call.doing} ({failure.reason}): "
            "check the network and try again."
        )

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    def _status_error(self, call: Call, answer: Answer) -> WarehouseError:
        status = answer.status
        envelope = answer.payload if isinstance(answer.payload, dict) else {}
        message, raw_errors, code = self.dialect.read_errors(answer.payload)
        said = self._clean(message)
        errors = [
            FieldError(self._clean(e.field) or "", self._clean(e.message) or "invalid")
            for e in raw_errors
        ]
        key_source = self.dialect.key_source
        # The server's words inside our sentence: "(HTTP 503: down for maintenance)".
        suffix = f": {said.rstrip('.')}" if said else ""
        if code is not None and str(code) in self.dialect.conflict_codes:
            return Conflict(said or f"The API refused this (HTTP {status}, {code}).", errors)
        if status == 403 and self.dialect.forbidden_means_missing and not call.collection:
            found = f"{call.subject[0].upper()}{call.subject[1:]} was not found"
            return NotFound(f"{found} (HTTP 403{suffix}).")
        if status in (400, 413, 422):
            return InvalidInput(said or f"The API refused the request (HTTP {status}).", errors)
        if status == 401:
            if self._api_key is None:
                return Unauthorized(
                    f"The API at {self.label} needs an API key{suffix}. Ask an admin for one and "
                    f"set {key_source}."
                )
            return Unauthorized(
                f"The API at {self.label} refused the API key (HTTP 401{suffix}). Ask an admin "
                f"for a valid API key and set {key_source}."
            )
        if status == 403:
            return Forbidden(
                f"The API key is not allowed to do this (HTTP 403{suffix}) while {call.doing}. "
                "Ask an admin for a key with access."
            )
        if status == 404:
            if call.collection:
                return Unavailable(
                    f"The API at {self.label} has no {call.path} (HTTP 404): check that the API "
                    f"URL points at {self.dialect.name}."
                )
            return NotFound(said or f"{call.subject[0].upper()}{call.subject[1:]} was not found.")
        if status == 412:
            return PreconditionFailed(
                said
                or f"{call.subject[0].upper()}{call.subject[1:]} has changed since it was "
                "read: nothing was applied.",
                errors,
                current=envelope.get("data"),  # the record as it is now, if the server sent it
                etag=strong_etag(answer.headers.get(ETAG)),
            )
        if status == 409 and envelope.get("code") == WarehouseChanged.code:
            return WarehouseChanged(said or "The server serves another warehouse now.", errors)
        if status == 409:
            return Conflict(
                said
                or f"The API refused this because it conflicts with the current state of "
                f"{call.subject}: re-read it and try again.",
                errors,
            )
        if status == 429:
            retry_after = parse_retry_after(answer.headers.get("Retry-After"))
            wait = f"wait {_wait_text(retry_after)}" if retry_after is not None else "wait a moment"
            return RateLimited(
                f"The API at {self.label} is limiting how fast this console may call it: {wait} "
                "and try again.",
                retry_after,
            )
        if 300 <= status < 400:
            return Unavailable(
                f"The API answered with a redirect (HTTP {status}) while {call.doing}: check the "
                f"API URL (https://, like {self.dialect.example_url})."
            )
        if status in (405, *NOT_ATTEMPTED_5XX):
            return Unavailable(
                f"The API at {self.label} does not support {call.method} {call.path} "
                f"(HTTP {status}): it may not follow the whole contract this console needs."
            )
        if status >= 500:
            if call.is_change:
                return OutcomeUnknown(
                    f"The API at {self.label} failed while {call.doing} (HTTP {status}{suffix}): "
                    f"the change may or may not have been applied. Re-read {call.subject} before "
                    "trying again."
                )
            return Unavailable(
                f"The API at {self.label} failed while {call.doing} (HTTP {status}{suffix}): try "
                "again in a moment; if it keeps failing, tell a supervisor the API is down."
            )
        return InvalidInput(said or f"The API refused the request (HTTP {status}).", errors)

    def _clean(self, text: Any) -> str | None:
        """A server-supplied string made safe for a message: no control characters, not huge,
        and never the key (a careless server might echo it)."""
        if text is None:
            return None
        text = _CONTROL.sub(" ", str(text)).strip()
        for secret in (self._api_key or "", *self._secrets):
            if len(secret) >= 4:
                text = text.replace(secret, "[redacted]")
        return text[:300] or None

    def unreadable(self, call: Call, problem: str) -> WarehouseError:
        """A 2xx answer that is not what the contract promises."""
        if call.is_change:
            return OutcomeUnknown(
                f"The API accepted the change while {call.doing}, but its answer could not be read "
                f"({problem}): re-read {call.subject} to see its current state."
            )
        return Unavailable(
            f"The API at {self.label} answered in an unexpected form while {call.doing} "
            f"({problem}): check that the API URL points at {self.dialect.name}."
        )


class _TooLarge(Exception):
    pass


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(response: httpx.Response, content: bytes) -> Answer:
    payload: Any = None
    readable = False
    if content:
        try:
            payload = json.loads(content)
            readable = True
        except ValueError:  # not JSON, or not UTF-8
            payload = None
    return Answer(
        status=response.status_code,
        headers=response.headers,
        payload=payload,
        readable=readable,
        size=len(content),
    )


def strong_etag(value: str | None) -> str | None:
    """An ETag usable in If-Match (RFC 9110 compares strongly): a weak one, W/"…", never
    matches, so it is as good as none."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("W/") or len(value) > 200 or not _HEADER_SAFE.match(value):
        return None
    return value


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (httpx -> httpcore -> anyio -> OSError), bounded."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 8 and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _connect_reason(exc: BaseException) -> str:
    """A short, key-free reason for a failed connection, from the OS error underneath."""
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ssl.SSLError):
            return "the TLS certificate or handshake failed"
    text = " ".join(str(c).lower() for c in _causes(exc))
    if "refused" in text:
        return "connection refused"
    if "certificate" in text or "ssl" in text:
        return "the TLS certificate or handshake failed"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "host name not found"
    if "unreachable" in text:
        return "network unreachable"
    return "could not connect"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _wait_text(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} min"


def field_errors(raw: Any) -> list[FieldError]:
    """The `errors` array of an envelope, however a server spells it: objects with
    field/param/path/loc and message/msg/detail, or plain strings."""
    if not isinstance(raw, list):
        return []
    out: list[FieldError] = []
    for entry in raw[:50]:
        if isinstance(entry, str):
            out.append(FieldError("", entry))
            continue
        if not isinstance(entry, dict):
            continue
        named: Any = next(
            (entry[k] for k in ("field", "param", "path", "loc", "key") if entry.get(k)), ""
        )
        if isinstance(named, list):
            named = ".".join(str(part) for part in named)
        message = next(
            (entry[k] for k in ("message", "msg", "detail", "reason") if entry.get(k)), "invalid"
        )
        out.append(FieldError(str(named), str(message)))
    return out
