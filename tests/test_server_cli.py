"""`warehouse-console serve`: what the person starting a training server sees."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from console.cli import main
from tests.glibc import needs_malloc_trim

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)


def test_a_port_in_use_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert run(["serve", "--port", str(port), "--demo-items", "5"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"warehouse-console serve: Port {port} on 127.0.0.1 is already in use: stop the other "
        "server or choose another --port.\n"
    )
    assert "Building" not in captured.out  # refused before the demo was built


def test_a_port_another_server_with_workers_listens_on_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found in review: workers' listeners share their port (SO_REUSEPORT), and a second
    `serve --workers 2` on it bound beside them and took half the connections to its own
    warehouse."""
    from console.server.runner import bind

    first = bind("127.0.0.1", 0, workers=2)  # the first server's first worker listener
    port = first.getsockname()[1]
    try:
        argv = ["serve", "--port", str(port), "--workers", "2", "--data", str(tmp_path / "b.db")]
        assert run(argv) == 1
    finally:
        first.close()
    assert f"Port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err


def test_without_the_server_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [
        m for m in sys.modules if m == "console.server" or m.startswith("console.server.")
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    assert run(["serve"]) == 2
    assert "pip install 'warehouse-console[server]'" in capsys.readouterr().err


def serving(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """`warehouse-console` with `command`, in a process of its own, its output read here."""
    return subprocess.Popen(
        [sys.executable, "-m", "console.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(os.name != "posix", reason="uses SIGINT")
def test_serving_prints_the_url_warns_without_a_key_and_stops_cleanly() -> None:
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_SERVER_API_KEY"}
    command = ["serve", "--host", "0.0.0.0", "--port", "0", "--demo-items", "20"]
    process = serving(command, env)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        assert lines[1] == "Indexing the items for search and listing...\n"
        url = lines[2].removeprefix("Serving the warehouse at ").strip()
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/v1")
        assert f"warehouse-console --api-url {url}" in lines[3]
        answer = httpx.get(f"{url}/locations", timeout=5).json()
        assert answer["status"] == 200
        found = httpx.get(f"{url}/items", params={"search": "a"}, timeout=5).json()
        assert found["status"] == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "without --api-key" in err
    assert "Traceback" not in err


def _resident_and_peak_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


@needs_malloc_trim
def test_the_server_answers_smaller_than_its_build_was() -> None:
    """Building the warehouse and its index frees much of what it made: given back to the
    system before the server answers, not held for its whole life (nor by each worker)."""
    env = {**os.environ, "WAREHOUSE_SERVER_API_KEY": "k" * 22}
    process = serving(["serve", "--port", "0", "--demo-items", "20000"], env)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[2].removeprefix("Serving the warehouse at ").strip()
        answer = httpx.get(
            f"{url}/items", params={"search": "oat"}, headers={"PX-API-KEY": "k" * 22}, timeout=30
        )
        assert answer.status_code == 200
        resident, peak = _resident_and_peak_mb(process.pid)
        # kept whole, it answered with its peak resident (198 MB of 198); given back, with
        # 168-178 MB of 196-206
        assert resident < 0.92 * peak, f"resident {resident:.0f} MB, peak {peak:.0f} MB"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0
