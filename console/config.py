"""Where the console finds its API and key: command line, environment, then a TOML file.

Precedence is CLI > environment > file. The backend is ``--backend``,
``WAREHOUSE_CONSOLE_BACKEND`` or ``backend``: ``packagex`` (the default), ``directus`` or
``byrd``. Its URL comes from ``--api-url``, the backend's URL variable or ``api_url``; its
credentials from the backend's variables or ``api_key`` / ``api_secret`` only (a secret on the
command line would show in ``ps`` and in shell history)::

    backend    URL variable   credentials
    packagex   PX_API_URL     PX_API_KEY
    directus   DIRECTUS_URL   DIRECTUS_TOKEN (a static token of a Directus user)
    byrd       BYRD_API_URL   BYRD_API_KEY and BYRD_API_SECRET (default URL api.getbyrd.com/v2)

The file is ``config.toml`` in ``platformdirs.user_config_dir("warehouse-console")`` unless
``--config PATH`` names another::

    backend = "packagex"
    api_url = "https://api.packagex.io/v1"
    api_key = "px_live_..."          # keep this file private: chmod 600
    api_secret = "..."               # byrd only
    connect_timeout = 5              # seconds
    read_timeout = 15                # seconds
    allow_insecure_http = false
    bell = true                      # the bell on an error
    flash = true                     # the message line flashes: once for a success, twice for an error
    location_id = "loc_..."

    [keymap]                         # action id = key; F1 and the README list the ids
    "lots.new" = "ctrl+l"
    "adjust.undo" = "f8"

    [scanner]                        # only if the scanners are programmed to send these
    prefix = "f11"                   # sent before each scan: detection is then exact
    suffix = "f12"                   # sent after it (default: Enter, LF or Tab)
    separators = ["~"]               # characters the scanner sends for GS (FNC1)

A keymap entry that names no action, a key that is not a key name (or one a scan could
trigger, such as a plain letter) and a key that clashes with another action on the same screen
are each reported at start, in one line, and that action keeps its default key. A scanner
prefix or suffix that is a key an operator types (a letter, space) is reported the same way
and ignored.

The key and the secret never appear in a repr, a warning or an error message.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

APP_NAME = "warehouse-console"
CONFIG_FILE = "config.toml"
ENV_URL = "PX_API_URL"
ENV_KEY = "PX_API_KEY"
ENV_BACKEND = "WAREHOUSE_CONSOLE_BACKEND"
STATE_DIR_ENV = "WAREHOUSE_CONSOLE_STATE_DIR"
BACKENDS = ("packagex", "directus", "byrd")
# Each backend's variables: (URL, key, secret).
BACKEND_ENV: dict[str, tuple[str, str, str | None]] = {
    "packagex": (ENV_URL, ENV_KEY, None),
    "directus": ("DIRECTUS_URL", "DIRECTUS_TOKEN", None),
    "byrd": ("BYRD_API_URL", "BYRD_API_KEY", "BYRD_API_SECRET"),
}
_SECRETS = ("api_key", "api_secret")
# what in the file belongs to the file's backend and to no other
_BACKEND_BOUND = ("api_url", *_SECRETS, "location_id")


def state_dir() -> Path:
    """Where the console keeps what it remembers between runs (journals, a backend's token)."""
    import platformdirs

    return Path(os.environ.get(STATE_DIR_ENV) or platformdirs.user_state_dir(APP_NAME))


def credential_names(backend: str) -> str:
    """Where a backend's credentials are read from, in words."""
    _url, key, secret = BACKEND_ENV[backend]
    names = f"{key} and {secret}" if secret else key
    files = "api_key and api_secret" if secret else "api_key"
    return f"{names}, or {files} in config.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which file or value and why."""


@dataclass(frozen=True)
class Settings:
    backend: str = "packagex"
    api_url: str | None = None
    api_key: str | None = None
    api_secret: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    allow_insecure_http: bool = False
    bell: bool = True
    flash: bool = True
    location_id: str | None = None
    keymap: dict[str, Any] = field(default_factory=dict)  # action id → key, checked by the UI
    scanner: dict[str, Any] = field(default_factory=dict)  # prefix, suffix, separators
    config_path: Path | None = None  # the file that was read, if any

    def __repr__(self) -> str:
        # Written by hand so the key can never be printed, logged or shown in a traceback.
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRETS:
                value = "<hidden>" if value else None
                shown.append(f"{f.name}={value}")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__


# What each file key must be, and how to say so.
_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "backend": (str, 'one of "packagex", "directus", "byrd"'),
    "api_url": (str, 'a string like "https://api.packagex.io/v1"'),
    "api_key": (str, "a string"),
    "api_secret": (str, "a string"),
    "connect_timeout": ((int, float), "a number of seconds"),
    "read_timeout": ((int, float), "a number of seconds"),
    "allow_insecure_http": (bool, "true or false"),
    "bell": (bool, "true or false"),
    "flash": (bool, "true or false"),
    "location_id": (str, 'a string like "loc_..."'),
    "keymap": (dict, 'a table of action ids and keys: [keymap] then "lots.new" = "ctrl+l"'),
    "scanner": (dict, 'a table: [scanner] then prefix = "f11"'),
}


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE


def _permission_warning(path: Path, holds_key: bool) -> str | None:
    """A warning when others may read the file (POSIX only: Windows has no mode bits)."""
    if os.name != "posix":
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    what = "holds the API key and " if holds_key else ""
    return f"{path} {what}can be read by other users (mode {mode:04o}): run `chmod 600 {path}`."


def read_config_file(path: Path, *, explicit: bool) -> tuple[dict[str, Any], list[str]]:
    """The settings in a TOML file and the warnings about it. A missing default file is fine;
    a missing file named with --config is an error."""
    warnings: list[str] = []
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"Config file {path} does not exist.") from None
        return {}, warnings
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror or exc}.") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"Config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib names the line and column, never the content (which may hold the key).
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}.") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _TYPES:
            known = ", ".join(_TYPES)
            warnings.append(f"{path}: unknown setting {key!r} ignored (known: {known}).")
            continue
        kinds, described = _TYPES[key]
        # TOML `true` is a bool, and a bool is an int to Python: not a number of seconds.
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and kinds is not bool)
        if not ok:
            raise ConfigError(f"{path}: {key} must be {described}.")
        values[key] = value
    warning = _permission_warning(
        path, holds_key=bool(values.get("api_key") or values.get("api_secret"))
    )
    if warning:
        warnings.append(warning)
    return values, warnings


def load_settings(
    cli: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_path: Path | str | None = None,
) -> tuple[Settings, list[str]]:
    """Settings from the CLI values (None = not given), the environment, and the file.

    `config_path` is the --config value; without it the default file is read if it exists.
    Returns the settings and the warnings to show before starting.
    """
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    env = os.environ if env is None else env
    explicit = config_path is not None
    path = Path(config_path).expanduser() if explicit else default_config_path()
    from_file, warnings = read_config_file(path, explicit=explicit)
    settings = Settings(config_path=path if (from_file or explicit) else None)

    merged: dict[str, Any] = dict(from_file)
    backend = (
        cli.get("backend") or (env.get(ENV_BACKEND) or "").strip() or merged.get("backend")
    ) or "packagex"
    backend = str(backend).strip().casefold()
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}.")
    # The file's URL, credentials and location are those of the file's own backend: a
    # PackageX key is never sent to Directus because the backend was chosen on the command line.
    file_backend = str(from_file.get("backend") or "packagex").strip().casefold()
    if file_backend != backend:
        belonging = [k for k in _BACKEND_BOUND if k in merged]
        for key in belonging:
            del merged[key]
        if belonging:
            warnings.append(
                f"{path}: {', '.join(belonging)} belong to backend {file_backend!r}, not "
                f"{backend!r}: not used."
            )
    url_name, key_name, secret_name = BACKEND_ENV[backend]
    env_values = {
        "api_url": env.get(url_name),
        "api_key": env.get(key_name),
        "api_secret": env.get(secret_name) if secret_name else None,
    }
    merged.update({k: v for k, v in env_values.items() if v and v.strip()})
    unknown = set(cli) - {f.name for f in fields(Settings)} - {"config_path"}
    if unknown:
        raise ConfigError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    for secret in _SECRETS:
        if secret in cli:
            raise ConfigError(
                f"Credentials are read from {credential_names(backend)} only, never from the "
                "command line."
            )
    merged.update(cli)
    merged["backend"] = backend

    for key in ("api_url", "api_key", "api_secret", "location_id"):
        if isinstance(merged.get(key), str):
            merged[key] = merged[key].strip() or None
    for key in ("connect_timeout", "read_timeout"):
        if key in merged:
            value = float(merged[key])
            if not (0 < value <= 600):
                raise ConfigError(f"{key} must be between 0 and 600 seconds, not {value:g}.")
            merged[key] = value
    return replace(settings, **merged), warnings
