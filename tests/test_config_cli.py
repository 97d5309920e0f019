"""`warehouse-console` (the console path): which backend it builds from the settings, and what it
says when it cannot. The UI is replaced by a stand-in that records what it was given."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from console.backends.http import HttpBackend
from console.backends.memory.warehouse import MemoryWarehouse
from console.cli import main

KEY = "px_cli_key_77c1"


class FakeUi:
    def __init__(self) -> None:
        self.calls: list[tuple[object, bool, str | None]] = []
        self.keymaps: list[object] = []
        self.flashes: list[bool] = []

    def run_console(
        self,
        backend: object,
        *,
        bell: bool = True,
        flash: bool = True,
        location_id: str | None = None,
        keymap: object = None,
        scanner: object = None,
    ):
        self.calls.append((backend, bell, location_id))
        self.keymaps.append(keymap)
        self.flashes.append(flash)
        return 0


@pytest.fixture
def ui(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeUi:
    fake = FakeUi()
    module = types.ModuleType("console.ui.app")
    module.run_console = fake.run_console  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "console.ui.app", module)
    # No user config file, no API settings from the machine running the tests.
    monkeypatch.setattr("console.config.default_config_path", lambda: tmp_path / "none.toml")
    for name in ("PX_API_URL", "PX_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    # The command sets it for its own process; set then removed here, so it is put back as it
    # was after each test (pytest records nothing when removing what is absent).
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS")
    # The demo is built small: what matters is that it is the demo.
    monkeypatch.setattr(
        "console.cli.demo_warehouse", lambda items, seed: MemoryWarehouse(label=f"demo {items}")
    )
    return fake


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)


def test_without_an_api_url_the_console_runs_on_the_demo(ui: FakeUi) -> None:
    assert run(["--demo-items", "50", "--no-bell", "--location", "loc_1"]) == 0
    ((backend, bell, location),) = ui.calls
    assert isinstance(backend, MemoryWarehouse)
    assert backend.label == "demo 50"
    assert (bell, location) == (False, "loc_1")


def test_an_api_url_gives_the_http_client(ui: FakeUi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PX_API_KEY", KEY)
    assert run(["--api-url", "https://api.packagex.io/v1"]) == 0
    ((backend, bell, _),) = ui.calls
    assert isinstance(backend, HttpBackend)
    assert backend.label == "api.packagex.io"
    assert bell is True


def test_the_url_from_the_environment_and_the_rest_from_a_file(
    ui: FakeUi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('bell = false\nlocation_id = "loc_f"\n')
    config.chmod(0o600)
    monkeypatch.setenv("PX_API_URL", "http://127.0.0.1:9/v1")
    assert run(["--config", str(config)]) == 0
    ((backend, bell, location),) = ui.calls
    assert backend.label == "127.0.0.1:9"
    assert (bell, location) == (False, "loc_f")


def test_plain_http_to_another_machine_is_refused_before_starting(
    ui: FakeUi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PX_API_KEY", KEY)
    assert run(["--api-url", "http://10.1.2.3:8765/v1"]) == 2
    err = capsys.readouterr().err
    assert "--allow-insecure-http" in err
    assert KEY not in err
    assert ui.calls == []
    assert run(["--api-url", "http://10.1.2.3:8765/v1", "--allow-insecure-http"]) == 0


def test_warnings_are_printed_before_starting(
    ui: FakeUi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'api_url = "https://api.packagex.io/v1"\napi_key = "{KEY}"\n')
    config.chmod(0o644)
    assert run(["--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ")
    assert "chmod 600" in err
    assert KEY not in err


def test_a_broken_config_is_one_line_not_a_traceback(
    ui: FakeUi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--config", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "does not exist" in err


def test_the_keymap_of_the_config_file_reaches_the_console(ui: FakeUi, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"adjust.undo" = "f8"\n', encoding="utf-8")
    config.chmod(0o600)
    assert run(["--config", str(config), "--demo-items", "5"]) == 0
    assert ui.keymaps == [{"adjust.undo": "f8"}]


def test_the_console_does_not_load_the_server_or_the_ui_to_start() -> None:
    code = (
        "import sys, console.cli, console.config, console.backends.http;"
        "bad = [m for m in ('starlette', 'uvicorn', 'textual') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_console_skips_pydantic_plugin_discovery_unless_told(
    ui: FakeUi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery reads every installed package's metadata at the first validation of a start."""
    assert run(["--demo-items", "5"]) == 0
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")  # someone tracing with a plugin
    assert run(["--demo-items", "5"]) == 0
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == ""


def test_no_flash_from_the_command_line_or_the_file_reaches_the_console(
    ui: FakeUi, tmp_path: Path
) -> None:
    demo = ["--demo-items", "50", "--location", "loc_1"]
    assert run(demo) == 0
    assert run([*demo, "--no-flash"]) == 0
    config = tmp_path / "config.toml"
    config.write_text("flash = false\n")
    assert run([*demo, "--config", str(config)]) == 0
    assert ui.flashes == [True, False, False]
