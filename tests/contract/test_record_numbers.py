"""A manifest or an order is found by any of its numbers (this project's extension: `number`
on the list endpoints), so a scan finds one that is not on the first page."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import InvalidInput
from console.domain.queries import FulfillmentQuery, ManifestQuery
from tests.contract.world import BOLT, DAY, MANIFEST, NOW, RENO

SSCC = "376123450000000014"


async def truck(backend: Backend) -> str:
    made = await backend.create_manifest(
        {
            "location_id": RENO,
            "order_number": "PO-7731",
            "tracking_numbers": ["1Z999AA10123456784", f"00{SSCC}"],
            "inventory": [{"item_id": BOLT, "qty": 4}],
        }
    )
    return made.id


@pytest.mark.parametrize("number", ["PO-7731", "po-7731", "1Z999AA10123456784", SSCC, f"00{SSCC}"])
async def test_a_manifest_is_found_by_its_order_tracking_or_pallet_number(
    backend: Backend, number: str
) -> None:
    made = await truck(backend)
    page = await backend.list_manifests(ManifestQuery(location_id=RENO, number=number))
    assert [m.id for m in page.data] == [made]


async def test_a_number_nothing_has_finds_nothing_and_a_blank_one_is_no_filter(
    backend: Backend,
) -> None:
    await truck(backend)
    nothing = await backend.list_manifests(ManifestQuery(number="PO-0000"))
    assert nothing.data == [] and nothing.pagination.total_count == 0
    everything = await backend.list_manifests(ManifestQuery.parse({"number": " "}))
    assert MANIFEST in [m.id for m in everything.data]


async def test_an_order_is_found_by_its_order_number_or_a_number_in_its_metadata(
    backend: Backend,
) -> None:
    made = await backend.create_fulfillment(
        {
            "location_id": RENO,
            "order_number": "SO-4242",
            "complete_at": NOW + DAY,
            "inventory": [{"item_id": BOLT, "qty": 1}],
            "metadata": {"tracking_number": "9400111899223197428490"},
        }
    )
    for number in ("so-4242", "9400111899223197428490", made.id):
        page = await backend.list_fulfillments(FulfillmentQuery(number=number))
        assert [f.id for f in page.data] == [made.id], number


def test_a_number_longer_than_any_is_refused() -> None:
    with pytest.raises(InvalidInput, match="number"):
        ManifestQuery.parse({"number": "9" * 201})
