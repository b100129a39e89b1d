"""One place for configuration: every ``VIGIL_*`` environment variable is read here.

- ``VIGIL_HOME``: folder of the embedded store and working files (default ``~/.vigil``).
- ``VIGIL_DATABASE_URL``: ``sqlite:///path``, ``duckdb:///path`` or ``postgresql://...``;
  default ``sqlite:///$VIGIL_HOME/vigil.sqlite3``.
- ``VIGIL_MAX_LIST_BYTES``: the largest list file accepted, after decompression (default 1 GiB).
- ``VIGIL_FETCH_TIMEOUT``: seconds before a list download is abandoned (default 120).
- ``VIGIL_LIST_URL_<SOURCE>``: override the official download URL of one source
  (e.g. ``VIGIL_LIST_URL_UN_SC``), for mirrors and tests.
- ``VIGIL_FOUR_EYES``: a true match needs a second reviewer's confirmation (default ``true``).
- ``VIGIL_ALLOW_ANONYMOUS``: ``viewer`` lets requests without an API key read lists and
  screen names (never alerts, customers or the audit log); unset or empty: off (default).
- ``VIGIL_MAX_REQUEST_BYTES``: the largest API request body accepted (default 10 MB).
- ``VIGIL_RATE_LIMIT``: API requests per minute per key (or per address without one);
  ``0`` turns the limit off (default 600).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import ConfigurationError

__all__ = [
    "DEFAULT_MAX_LIST_BYTES",
    "DEFAULT_MAX_REQUEST_BYTES",
    "DEFAULT_RATE_LIMIT",
    "Settings",
    "get_settings",
]

DEFAULT_MAX_LIST_BYTES = 1 << 30
DEFAULT_FETCH_TIMEOUT = 120.0
DEFAULT_MAX_REQUEST_BYTES = 10 * 1000 * 1000
DEFAULT_RATE_LIMIT = 600
#: The roles anonymous access may be given.
ANONYMOUS_ROLES = ("viewer",)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, kw_only=True)
class Settings:
    home: Path
    database_url: str
    max_list_bytes: int = DEFAULT_MAX_LIST_BYTES
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    list_urls: dict[str, str] = field(default_factory=dict)
    four_eyes: bool = True
    allow_anonymous: str | None = None
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    rate_limit: int = DEFAULT_RATE_LIMIT


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def _count(env: dict[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative")
    return value


def _anonymous(env: dict[str, str]) -> str | None:
    raw = (env.get("VIGIL_ALLOW_ANONYMOUS") or "").strip().lower()
    if raw in ("", "off", "none", "false", "0"):
        return None
    if raw not in ANONYMOUS_ROLES:
        raise ConfigurationError(
            f"VIGIL_ALLOW_ANONYMOUS may only be {', '.join(ANONYMOUS_ROLES)} (or unset), not {raw!r}"
        )
    return raw


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given, for tests)."""
    env = dict(os.environ) if environ is None else environ
    home = Path(env.get("VIGIL_HOME") or Path.home() / ".vigil").expanduser()
    url = env.get("VIGIL_DATABASE_URL") or f"sqlite:///{home / 'vigil.sqlite3'}"
    urls = {
        key[len("VIGIL_LIST_URL_") :].lower(): value
        for key, value in env.items()
        if key.startswith("VIGIL_LIST_URL_") and value
    }
    return Settings(
        home=home,
        database_url=url,
        max_list_bytes=int(env.get("VIGIL_MAX_LIST_BYTES") or DEFAULT_MAX_LIST_BYTES),
        fetch_timeout=float(env.get("VIGIL_FETCH_TIMEOUT") or DEFAULT_FETCH_TIMEOUT),
        list_urls=urls,
        four_eyes=_flag(env, "VIGIL_FOUR_EYES", True),
        allow_anonymous=_anonymous(env),
        max_request_bytes=_count(env, "VIGIL_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES),
        rate_limit=_count(env, "VIGIL_RATE_LIMIT", DEFAULT_RATE_LIMIT),
    )
