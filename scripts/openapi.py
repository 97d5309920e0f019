"""Write docs/openapi.json from the server's routes and models: `python -m scripts.openapi`."""

from __future__ import annotations

import json
from pathlib import Path

from console.server.openapi import description

OUT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def main() -> None:
    OUT.write_text(json.dumps(description(), indent=2, ensure_ascii=False) + "\n")
    print(OUT)


if __name__ == "__main__":
    main()
