"""Regenerate screenshots/*.svg from the demo data: `python -m scripts.screenshots`.

Each picture is one scene of tests/ui/demo_app.py (the same scenes the snapshot tests check),
taken at 80x24, the smallest terminal the console must work in.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tests.ui.demo_app import SCREENS, demo_app

OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (80, 24)


async def take(name: str, state_dir: Path) -> Path:
    app = demo_app(state_dir)
    async with app.run_test(size=SIZE) as pilot:
        await SCREENS[name](pilot)
        await pilot.pause()  # what the scene's last key changed is drawn, as snapshots wait
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name in SCREENS:
        with tempfile.TemporaryDirectory() as state_dir:
            print(await take(name, Path(state_dir)))


if __name__ == "__main__":
    asyncio.run(main())
