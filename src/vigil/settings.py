"""One place for configuration: every ``VIGIL_*`` environment variable is read here.

- ``VIGIL_HOME``: folder of the embedded store and working files (default ``~/.vigil``).
- ``VIGIL_DATABASE_URL``: ``sqlite:///path``, ``duckdb:///path`` or ``postgresql://...``;
  default ``sqlite:///$VIGIL_HOME/vigil.sqlite3``.
- ``VIGIL_MAX_LIST_BYTES``: the largest list file accepted, after decompression (default 1 GiB).
- ``VIGIL_FETCH_TIMEOUT``: seconds before a list download is abandoned (default 120).
- ``VIGIL_LIST_URL_<SOURCE>``: override the official download URL of one source
  (e.g. ``VIGIL_LIST_URL_UN_SC``), for mirrors and tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_MAX_LIST_BYTES", "Settings", "get_settings"]

DEFAULT_MAX_LIST_BYTES = 1 << 30
DEFAULT_FETCH_TIMEOUT = 120.0


@dataclass(frozen=True, kw_only=True)
class Settings:
    home: Path
    database_url: str
    max_list_bytes: int = DEFAULT_MAX_LIST_BYTES
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    list_urls: dict[str, str] = field(default_factory=dict)


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
    )
