"""Slow clients cannot hold the real server: headers trickled in are cut off, and the server
goes on answering others meanwhile."""

from __future__ import annotations

import inspect
import socket
import time

import httpx
import pytest
import uvicorn

from console.server import create_app, slow_clients
from console.server.runner import ServerThread
from tests.contract.world import build_world


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(slow_clients, "HEADER_SECONDS", 0.5)
    with ServerThread(create_app(build_world())) as running:
        yield running


def test_headers_trickled_in_are_cut_off(server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow:
        slow.sendall(b"GET /v1/locations HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        # meanwhile, other clients are answered
        assert httpx.get(f"{server.url}/locations", timeout=5).status_code == 200
        slow.settimeout(0.1)
        answer = b""
        while not answer and time.monotonic() - started < 3:
            try:
                answer = slow.recv(1000)  # the server's answer, as soon as it comes
            except TimeoutError:
                slow.sendall(b"X")  # nothing yet: one more byte of headers that never end
    assert answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 3


def test_a_kept_alive_connection_is_cut_off_on_a_trickled_second_request(server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
        client.sendall(b"GET /v1/locations HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = client.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        client.sendall(b"GET /v1/locations HTTP/1.1\r\n")
        rest = b""
        while chunk := client.recv(65536):  # the first answer's end, then the 408, then closed
            rest += chunk
    assert b"HTTP/1.1 408" in first + rest


def test_a_quick_client_is_never_cut_off(server) -> None:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        for _ in range(3):
            assert client.get("/locations").status_code == 200
            time.sleep(0.6)  # idle past HEADER_SECONDS between requests: keep-alive, not slow


def test_uvicorn_still_has_no_header_timeout_of_its_own() -> None:
    """When this fails, uvicorn has a setting for it: use it and remove slow_clients.py."""
    options = inspect.signature(uvicorn.Config).parameters
    assert not [
        name
        for name in options
        if "request_start" in name or ("header" in name and "timeout" in name)
    ]
