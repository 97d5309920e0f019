"""Settings: where the URL and key come from, what is refused, and that the key stays hidden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.backends.http import ClientConfigError, HttpBackend
from console.config import ConfigError, Settings, load_settings

FILE_KEY = "px_file_key_8d2e"
ENV_KEY = "px_env_key_41aa"


def write_config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture
def default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The per-user config file, moved into a temporary directory."""
    path = tmp_path / "user" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setattr("console.config.default_config_path", lambda: path)
    return path


FULL = f"""
api_url = "https://file.example/v1"
api_key = "{FILE_KEY}"
connect_timeout = 3
read_timeout = 20.5
allow_insecure_http = true
bell = false
location_id = "loc_file"
"""


def test_nothing_configured_means_the_demo(default_file: Path) -> None:
    settings, warnings = load_settings({}, env={})
    assert settings.api_url is None
    assert settings.api_key is None
    assert settings.bell is True
    assert warnings == []


def test_the_file_supplies_every_setting(tmp_path: Path) -> None:
    path = write_config(tmp_path, FULL)
    settings, warnings = load_settings({}, env={}, config_path=path)
    assert settings.api_url == "https://file.example/v1"
    assert settings.api_key == FILE_KEY
    assert (settings.connect_timeout, settings.read_timeout) == (3.0, 20.5)
    assert settings.allow_insecure_http is True
    assert settings.bell is False
    assert settings.location_id == "loc_file"
    assert settings.config_path == path
    assert warnings == []


def test_the_default_file_is_read(default_file: Path) -> None:
    default_file.write_text('api_url = "https://default.example/v1"\n')
    default_file.chmod(0o600)
    settings, _ = load_settings({}, env={})
    assert settings.api_url == "https://default.example/v1"


def test_cli_beats_environment_beats_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, FULL)
    env = {"PX_API_URL": "https://env.example/v1", "PX_API_KEY": ENV_KEY}
    settings, _ = load_settings({}, env=env, config_path=path)
    assert (settings.api_url, settings.api_key) == ("https://env.example/v1", ENV_KEY)
    cli = {"api_url": "https://cli.example/v1", "location_id": "loc_cli", "bell": None}
    settings, _ = load_settings(cli, env=env, config_path=path)
    assert settings.api_url == "https://cli.example/v1"
    assert settings.api_key == ENV_KEY  # the key is never a flag
    assert settings.location_id == "loc_cli"
    assert settings.bell is False  # not given on the CLI: the file's value stands


@pytest.mark.parametrize("chosen", ["cli", "env"])
def test_the_files_key_is_never_sent_to_another_backend(tmp_path: Path, chosen: str) -> None:
    path = write_config(tmp_path, FULL)  # a PackageX file: no `backend`, so packagex
    cli, env = (
        ({"backend": "directus"}, {})
        if chosen == "cli"
        else ({}, {"WAREHOUSE_CONSOLE_BACKEND": "directus"})
    )
    settings, warnings = load_settings(cli, env=env, config_path=path)
    assert settings.backend == "directus"
    assert (settings.api_url, settings.api_key, settings.location_id) == (None, None, None)
    assert any("belong to backend 'packagex', not 'directus': not used" in w for w in warnings)
    assert all(FILE_KEY not in w for w in warnings)
    settings, _ = load_settings(
        cli, env=env | {"DIRECTUS_TOKEN": "directus-token"}, config_path=path
    )
    assert settings.api_key == "directus-token"
    settings, warnings = load_settings({}, env={}, config_path=path)
    assert (settings.backend, settings.api_key) == ("packagex", FILE_KEY)


def test_blank_environment_values_do_not_hide_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, FULL)
    settings, _ = load_settings({}, env={"PX_API_URL": " ", "PX_API_KEY": ""}, config_path=path)
    assert (settings.api_url, settings.api_key) == ("https://file.example/v1", FILE_KEY)


def test_the_key_is_never_shown(default_file: Path) -> None:
    settings, _ = load_settings({}, env={"PX_API_KEY": ENV_KEY})
    for text in (repr(settings), str(settings), f"{settings}"):
        assert ENV_KEY not in text
        assert "api_key=<hidden>" in text
    assert "api_key=None" in repr(Settings())


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_config_file_others_can_read_draws_a_warning(tmp_path: Path) -> None:
    path = write_config(tmp_path, FULL, mode=0o644)
    _, warnings = load_settings({}, env={}, config_path=path)
    assert len(warnings) == 1
    assert "can be read by other users (mode 0644)" in warnings[0]
    assert "holds the API key" in warnings[0]
    assert f"chmod 600 {path}" in warnings[0]
    assert FILE_KEY not in warnings[0]
    path.chmod(0o640)  # the group is "other users" too
    assert load_settings({}, env={}, config_path=path)[1]
    path.chmod(0o600)
    assert load_settings({}, env={}, config_path=path)[1] == []


def test_a_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, env={}, config_path=tmp_path / "nope.toml")


def test_a_broken_file_names_the_file_and_never_the_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, f'api_key = "{FILE_KEY}"\napi_url = https://x\n')
    with pytest.raises(ConfigError) as caught:
        load_settings({}, env={}, config_path=path)
    assert str(path) in str(caught.value)
    assert "line 2" in str(caught.value)
    assert FILE_KEY not in str(caught.value)
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("read_timeout = true", "read_timeout must be a number of seconds"),
        ('bell = "no"', "bell must be true or false"),
        ("api_url = 5", "api_url must be a string"),
        ("read_timeout = 0", "read_timeout must be between 0 and 600"),
    ],
)
def test_wrong_types_are_refused(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        load_settings({}, env={}, config_path=write_config(tmp_path, text))


def test_unknown_settings_are_warned_about(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'api_url = "https://x.example/v1"\ncolour = "blue"\n')
    settings, warnings = load_settings({}, env={}, config_path=path)
    assert settings.api_url == "https://x.example/v1"
    assert any("'colour'" in w for w in warnings)


# -- what the client refuses to be built with ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.5:8765/v1", "http://training.example/v1", "http://192.168.1.20/v1"],
)
def test_the_key_is_not_sent_over_plain_http_to_another_machine(url: str) -> None:
    with pytest.raises(ClientConfigError) as caught:
        HttpBackend(url, FILE_KEY)
    message = str(caught.value)
    assert "--allow-insecure-http" in message
    assert "https://" in message
    assert FILE_KEY not in message


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765/v1", "http://localhost:8765/v1", "http://[::1]:8765/v1"]
)
def test_plain_http_on_this_machine_is_fine(url: str) -> None:
    backend = HttpBackend(url, FILE_KEY)
    assert backend.label.endswith(":8765")


def test_the_flag_allows_plain_http_and_no_key_needs_no_flag() -> None:
    assert HttpBackend("http://10.0.0.5:8765/v1", FILE_KEY, allow_insecure_http=True).label == (
        "10.0.0.5:8765"
    )
    assert HttpBackend("http://10.0.0.5:8765/v1", None).label == "10.0.0.5:8765"


@pytest.mark.parametrize(
    ("url", "base", "label"),
    [
        ("https://api.packagex.io/v1", "https://api.packagex.io/v1", "api.packagex.io"),
        ("https://api.packagex.io/v1/", "https://api.packagex.io/v1", "api.packagex.io"),
        ("https://api.packagex.io", "https://api.packagex.io/v1", "api.packagex.io"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v1", "127.0.0.1:8765"),
    ],
)
def test_the_base_url_ends_in_v1_and_the_label_is_the_host(url: str, base: str, label: str) -> None:
    backend = HttpBackend(url, FILE_KEY)
    assert backend.base_url == base
    assert backend.label == label
    assert FILE_KEY not in repr(backend)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://api.example/v1", "must start with https://"),
        ("api.packagex.io/v1", "must start with https://"),
        ("https://api.example/api", "must end in /v1"),
        ("https://user:secret@api.example/v1", "must not carry"),
        ("https://api.example/v1?key=secret", "must not carry"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(url: str, complaint: str) -> None:
    with pytest.raises(ClientConfigError, match=complaint) as caught:
        HttpBackend(url, FILE_KEY)
    assert "secret" not in str(caught.value)


def test_timeouts_must_be_positive() -> None:
    with pytest.raises(ClientConfigError, match="read_timeout"):
        HttpBackend("https://api.example/v1", None, read_timeout=0)
