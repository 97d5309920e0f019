"""A time limit on a request's headers, which uvicorn does not have (its issue #157 lists
`--timeout-request-start` as still to do; `timeout_keep_alive` is reset by every byte, so a
client trickling its headers holds a connection for good).

Workaround for that gap, kept in this one module: uvicorn's h11 protocol, with a deadline armed
when a connection opens (or a kept-alive one starts its next request) and disarmed once the
headers are whole. The body has its own limit (`BODY_SECONDS` in console/server/app.py).
`tests/test_server_slow_clients.py` fails once uvicorn offers a setting of its own for this:
then use that and remove this module.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("console.server")

# Headers are a few hundred bytes, sent at once even over a poor link.
HEADER_SECONDS = 10.0
_TOO_SLOW = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class HeadersInTime(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers take too long."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self._between_requests():
            self._arm()  # a kept-alive connection's next request begins
        super().data_received(data)
        if self._deadline is not None and not self._between_requests():
            self._deadline.cancel()  # the headers are whole: the request runs
            self._deadline = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(HEADER_SECONDS, self._too_slow)

    def _too_slow(self) -> None:
        self._deadline = None
        if self._between_requests() and not self.transport.is_closing():
            log.info("a client's request headers took longer than %s s: closed", HEADER_SECONDS)
            self.transport.write(_TOO_SLOW)
            self.transport.close()
