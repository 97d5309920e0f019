"""Every screen at 40x16 (a handheld), 80x24 and 120x40, on fixed demo data, compared with the stored pictures.

Update after a deliberate change with `python -m pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.ui.app import WarehouseApp
from tests.ui.demo_app import SCREENS, demo_app

SIZES = [(40, 16), (80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    app: WarehouseApp = demo_app(tmp_path, screen)
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])
