"""`warehouse-console`: start the console (demo warehouse or an API), or serve a warehouse.

    warehouse-console [--backend packagex|directus|byrd] [--api-url URL] [--config PATH]
                      [--location ID] [--no-bell] [--no-flash] [--allow-insecure-http]
                      [--demo-items N] [--seed S]
    warehouse-console serve [--host 127.0.0.1] [--port 8765] [--demo-items N] [--seed S]
                            [--data PATH [--workers N]] [--api-key-file PATH]
                            [--allow-host NAME] [--allow-origin URL]

Without an API URL (flag, PX_API_URL or config file) the console runs on the in-memory demo
warehouse. `--backend directus` and `--backend byrd` browse the lots of those systems; their
credentials come from the environment or the config file only (console/config.py). The server's key comes from --api-key-file, WAREHOUSE_SERVER_API_KEY or --api-key,
deliberately not from PX_API_KEY: an operator's own key must never become a training server's
key by accident.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.backends.memory.warehouse import MemoryWarehouse
    from console.backends.protocol import Backend
    from console.config import Settings

PROG = "warehouse-console"
# Each worker holds the whole warehouse in memory: more than this is a typo, not a plan.
MAX_WORKERS = 64
SERVER_KEY_ENV = "WAREHOUSE_SERVER_API_KEY"
SERVER_EXTRA_HINT = "pip install 'warehouse-console[server]'"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("a port is at most 65535")
    return value


def _workers(text: str) -> int:
    value = _positive(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_WORKERS} workers")
    return value


def _demo_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo-items",
        type=_positive,
        default=2000,
        metavar="N",
        help="items in the demo warehouse (default 2000)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, metavar="S", help="demo data seed (default 7)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Keyboard-first terminal console for warehouse operators.",
        epilog="Without an API URL the console runs on a demo warehouse in memory. "
        "Credentials are never flags: packagex reads PX_API_KEY, directus DIRECTUS_TOKEN, "
        "byrd BYRD_API_KEY and BYRD_API_SECRET (or api_key and api_secret in the config file). "
        "The backend may also come from WAREHOUSE_CONSOLE_BACKEND or backend = in the file.",
    )
    parser.add_argument(
        "--backend",
        choices=("packagex", "directus", "byrd"),
        help="what the API is: a PackageX-style inventory API (default), a Directus "
        "traceability project (lots), or byrd (lots with stock per warehouse, read-only)",
    )
    parser.add_argument(
        "--api-url",
        metavar="URL",
        help="API base URL: packagex ends in /v1 (or PX_API_URL); directus is the project's "
        "URL (or DIRECTUS_URL); byrd defaults to https://api.getbyrd.com/v2 (or BYRD_API_URL)",
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: the user's one)")
    parser.add_argument("--location", metavar="ID", help="location to work in (loc_...)")
    parser.add_argument(
        "--no-bell", action="store_true", help="never ring the terminal bell on errors"
    )
    parser.add_argument(
        "--no-flash",
        action="store_true",
        help="never flash the message line (it flashes once for a success, twice for an error)",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow sending the key over plain http:// to another machine",
    )
    _demo_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="{serve}")
    serve = commands.add_parser(
        "serve",
        help="serve a demo warehouse over HTTP for several consoles",
        description="Serve an in-memory demo warehouse over the API, for training.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any)")
    serve.add_argument(
        "--api-key",
        metavar="KEY",
        help=f"key clients must send; prefer {SERVER_KEY_ENV} (a flag shows in ps). "
        "Without one, no key is needed",
    )
    serve.add_argument(
        "--api-key-file",
        metavar="PATH",
        help="file holding the key clients must send (one line; readable by you alone)",
    )
    serve.add_argument(
        "--data",
        metavar="PATH",
        help="keep the warehouse in this SQLite file (a missing file gets the demo warehouse); "
        "without it the warehouse lives in memory and ends with the server",
    )
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="serve with N processes (default 1); needs --data, the file they share",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a name clients reach this server by (beside its addresses, localhost and this "
        "machine's name); repeatable",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help="a web page allowed to call the API (default: none); repeatable",
    )
    _demo_options(serve)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        sys.exit(run_serve(args))
    sys.exit(run_console_command(args))


def demo_warehouse(items: int, seed: int) -> MemoryWarehouse:
    """The demo warehouse as the console and the server start it: from a snapshot when an
    earlier start left one (see console/backends/memory/demo_store.py)."""
    from console.backends.memory.demo_store import cache_dir
    from console.backends.memory.warehouse import MemoryWarehouse

    return MemoryWarehouse.demo(items, seed, snapshots=cache_dir())


def server_key(path: str | None, from_env: str | None, from_flag: str | None) -> str | None:
    """The server's key: from the file, else the environment, else the flag. A key with
    whitespace around it is refused (it would never match what a client sends), as is an
    unreadable or empty file; a file's final line end is not part of the key."""
    if path is not None:
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read the key file {path}: {exc}") from None
        key, where = text.removesuffix("\n").removesuffix("\r"), f"the key file {path}"
        if not key:
            raise ValueError(f"the key file {path} is empty")
    elif from_env:
        key, where = from_env, SERVER_KEY_ENV
    elif from_flag:
        key, where = from_flag, "--api-key"
    else:
        return None
    if key != key.strip() or any(ch.isspace() for ch in key):
        raise ValueError(f"the key in {where} has spaces or line ends in it: remove them")
    return key


def served_warehouse(args: argparse.Namespace) -> MemoryWarehouse:
    """The warehouse `serve` shares, indexed for search and sorted for listing before the
    first request."""
    warehouse = _served_warehouse(args)
    print("Indexing the items for search and listing...", flush=True)
    warehouse.index_for_search()
    warehouse.prepare_listings()
    return warehouse


def _served_warehouse(args: argparse.Namespace) -> MemoryWarehouse:
    """From its data file (made from the demo when missing), or the demo in memory."""
    from pathlib import Path

    from console.backends.memory.demo_store import cache_dir
    from console.backends.memory.warehouse import MemoryWarehouse

    if args.data is None:
        print(
            f"Building the demo warehouse ({args.demo_items} items, seed {args.seed})...",
            flush=True,
        )
        return demo_warehouse(args.demo_items, args.seed)
    path = Path(args.data).expanduser()
    if path.exists():
        print(f"Reading the warehouse from {path}...", flush=True)
    else:
        print(
            f"Creating {path} with the demo warehouse ({args.demo_items} items, seed "
            f"{args.seed})...",
            flush=True,
        )
    return MemoryWarehouse.on_disk(
        path, items=args.demo_items, seed=args.seed, snapshots=cache_dir()
    )


def run_serve(args: argparse.Namespace) -> int:
    from console.backends.memory.disk import DataFileError

    try:
        from console.server import ServeError, bind, serve
    except ModuleNotFoundError as exc:
        if exc.name in ("starlette", "uvicorn"):
            print(
                f"{PROG} serve needs the server extra ({exc.name} is missing): {SERVER_EXTRA_HINT}",
                file=sys.stderr,
            )
            return 2
        raise
    try:
        api_key = server_key(args.api_key_file, os.environ.get(SERVER_KEY_ENV), args.api_key)
    except ValueError as exc:
        print(f"{PROG} serve: {exc}", file=sys.stderr)
        return 2
    if args.workers > 1 and args.data is None:
        print(
            f"{PROG} serve: --workers {args.workers} needs --data PATH: workers share one "
            "warehouse through its file (without one, each would serve a warehouse of its own).",
            file=sys.stderr,
        )
        return 2
    try:
        # Bound before the demo is built, so a port in use is reported at once.
        sock = bind(args.host, args.port, workers=args.workers)
    except ServeError as exc:
        print(f"{PROG} serve: {exc}", file=sys.stderr)
        return 1
    try:
        warehouse = served_warehouse(args)
    except DataFileError as exc:
        print(f"{PROG} serve: {exc}", file=sys.stderr)
        sock.close()
        return 2
    try:
        return serve(
            args.host,
            args.port,
            warehouse,
            api_key,
            sock=sock,
            host_names=args.allow_host,
            origins=args.allow_origin,
            workers=args.workers,
        )
    except KeyboardInterrupt:
        return 0
    except ServeError as exc:
        print(f"{PROG} serve: {exc}", file=sys.stderr)
        return 1
    finally:
        sock.close()
        warehouse.close()


def build_backend(settings: Settings, args: argparse.Namespace) -> Backend:
    """The backend the settings ask for: a PackageX-style API when there is an API URL (else
    the demo), or the Directus or byrd lots."""
    if settings.backend == "packagex" and not settings.api_url:
        return demo_warehouse(args.demo_items, args.seed)
    # Imported only here: the demo needs no HTTP client, and httpx costs start-up time.
    from console.backends.http import ClientConfigError, HttpBackend
    from console.config import ConfigError, state_dir

    timeouts: dict[str, Any] = {
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "allow_insecure_http": settings.allow_insecure_http,
    }
    try:
        if settings.backend == "directus":
            from console.backends.directus import DirectusBackend

            if not settings.api_url:
                raise ConfigError(
                    "--backend directus needs the project's URL: --api-url, DIRECTUS_URL or "
                    "api_url in config.toml."
                )
            return DirectusBackend(settings.api_url, settings.api_key, **timeouts)
        if settings.backend == "byrd":
            from console.backends.byrd import ByrdBackend

            return ByrdBackend(
                settings.api_url,
                settings.api_key,
                settings.api_secret,
                token_dir=state_dir(),
                **timeouts,
            )
        assert settings.api_url is not None
        return HttpBackend(settings.api_url, settings.api_key, **timeouts)
    except ClientConfigError as exc:
        raise ConfigError(str(exc)) from exc


def run_console_command(args: argparse.Namespace, **run_options: Any) -> int:
    """The console until the operator quits. `run_options` go to Textual's `App.run` (the
    start-up benchmark runs the console headless, exactly as this command starts it)."""
    # pydantic looks for its plugins (tracing hooks the console has no use for) by reading the
    # metadata of every installed package when it first validates: milliseconds per hundred
    # packages at every start. An explicit PYDANTIC_DISABLE_PLUGINS (even empty) is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from console.config import ConfigError, load_settings

    cli = {
        "backend": args.backend,
        "api_url": args.api_url,
        "location_id": args.location,
        "bell": False if args.no_bell else None,
        "flash": False if args.no_flash else None,
        "allow_insecure_http": True if args.allow_insecure_http else None,
    }
    try:
        settings, warnings = load_settings(cli, config_path=args.config)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        backend = build_backend(settings, args)
    except ConfigError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    from console.ui.app import run_console

    return run_console(
        backend,
        bell=settings.bell,
        flash=settings.flash,
        location_id=settings.location_id,
        keymap=settings.keymap,
        scanner=settings.scanner,
        **run_options,
    )


if __name__ == "__main__":
    main()
