"""A real Directus for the tests and for trying the console: installed once per machine, its
traceability collections (`lot`, `product`, `location`) made through Directus's schema API.

    python -m scripts.directus install            # npm install into the cache (once per machine)
    python -m scripts.directus serve [--port 8055] [--lots N]
                                                  # a Directus with N demo lots, until Ctrl-C

Directus is installed from the npm registry (about 700 MB, a few minutes) into a cache directory
outside the clone, ``$WAREHOUSE_CONSOLE_DIRECTUS_CACHE`` or the user's cache directory, so later runs on
the same machine reuse it and a fresh machine still gets it. Each run gets its own SQLite file,
copied from a template made once per cache (bootstrap, then the schema): a test run starts in a
few seconds, never on another run's data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import platformdirs

VERSION = "12.4.0"  # 12.4.1 does not install from the registry here
# Bumped whenever the collections below change: the template database is made again.
SCHEMA_VERSION = "1"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "directus-admin-for-tests"  # a throwaway instance on loopback only
TOKEN = "warehouse-console-test-token"  # the admin's static token on that instance
START_TIMEOUT = 60.0


class DirectusMissing(RuntimeError):
    """Directus cannot be installed or started here; the message says why."""


def cache_dir() -> Path:
    root = os.environ.get("WAREHOUSE_CONSOLE_DIRECTUS_CACHE") or platformdirs.user_cache_dir(
        "warehouse-console"
    )
    return Path(root) / f"directus-{VERSION}"


def executable(cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / "node_modules" / ".bin" / "directus"


def installed(cache: Path | None = None) -> bool:
    package = (cache or cache_dir()) / "node_modules" / "directus" / "package.json"
    try:
        return json.loads(package.read_text())["version"] == VERSION
    except (OSError, ValueError, KeyError):
        return False


def node_problem() -> str | None:
    """Why Directus cannot run here, or None."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Directus {VERSION} is a Node.js program)"
    return None


def install(cache: Path | None = None) -> Path:
    """Directus in the cache: installed unless it already is. Into a fresh folder first, so
    an interrupted install never leaves a half-installed one in place."""
    cache = cache or cache_dir()
    if installed(cache):
        return cache
    problem = node_problem()
    if problem:
        raise DirectusMissing(problem)
    cache.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix="installing-", dir=cache.parent))
    (fresh / "package.json").write_text('{"name": "directus-for-tests", "private": true}\n')
    print(f"Installing Directus {VERSION} into {cache} (about 700 MB, a few minutes)…")
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"directus@{VERSION}"],
        cwd=fresh,
    )
    if done.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        raise DirectusMissing(f"npm install directus@{VERSION} failed (exit {done.returncode})")
    shutil.rmtree(cache, ignore_errors=True)
    fresh.rename(cache)
    return cache


# -- the schema ------------------------------------------------------------------------------


def _field(name: str, kind: str, **meta: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if kind == "decimal":
        schema = {"numeric_precision": 12, "numeric_scale": 2}
    return {"field": name, "type": kind, "meta": meta or None, "schema": schema}


def _string_key(name: str = "id") -> dict[str, Any]:
    return {
        "field": name,
        "type": "string",
        "meta": {"hidden": False},
        "schema": {"is_primary_key": True, "length": 255, "has_auto_increment": False},
    }


COLLECTIONS: list[dict[str, Any]] = [
    {
        "collection": "location",
        "schema": {},
        "meta": {"icon": "factory", "note": "Where lots are produced (GS1 GLN)"},
        "fields": [
            _string_key(),  # "/414/<GLN>", as the traceability platform names them
            _field("location_name", "string"),
            _field("gln", "string"),
        ],
    },
    {
        "collection": "product",
        "schema": {},
        "meta": {"icon": "inventory_2"},
        "fields": [
            _string_key(),  # "/01/<GTIN-14>"
            _field("product_name", "string"),
            _field("gtin", "string"),
            _field("digital_link", "string"),
        ],
    },
    {
        "collection": "lot",
        "schema": {},
        "meta": {"icon": "inventory", "sort_field": None},
        "fields": [
            {
                "field": "id",
                "type": "uuid",
                "meta": {"special": ["uuid"], "readonly": True, "hidden": True},
                "schema": {"is_primary_key": True, "length": 36, "has_auto_increment": False},
            },
            _field("lot_number", "string"),
            _field("production_date", "date"),
            _field("expiry_date", "date"),
            _field("best_before_date", "date"),
            _field("sell_by_date", "date"),
            _field("digital_link", "string"),
            _field("quantity", "decimal"),
            {
                "field": "status",
                "type": "string",
                "meta": None,
                "schema": {"default_value": "draft", "is_nullable": False},
            },
            _field("uom", "string"),
            _field("production_location", "string", special=["m2o"]),
            _field("product", "string", special=["m2o"]),
            _field("date_created", "timestamp", special=["date-created"], readonly=True),
            _field("date_updated", "timestamp", special=["date-updated"], readonly=True),
        ],
    },
]

RELATIONS: list[dict[str, Any]] = [
    {"collection": "lot", "field": "product", "related_collection": "product"},
    {"collection": "lot", "field": "production_location", "related_collection": "location"},
]


def create_schema(client: httpx.Client) -> None:
    """The three collections and the lot's two relations, through the schema API."""
    for collection in COLLECTIONS:
        _ok(client.post("/collections", json=collection), f"creating {collection['collection']}")
    for relation in RELATIONS:
        body = relation | {"schema": {"on_delete": "SET NULL"}}
        _ok(client.post("/relations", json=body), f"relating lot.{relation['field']}")


def _ok(response: httpx.Response, doing: str) -> Any:
    if response.status_code >= 300:
        raise DirectusMissing(f"Directus refused {doing}: {response.status_code} {response.text}")
    return response.json().get("data") if response.content else None


# -- running it ------------------------------------------------------------------------------


@dataclass
class Running:
    url: str
    token: str
    process: subprocess.Popen[bytes]
    folder: Path

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60.0,
            trust_env=False,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(folder: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "ADMIN_"))}
    env.update(
        {
            "DB_CLIENT": "sqlite3",
            "DB_FILENAME": str(folder / "data.db"),
            "KEY": "warehouse-console-tests-key-0123456789",
            "SECRET": "warehouse-console-tests-secret-0123456789abcdef",
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "ADMIN_TOKEN": TOKEN,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "TELEMETRY": "false",
            "LOG_LEVEL": "warn",
            "STORAGE_LOCATIONS": "local",
            "STORAGE_LOCAL_ROOT": str(folder / "uploads"),
            "EXTENSIONS_PATH": str(folder / "extensions"),
            # the tests and the benchmark call it far faster than a person would
            "RATE_LIMITER_ENABLED": "false",
            "CACHE_ENABLED": "false",
            "QUERY_LIMIT_MAX": "1000",
        }
    )
    return env


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise DirectusMissing(f"Directus ended at start:\n{log.read_text()[-2000:]}")
            try:
                if client.get(f"{url}/server/ping").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise DirectusMissing(f"Directus did not answer within {START_TIMEOUT:g} s")


def _launch(folder: Path, port: int) -> Running:
    for sub in ("uploads", "extensions"):
        (folder / sub).mkdir(exist_ok=True)
    log = folder / "directus.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(executable()), "start"],
            cwd=folder,
            env=_environment(folder, port),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
    except BaseException:
        _stop(process)
        raise
    return Running(url, TOKEN, process, folder)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def template() -> Path:
    """A database with the admin, its token and the three collections, made once per cache
    (by one process: test workers starting together wait for the first)."""
    import fcntl

    made = cache_dir() / f"template-schema-{SCHEMA_VERSION}.db"
    if made.exists():
        return made
    with (cache_dir() / "template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            _make_template(made)
    return made


def _make_template(made: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="directus-template-") as work:
        folder = Path(work)
        boot = subprocess.run(
            [str(executable()), "bootstrap"],
            cwd=folder,
            env=_environment(folder, free_port()),
            capture_output=True,
        )
        if boot.returncode != 0:
            raise DirectusMissing(f"directus bootstrap failed: {boot.stdout[-2000:]!r}")
        running = _launch(folder, free_port())
        try:
            with running.client() as client:
                create_schema(client)
        finally:
            _stop(running.process)
        partial = made.with_suffix(".partial")
        shutil.copyfile(folder / "data.db", partial)
        partial.rename(made)


@contextlib.contextmanager
def running(folder: Path | None = None, port: int | None = None) -> Iterator[Running]:
    """A Directus of its own (a copy of the template) on a free loopback port, until the end of
    the block."""
    problem = node_problem()
    if problem:
        raise DirectusMissing(problem)
    if not installed():
        raise DirectusMissing(
            f"Directus {VERSION} is not installed in {cache_dir()}: run "
            "`python -m scripts.directus install`"
        )
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="directus-")))
        shutil.copyfile(template(), folder / "data.db")
        instance = _launch(folder, port or free_port())
        stack.callback(_stop, instance.process)
        yield instance


# -- demo data -------------------------------------------------------------------------------

PRODUCTS = [
    ("09506000134352", "Organic oat drink 1 l"),
    ("09506000134369", "Greek yoghurt 500 g"),
    ("09506000134376", "Smoked salmon 200 g"),
    ("09506000134383", "Free-range eggs, 10"),
    ("09506000134390", "Cold-pressed apple juice 750 ml"),
]
PLACES = [("4444444100012", "Dairy plant Nord"), ("4444444100029", "Smokehouse Bay")]


def add_demo_lots(client: httpx.Client, count: int, *, today: date | None = None) -> None:
    """Products, production locations and `count` lots with dates around today."""
    today = today or date.today()
    _ok(
        client.post(
            "/items/location",
            json=[{"id": f"/414/{gln}", "location_name": n, "gln": gln} for gln, n in PLACES],
        ),
        "adding locations",
    )
    _ok(
        client.post(
            "/items/product",
            json=[
                {
                    "id": f"/01/{gtin}",
                    "product_name": name,
                    "gtin": gtin,
                    "digital_link": f"https://id.gs1.org/01/{gtin}",
                }
                for gtin, name in PRODUCTS
            ],
        ),
        "adding products",
    )
    lots = []
    for n in range(count):
        gtin, _name = PRODUCTS[n % len(PRODUCTS)]
        made = today - timedelta(days=30 - (n * 7) % 40)
        expires = made + timedelta(days=10 + (n * 13) % 90)
        number = f"L{made:%y%m%d}-{n:05d}"
        lots.append(
            {
                "lot_number": number,
                "product": f"/01/{gtin}",
                "production_location": f"/414/{PLACES[n % len(PLACES)][0]}",
                "production_date": made.isoformat(),
                "expiry_date": expires.isoformat(),
                "best_before_date": (expires - timedelta(days=3)).isoformat() if n % 3 else None,
                "sell_by_date": (expires - timedelta(days=5)).isoformat() if n % 4 == 0 else None,
                "digital_link": f"https://id.gs1.org/01/{gtin}/10/{number}",
                "quantity": str(20 + (n * 37) % 400),
                "uom": "EA",
                "status": "published" if n % 5 else "draft",
            }
        )
    for start in range(0, len(lots), 500):
        _ok(client.post("/items/lot", json=lots[start : start + 500]), "adding lots")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.directus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help=f"install Directus {VERSION} into the cache")
    serve = commands.add_parser("serve", help="run a Directus with demo lots until Ctrl-C")
    serve.add_argument("--port", type=int, default=8055)
    serve.add_argument("--lots", type=int, default=60, help="demo lots (default 60)")
    args = parser.parse_args(argv)
    try:
        install()
        if args.command == "install":
            template()
            print(f"Directus {VERSION} is ready in {cache_dir()}.")
            return 0
        with running(port=args.port) as instance:
            with instance.client() as client:
                add_demo_lots(client, args.lots)
            print(f"Directus at {instance.url}, token {instance.token} ({args.lots} lots)")
            print("  DIRECTUS_TOKEN=... warehouse-console --backend directus --api-url URL")
            with contextlib.suppress(KeyboardInterrupt):
                instance.process.wait()
    except DirectusMissing as problem:
        print(f"Directus: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
