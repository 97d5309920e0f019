"""Running the API server: in the foreground for `warehouse-console serve`, or in a background
thread for tests and benchmarks.

The listening socket is bound here rather than by uvicorn, so that a port in use is one clear
sentence instead of a log line and an exit from deep inside uvicorn, and so that port 0 (any free
port) tells us which port it got.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

import uvicorn
from starlette.applications import Starlette

from console.allocator import give_back_freed_memory
from console.backends.loopback import is_loopback
from console.backends.memory.warehouse import MemoryWarehouse
from console.server.app import create_app
from console.server.slow_clients import HeadersInTime

log = logging.getLogger("console.server")


class ServeError(Exception):
    """The server cannot start; the message is one line for the operator."""


# Worker processes that share one listening socket race to accept its connections, and one
# woken with several waiting takes them all: a benchmark's eight connections all went to one of
# two workers while the other idled. Linux instead spreads the connections to a port over the
# sockets listening on it with SO_REUSEPORT, so there each worker has a listener of its own,
# all made before any worker starts (a connection made meanwhile waits in one, as it would in
# a shared socket) and kept by the main process (a dead worker's waits for its replacement).
BALANCED_WORKERS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bind(host: str, port: int, *, workers: int = 1) -> socket.socket:
    """A listening TCP socket on host:port, or `ServeError` saying why not. For `workers` > 1
    where the system balances them, the first of the workers' listeners (`serve_app` makes the
    others beside it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise ServeError(f"Cannot serve on {host}: no such host or address.") from None
    family, kind, proto, _, address = infos[0]
    balanced = workers > 1 and BALANCED_WORKERS
    try:
        if balanced:
            # Sockets sharing a port with SO_REUSEPORT would share it with another server's
            # too (found in review: a second `serve --workers 2` on the port took half of the
            # connections to its own warehouse): one that does not share asks first whether
            # anything listens there, and takes the port that 0 means.
            probe = _socket(family, kind, proto, address, shared=False, listen=False)
            address = probe.getsockname()
            probe.close()
        sock = _socket(family, kind, proto, address, shared=balanced)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = (
                f"Port {port} on {host} is already in use: stop the other server or choose "
                "another --port."
            )
        elif exc.errno == errno.EACCES:
            message = f"Not allowed to listen on port {port} on {host}: choose a port above 1024."
        elif exc.errno == errno.EADDRNOTAVAIL:
            message = f"{host} is not an address of this machine: choose another --host."
        else:
            message = f"Cannot listen on {host}:{port}: {exc.strerror or exc}."
        raise ServeError(message) from None
    return sock


def _socket(
    family: int, kind: int, proto: int, address: Any, *, shared: bool, listen: bool = True
) -> socket.socket:
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        if listen:
            sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _listeners(sock: socket.socket, workers: int) -> list[socket.socket]:
    """The socket each worker takes connections from: `sock` for all, or, where `bind` made it
    the first of their listeners (see `BALANCED_WORKERS`), one each."""
    if not BALANCED_WORKERS or not sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT):
        return [sock] * workers
    listeners = [sock]
    try:
        for _ in range(workers - 1):
            listeners.append(
                _socket(sock.family, sock.type, sock.proto, sock.getsockname(), shared=True)
            )
    except OSError:
        for listener in listeners[1:]:
            listener.close()
        raise
    return listeners


def base_url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/v1"


def _config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=HeadersInTime,
        lifespan="off",
        # Quiet: a training server's terminal shows where to connect and real problems only.
        log_level="warning",
        access_log=False,
        # Longer than the client's 5 s keep-alive, so an idle connection is always closed by the
        # client, never under a change the client is just sending.
        timeout_keep_alive=30,
        server_header=False,
    )


def served_names(host: str, more: Iterable[str] = ()) -> set[str]:
    """The names a request's Host may give (any address is fine too): localhost, this
    machine's own names, the --host given if it is a name, and those configured."""
    names = {"localhost", *more}
    with contextlib.suppress(OSError):
        names |= {socket.gethostname(), socket.getfqdn()}
    if host and not host.replace(".", "").isdigit() and ":" not in host:
        names.add(host)
    return {name.lower() for name in names if name}


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    warehouse: MemoryWarehouse | None = None,
    api_key: str | None = None,
    *,
    sock: socket.socket | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    host_names: Iterable[str] = (),
    origins: Iterable[str] = (),
    workers: int = 1,
) -> int:
    """Serve `warehouse` until interrupted. Raises `ServeError` when it cannot listen.

    `sock` is a socket already made by `bind(host, port, workers=workers)`: the CLI binds
    before building a big demo warehouse, so a port in use is reported at once.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    sock = sock if sock is not None else bind(host, port, workers=workers)
    warehouse = warehouse if warehouse is not None else MemoryWarehouse.demo()
    url = base_url(sock, host)
    if not api_key and not is_loopback(host):
        print(
            f"warning: serving on {host} without --api-key: anyone who can reach this port can "
            "read and change the training warehouse.",
            file=err,
        )
    print(f"Serving the warehouse at {url}", file=out)
    hint = f"  point a console at it:  warehouse-console --api-url {url}"
    if api_key:
        hint += "   (with PX_API_KEY set to the server's key)"
    print(hint, file=out)
    if host in ("0.0.0.0", "::", ""):
        print(
            f"  listening on every address: other machines use http://<this machine>:"
            f"{sock.getsockname()[1]}/v1",
            file=out,
        )
    if workers > 1:
        print(f"  {workers} worker processes share the warehouse's file", file=out)
    print("  stop with Ctrl+C", file=out, flush=True)
    names = served_names(host, host_names)
    if workers > 1:
        warehouse.disconnect()

    def worker_app() -> Starlette:
        if workers > 1:
            warehouse.reconnect()
        return create_app(warehouse, api_key, host_names=names, origins=origins)

    # Building the warehouse and its search index freed much of what it made, which the C
    # library would keep for the server's whole life, and each forked worker would start as
    # large as the build's peak (figures in docs/api.md, "What a warehouse takes in memory").
    give_back_freed_memory()
    # What the server holds for its whole life (the warehouse, its index, the modules) is kept
    # out of collections: a full one walked it all, 1.6 s at 100,000 items with every request
    # held meanwhile, and in a forked worker it would have written to every page it shares
    # with the others (Python's gc documentation: freeze right before fork).
    gc.freeze()
    try:
        serve_app(worker_app, sock, workers=workers)
    except KeyboardInterrupt:
        pass  # Ctrl+C is how a training server is meant to stop
    finally:
        sock.close()
    return 0


# A worker ending within this many seconds of its start ended as it started; so many of them
# in a row, and the server stops rather than start them for ever.
WORKER_START_SECONDS = 5.0
WORKER_START_TRIES = 3
WORKER_SWITCH_SECONDS = 0.0002


def serve_app(make_app: Callable[[], Starlette], sock: socket.socket, *, workers: int = 1) -> None:
    """Serve the app `make_app` makes on `sock` until interrupted: in this process, or in
    `workers` processes forked from it, each making its own app (and whatever connections it
    holds) after the fork and taking connections from the one socket (or, where `bind` made it
    the first of the workers' listeners, from one of its own: `_listeners`). A worker that dies
    is replaced, on its listener."""
    if workers <= 1:
        uvicorn.Server(_config(make_app())).run(sockets=[sock])
        return
    if not hasattr(os, "fork"):
        raise ServeError("Several workers need a system that can fork (Linux, macOS): use one.")
    try:
        listeners = _listeners(sock, workers)
    except OSError as exc:
        raise ServeError(f"Cannot listen for {workers} workers: {exc.strerror or exc}.") from None
    children: dict[int, tuple[float, int]] = {}  # pid: when it started, its listener
    stopping = False
    failed_at_start = 0  # workers in a row that ended within their first seconds
    # Only this process holds the pipe's writing end: when it ends, however it ends (kill -9
    # included), each worker reads the end of the pipe and stops, rather than serve on alone.
    alive, alive_writer = os.pipe()

    def start_worker(slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: uvicorn sets its own handlers for these as it starts
            for sig in previous:
                signal.signal(sig, signal.SIG_DFL)
            os.close(alive_writer)
            # A worker waits for its turn to write in a thread (MemoryWarehouse._next_batch),
            # which, once it has the turn, needs the interpreter back from the busy event
            # loop: at the default 5 ms switch interval it held the turn that long, and the
            # other workers waited behind it (updates fell from 2,000/s to 800/s, p95 from 8
            # to 50 ms).
            sys.setswitchinterval(WORKER_SWITCH_SECONDS)
            code = 1
            try:
                server = uvicorn.Server(_config(make_app()))
                threading.Thread(
                    target=_stop_with_parent, args=(server, alive), daemon=True
                ).start()
                server.run(sockets=[listeners[slot]])
                code = 0
            except KeyboardInterrupt:
                code = 0
            except BaseException:
                log.exception("a server worker failed")
            finally:
                os._exit(code)
        children[pid] = (time.monotonic(), slot)

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for slot in range(workers):
            start_worker(slot)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid not in children:
                continue  # not a worker of ours: nothing to replace
            started, slot = children.pop(pid)
            if stopping:
                continue
            young = time.monotonic() - started < WORKER_START_SECONDS
            failed_at_start = failed_at_start + 1 if young else 0
            if failed_at_start >= WORKER_START_TRIES:
                stop(signal.SIGTERM, None)
                raise ServeError(
                    f"{failed_at_start} workers in a row ended as they started "
                    f"({_ended(status)}): see the messages above."
                )
            log.warning("server worker %d ended (%s): starting another", pid, _ended(status))
            time.sleep(0.5)  # a worker failing at start must not spin the machine
            start_worker(slot)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        os.close(alive)
        os.close(alive_writer)
        for listener in set(listeners) - {sock}:
            listener.close()


def _stop_with_parent(server: uvicorn.Server, alive: int) -> None:
    """In a worker: stop serving once the process that forked it has ended."""
    while os.read(alive, 1):
        pass
    log.warning("the server's main process ended: worker %d stops", os.getpid())
    server.should_exit = True


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


class ServerThread:
    """The real server on loopback in a background thread (tests, benchmarks)."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._sock = bind(host, port)
        self.url = base_url(self._sock, host)
        self.port: int = self._sock.getsockname()[1]
        self._server = uvicorn.Server(_config(app))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server thread did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
