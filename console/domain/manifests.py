"""Inbound manifests: the status machine and what each step does to inventory.

requested → accepted → processing → completed, or void. Accepting puts the expected units on
the levels as manifested (at the location's no-bin level: they are on their way, not in a bin);
completing takes them off again and puts what was received into verified (damaged into damaged)
at the bin each line was received into; voiding takes off what accepting added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from console.domain.errors import Conflict, FieldError, InvalidInput
from console.domain.levels import LevelPlan
from console.domain.models import Location, Manifest, ManifestLine, ManifestStatus, ReceiptPart
from console.domain.requests import LevelChange, ManifestUpdate, ReceiptPartInput

S = ManifestStatus

TRANSITIONS: Mapping[ManifestStatus, frozenset[ManifestStatus]] = {
    S.REQUESTED: frozenset({S.ACCEPTED, S.VOID}),
    S.ACCEPTED: frozenset({S.PROCESSING, S.COMPLETED, S.VOID}),
    S.PROCESSING: frozenset({S.COMPLETED, S.VOID}),
    S.COMPLETED: frozenset(),
    S.VOID: frozenset(),
}

RECEIVING = frozenset({S.ACCEPTED, S.PROCESSING})


def _change(location_id: str, layout_id: str | None, **quantities: int) -> LevelChange:
    return LevelChange.model_validate(
        {"location_id": location_id, "layout_id": layout_id}
        | {k: v for k, v in quantities.items() if v}
    )


def announce(manifest: Manifest, sign: int = 1) -> LevelPlan:
    """Expected units as manifested (sign=1, on accept) or taken off again (sign=-1)."""
    plan: LevelPlan = defaultdict(list)
    for line in manifest.inventory:
        if line.qty:
            plan[line.item_id].append(
                _change(manifest.location_id, None, manifested_qty=sign * line.qty)
            )
    return dict(plan)


def receive(manifest: Manifest) -> LevelPlan:
    """Complete: manifested comes off; received goes to verified and damaged to damaged, in
    the bin each part of each line went to."""
    plan = announce(manifest, sign=-1)
    for line in manifest.inventory:
        for part in line.received_parts():
            if part.received_qty or part.damaged_qty:
                plan.setdefault(line.item_id, []).append(
                    _change(
                        manifest.location_id,
                        part.layout_id,
                        verified_qty=part.received_qty,
                        damaged_qty=part.damaged_qty,
                    )
                )
    return plan


def lot_receipts(manifest: Manifest) -> dict[str, tuple[int, int]]:
    """Complete: what each lot gains, as (received, damaged) units, from every line's parts."""
    gains: dict[str, tuple[int, int]] = {}
    for line in manifest.inventory:
        for part in line.received_parts():
            if part.lot_id and (part.received_qty or part.damaged_qty):
                received, damaged = gains.get(part.lot_id, (0, 0))
                gains[part.lot_id] = (received + part.received_qty, damaged + part.damaged_qty)
    return gains


def _set_parts(line: ManifestLine, parts: list[ReceiptPartInput]) -> None:
    """The parts named get their counts, the others keep theirs; the line's totals, bin and
    lot follow the parts (the first part's bin and lot, for readers without parts)."""
    counts = {(p.layout_id, p.lot_id): p for p in line.received_parts()}
    for part in parts:
        counts[(part.layout_id, part.lot_id)] = ReceiptPart.model_validate(part.model_dump())
    line.parts = [p for p in counts.values() if p.received_qty or p.damaged_qty]
    line.received_qty = sum(p.received_qty for p in line.parts)
    line.damaged_qty = sum(p.damaged_qty for p in line.parts)
    first = line.parts[0] if line.parts else None
    line.layout_id = first.layout_id if first else line.layout_id
    line.lot_id = first.lot_id if first else line.lot_id


def check_transition(current: ManifestStatus, target: ManifestStatus) -> None:
    if target != current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is closed)"
        raise Conflict(
            f"A {current} manifest cannot become {target}; it can become: {allowed}.",
            [FieldError("status", f"{current} → {target} is not allowed")],
        )


def _record_receipts(manifest: Manifest, update: ManifestUpdate, location: Location) -> None:
    if not update.inventory:
        return
    if manifest.status not in RECEIVING:
        raise Conflict(
            f"Receiving needs an accepted manifest; this one is {manifest.status}.",
            [FieldError("inventory", f"manifest is {manifest.status}")],
        )
    lines = {line.item_id: line for line in manifest.inventory}
    for index, receipt in enumerate(update.inventory):
        if receipt.layout_id is not None and location.layout(receipt.layout_id) is None:
            raise InvalidInput(
                f"Bin {receipt.layout_id} is not a layout of {location.name}.",
                [FieldError(f"inventory.{index}.layout_id", f"not a layout of {location.id}")],
            )
        line = lines.get(receipt.item_id)
        if line is None:  # an unexpected item came off the truck: it gets a line of its own
            line = ManifestLine(item_id=receipt.item_id, qty=0)
            manifest.inventory.append(line)
            lines[line.item_id] = line
        if receipt.parts is not None:
            for number, part in enumerate(receipt.parts):
                if part.layout_id is not None and location.layout(part.layout_id) is None:
                    raise InvalidInput(
                        f"Bin {part.layout_id} is not a layout of {location.name}.",
                        [
                            FieldError(
                                f"inventory.{index}.parts.{number}.layout_id",
                                f"not a layout of {location.id}",
                            )
                        ],
                    )
            _set_parts(line, receipt.parts)
            continue
        for field in ("received_qty", "damaged_qty", "layout_id", "lot_id"):
            value = getattr(receipt, field)
            if value is not None:
                setattr(line, field, value)
        # the line as a whole: its units are in its one bin and lot
        line.parts = []
    if manifest.status == S.ACCEPTED:
        manifest.status = S.PROCESSING  # the first receipt starts the work


def apply_update(
    manifest: Manifest, update: ManifestUpdate, location: Location, now: int
) -> tuple[Manifest, LevelPlan]:
    """The manifest after an update and the level changes it brings; the input is untouched."""
    if manifest.status in (S.COMPLETED, S.VOID):
        raise Conflict(
            f"The manifest is {manifest.status}; it cannot change any more.",
            [FieldError("status", f"manifest is {manifest.status}")],
        )
    result = manifest.model_copy(deep=True)
    before = result.status
    _record_receipts(result, update, location)
    plan: LevelPlan = {}
    target = update.status
    if target is not None and target != result.status:
        check_transition(result.status, target)
        if target == S.ACCEPTED:
            plan = announce(result)
        elif target == S.COMPLETED:
            plan = receive(result)
        elif target == S.VOID:
            plan = announce(manifest, sign=-1) if before in RECEIVING else {}
        result.status = target
    result.updated_at = now
    return result, plan


def manifest_ssccs(manifest: Manifest) -> set[str]:
    """The pallet and case labels (SSCC, 18 digits) a manifest names: among its tracking
    numbers (as 18 digits, or 20 with the `00` of the label's element string), and in its
    metadata as `sscc` (one or a list), the way shippers' advance notices carry them."""
    found: set[str] = set()
    listed = manifest.metadata.get("sscc")
    values = [*manifest.tracking_numbers, *(listed if isinstance(listed, list) else [listed])]
    for value in values:
        if not isinstance(value, str):
            continue
        digits = value.strip().replace(" ", "")
        if len(digits) == 20 and digits.startswith("00"):
            digits = digits[2:]
        if len(digits) == 18 and digits.isascii() and digits.isdigit():
            found.add(digits)
    return found


def manifest_has_sscc(manifest: Manifest, sscc: str) -> bool:
    return sscc in manifest_ssccs(manifest)
