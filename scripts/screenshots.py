"""Regenerate screenshots/*.svg from the demo data: `python -m scripts.screenshots`.

Each picture is one scene of tests/ui/demo_app.py (the same scenes the snapshot tests check),
taken at 80x24, and the scenes of a handheld's day also at 40x16 (`handheld-<scene>.svg`), the
screen of an RF handheld's SSH client.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tests.ui.demo_app import SCREENS, demo_app

OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (80, 24)
HANDHELD = (40, 16)
HANDHELD_SCENES = ("search", "adjust", "order", "manifest", "lots", "byrd-lots")


async def take(name: str, state_dir: Path, size: tuple[int, int], file: str) -> Path:
    app = demo_app(state_dir, name)
    async with app.run_test(size=size) as pilot:
        await SCREENS[name](pilot)
        await pilot.pause()  # what the scene's last key changed is drawn, as snapshots wait
        path = OUT / file
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    shots = [(name, SIZE, f"{name}.svg") for name in SCREENS]
    shots += [(name, HANDHELD, f"handheld-{name}.svg") for name in HANDHELD_SCENES]
    for name, size, file in shots:
        with tempfile.TemporaryDirectory() as state_dir:
            print(await take(name, Path(state_dir), size, file))


if __name__ == "__main__":
    asyncio.run(main())
