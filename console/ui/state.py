"""What the console remembers between runs: the location each operator works at, per backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.config import STATE_DIR_ENV, state_dir

__all__ = ["STATE_DIR_ENV", "Memory"]


class Memory:
    """A small JSON file in the user's state directory; unreadable or missing means empty."""

    def __init__(self, directory: Path | None = None) -> None:
        base = directory or state_dir()
        self.path = base / "state.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def location_for(self, backend_label: str) -> str | None:
        value = self._read().get("locations", {}).get(backend_label)
        return value if isinstance(value, str) else None

    def remember_location(self, backend_label: str, location_id: str) -> None:
        self._put("locations", backend_label, location_id)

    def setting(self, name: str, default: int) -> int:
        """An operator's numeric setting (such as the days that count as expiring soon)."""
        value = self._read().get("settings", {}).get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def remember_setting(self, name: str, value: int) -> None:
        self._put("settings", name, value)

    def _put(self, section: str, key: str, value: object) -> None:
        data: dict[str, Any] = self._read()
        entries = data.setdefault(section, {})
        if not isinstance(entries, dict):
            data[section] = entries = {}
        entries[key] = value
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # remembering is a convenience; the console works without it
