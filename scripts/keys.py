"""Write the README's key table from the action table: `python -m scripts.keys`.

The table sits between `<!-- keys:start -->` and `<!-- keys:end -->`; a test fails when it no
longer matches console/ui/actions.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from console.ui.actions import readme_table

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = re.compile(r"(<!-- keys:start -->\n).*?(<!-- keys:end -->)", re.S)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    if not SECTION.search(text):
        raise SystemExit("README.md has no <!-- keys:start --> ... <!-- keys:end --> section")
    README.write_text(SECTION.sub(lambda m: m.group(1) + readme_table() + "\n" + m.group(2), text))
    print(f"{README}: key table written")


if __name__ == "__main__":
    main()
