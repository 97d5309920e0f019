"""byrd's rules a client must keep, against the byrd-shaped server: a token that lasts days,
kept where only the user reads it, refreshed before it expires; few logins a minute, counted
across restarts; pages from 0; stock per warehouse, or `{}` for an account with one."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from console.backends.byrd.client import LOGINS_PER_MINUTE, lot_from_byrd
from console.domain.errors import Forbidden, RateLimited, Unauthorized, Unavailable
from console.domain.queries import LotQuery
from tests.byrd_server import demo_world
from tests.lot_systems import spec
from tests.lot_systems.conftest import byrd_backend

DAY = 86_400


class Clock:
    """The time both sides read: moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(clock: Clock) -> Any:
    return spec.byrd_world(clock=clock)


@pytest.fixture
async def connect(
    byrd_server: Any, world: Any, tmp_path: Path, clock: Clock
) -> AsyncIterator[Callable[..., Any]]:
    made: list[Any] = []

    def backend(**options: Any) -> Any:
        options.setdefault("clock", clock)
        client = byrd_backend(byrd_server, world, tmp_path, **options)
        made.append(client)
        return client

    yield backend
    for client in made:
        await client.aclose()


def token_file(folder: Path) -> tuple[int, str]:
    """The mode and text of the one token file in `folder`."""
    (kept,) = folder.glob("byrd-*.json")
    return stat.S_IMODE(kept.stat().st_mode), kept.read_text()


async def lots(backend: Any, **query: Any) -> list[str | None]:
    return [lot.number for lot in (await backend.list_lots(LotQuery(**query))).data]


async def test_the_token_is_kept_for_the_user_alone_and_a_second_console_uses_it(
    connect: Any, world: Any, tmp_path: Path
) -> None:
    first = connect()
    assert await lots(first, limit=1) == ["LB-300"]
    mode, text = token_file(tmp_path)
    assert mode == 0o600
    assert "byrd-test-secret" not in text, "the secret is never written down"
    second = connect()
    assert await lots(second, limit=1) == ["LB-300"]
    assert len(world.logins) == 1, "the second console took the token on file"


async def test_the_token_is_refreshed_before_it_expires_and_a_lapsed_one_replaced(
    connect: Any, world: Any, clock: Clock
) -> None:
    backend = connect()
    await lots(backend)
    clock.now += 5 * DAY  # two of seven days left: still good
    await lots(backend)
    assert (len(world.logins), world.refreshes) == (1, 0)
    clock.now += 1.5 * DAY  # half a day left: refreshed, no new login
    await lots(backend)
    assert (len(world.logins), world.refreshes) == (1, 1)
    clock.now += 30 * DAY  # long expired: a login
    assert await lots(backend, limit=2) == ["LB-300", "LA-100"]
    assert (len(world.logins), world.refreshes) == (2, 1)


async def test_consoles_on_one_account_take_each_others_fresh_token_before_logging_in(
    connect: Any, world: Any, clock: Clock
) -> None:
    first, second = connect(), connect()
    await lots(first)
    await lots(second)
    clock.now += 6.5 * DAY  # half a day left: both are due for a refresh
    await lots(first)  # refreshed: byrd stops taking the old token
    await lots(second)  # its refresh refused: it takes the first console's new token
    assert (len(world.logins), world.refreshes) == (1, 1)
    third = connect()
    world.revoked.update(world.issued)
    await lots(third)  # logs in afresh
    assert await lots(second, limit=1) == ["LB-300"]  # its token refused: the third's is on file
    assert len(world.logins) == 2


async def test_a_token_without_access_is_said_and_not_replaced(connect: Any, world: Any) -> None:
    backend = connect()
    await lots(backend)
    world.forbidden = True
    for _ in range(LOGINS_PER_MINUTE + 1):
        with pytest.raises(Forbidden, match=r"not allowed to do this \(HTTP 403: This account"):
            await lots(backend)
    assert len(world.logins) == 1, "a 403 is no reason to log in again"


async def test_a_refused_login_never_shows_the_key_or_secret(
    byrd_server: Any, world: Any, tmp_path: Path
) -> None:
    from console.backends.byrd import ByrdBackend

    byrd_server.app.state.world = world
    world.careless = True  # the refusal echoes what was sent
    backend = ByrdBackend(
        f"http://127.0.0.1:{byrd_server.port}/v2",
        "byrd-test-key",
        "not-the-secret",
        token_dir=tmp_path,
    )
    with pytest.raises(Unauthorized) as refused:
        await lots(backend)
    said = str(refused.value)
    assert said.startswith("byrd refused the API key and secret (HTTP 401)")
    assert "byrd-test-key" not in said and "not-the-secret" not in said
    await backend.aclose()


def test_a_login_request_does_not_show_its_password() -> None:
    from console.backends.http.transport import Call

    login = Call("POST", "/login", "logging in", "the login", body={"password": "a-secret"})
    assert "a-secret" not in repr(login)


async def test_a_token_byrd_stops_taking_is_replaced_once(connect: Any, world: Any) -> None:
    backend = connect()
    await lots(backend)
    world.revoked.update(world.issued)  # byrd stops taking every token it gave
    assert await lots(backend, limit=1) == ["LB-300"]
    assert len(world.logins) == 2


async def test_logins_are_few_a_minute_even_across_restarts(
    byrd_server: Any, world: Any, tmp_path: Path, clock: Clock
) -> None:
    from console.backends.byrd import ByrdBackend

    def wrong() -> ByrdBackend:
        byrd_server.app.state.world = world
        return ByrdBackend(
            f"http://127.0.0.1:{byrd_server.port}/v2",
            "byrd-test-key",
            "not-the-secret",
            token_dir=tmp_path,
            clock=clock,
        )

    for _ in range(LOGINS_PER_MINUTE):
        backend = wrong()  # a console started again after each refusal
        with pytest.raises(Unauthorized):
            await lots(backend)
        await backend.aclose()
    backend = wrong()
    with pytest.raises(RateLimited, match="Wait 60 s"):
        await lots(backend)
    assert len(world.logins) == LOGINS_PER_MINUTE, "byrd never saw the fourth"
    assert world.blocked_until == 0, "and never blocked the client"
    clock.now += 61
    with pytest.raises(Unauthorized):
        await lots(backend)  # a minute later it may try again
    await backend.aclose()


async def test_pages_count_from_zero_and_ask_for_stock_per_warehouse(
    connect: Any, world: Any
) -> None:
    backend = connect()
    await backend.list_lots(LotQuery(limit=2, page=1))
    await backend.list_lots(LotQuery(limit=2, page=3))
    assert [(a["page"], a["per_page"]) for a in world.asked] == [("0", "2"), ("2", "2")]
    assert world.asked[0]["warehouse_details"] == "true"
    assert world.asked[0]["sort_by"] == "expiryDate"
    first = (await backend.list_lots(LotQuery(limit=1))).data[0]
    assert [
        (w.code, w.physical_qty, w.reserved_qty, w.available_qty) for w in first.warehouses
    ] == [
        ("TST", 7, 1, 6),
        ("TES", 3, 0, 3),
    ]
    assert (first.total_qty, first.reserved_qty, first.available_qty) == (10, 1, 9)


async def test_one_warehouse_answers_empty_braces(byrd_server: Any, tmp_path: Path) -> None:
    world = demo_world(lots=3, one_warehouse=True)
    backend = byrd_backend(byrd_server, world, tmp_path)
    page = await backend.list_lots(LotQuery(limit=3))
    assert [lot.warehouses for lot in page.data] == [[], [], []]
    assert all(lot.total_qty > 0 for lot in page.data)
    await backend.aclose()


async def test_a_packaging_units_barcode_finds_its_product(connect: Any) -> None:
    backend = connect()
    found = await backend.find_item(spec.OAT.case_barcode)
    assert found is not None and found.id == "prod-oat"
    assert "19506000134359 ×12" in found.metadata["packaging units"]


async def test_an_answer_of_the_wrong_shape_is_refused_in_words(connect: Any, world: Any) -> None:
    world.lots[0]["physicalStock"] = "plenty"
    backend = connect()
    with pytest.raises(Unavailable, match="could not be read: a stock of 'plenty'"):
        await backend.list_lots(LotQuery(limit=10))


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"physicalStock": "1e400"}, "a stock of '1e400' is not a count"),
        ({"physicalStock": float("nan")}, "is not a count"),
        ({"expiryDate": "31.12.2030"}, "'31.12.2030' is not a date"),
    ],
)
def test_a_lot_with_no_date_or_count_where_one_belongs_is_unreadable(
    record: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        lot_from_byrd({"id": "lot-1", "lotNumber": "L-1"} | record)


async def test_no_credentials_say_where_to_put_them(byrd_server: Any, world: Any) -> None:
    from console.backends.byrd import ByrdBackend

    byrd_server.app.state.world = world
    backend = ByrdBackend(f"http://127.0.0.1:{byrd_server.port}/v2", None, "a-secret-value")
    with pytest.raises(Unauthorized, match="BYRD_API_KEY and BYRD_API_SECRET"):
        await backend.list_lots()
    assert "a-secret-value" not in repr(backend)
    assert world.logins == []
    await backend.aclose()
