"""F5 before its screen exists: say what is coming, and still take scans."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from console.ui.screens.base import WarehouseScreen
from console.ui.widgets import ScanField


class _Coming(WarehouseScreen):
    PLAN: tuple[str, ...] = ()

    def compose_body(self) -> ComposeResult:
        text = Text()
        text.append(f"{self.TITLE}: coming next\n\n", style="bold")
        for line in self.PLAN:
            text.append(f"  • {line}\n")
        text.append("\nScanning an item here opens it in item search.")
        yield Static(text, classes="coming")
        yield ScanField(id="scan", placeholder="Scan an item")


class PickPackScreen(_Coming):
    TITLE = "Pick-pack"
    HELP = "Pick-pack is being built. Scan an item to open it in item search."
    PLAN = (
        "Open fulfillments at this location, soonest due first, overdue ones marked",
        "Pick by scanning, in walking order, with the lot to take first",
        "Pack into parcels, then complete: every step shows its effect on stock first",
    )
