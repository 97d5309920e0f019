"""The yardstick for the serving benchmark: a hello-world Starlette endpoint, served by the same
uvicorn set-up as `warehouse-console serve` (same protocol, same socket, same worker processes),
so that what the warehouse's server adds is all that differs.

Run: ``python -m tests.benchmarks.hello_server [--port 0] [--workers N]``
"""

from __future__ import annotations

import argparse
import contextlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from console.server.runner import bind, serve_app


async def hello(request: Request) -> Response:
    return JSONResponse({"hello": "world"})


def hello_app() -> Starlette:
    return Starlette(routes=[Route("/hello", hello, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sock = bind("127.0.0.1", args.port, workers=args.workers)
    print(f"Serving hello at http://127.0.0.1:{sock.getsockname()[1]}/hello", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # how the benchmark stops it
        serve_app(hello_app, sock, workers=args.workers)


if __name__ == "__main__":
    main()
