"""The versioned list store: every imported version of every list, and diffs between them.

Open one with :func:`open_store` and a URL (default: ``VIGIL_DATABASE_URL``, else a
SQLite file under ``VIGIL_HOME``)::

    with open_store("sqlite:////var/lib/vigil/vigil.sqlite3") as store:
        result = store.import_version(parsed, origin=url, content_hash=digest)
        print(store.diff_latest("un_sc").summary())

Backends: ``sqlite`` (built in), ``duckdb``, ``postgresql`` (``pip install vigil[postgres]``).
The optional drivers are imported only when their backend is opened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vigil.errors import ConfigurationError
from vigil.settings import get_settings
from vigil.store.base import ImportResult, ListVersion, PartyChange, Store, VersionDiff
from vigil.store.sqlite_store import SQLiteStore
from vigil.store.urls import scheme_of

if TYPE_CHECKING:
    from vigil.store.duckdb_store import DuckDBStore
    from vigil.store.postgres_store import PostgresStore

__all__ = [
    "BACKENDS",
    "DuckDBStore",
    "ImportResult",
    "ListVersion",
    "PartyChange",
    "PostgresStore",
    "SQLiteStore",
    "Store",
    "VersionDiff",
    "open_store",
]

#: URL scheme -> (module, class, pip extra that provides its driver).
BACKENDS: dict[str, tuple[str, str, str | None]] = {
    "sqlite": ("vigil.store.sqlite_store", "SQLiteStore", None),
    "duckdb": ("vigil.store.duckdb_store", "DuckDBStore", None),
    "postgresql": ("vigil.store.postgres_store", "PostgresStore", "postgres"),
    "postgres": ("vigil.store.postgres_store", "PostgresStore", "postgres"),
}


def _backend(scheme: str) -> type[Store]:
    try:
        module_name, class_name, extra = BACKENDS[scheme]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise ConfigurationError(f"unknown store URL scheme {scheme!r} (known: {known})") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f"; install it with: pip install 'vigil[{extra}]'" if extra else ""
        raise ConfigurationError(f"the {scheme} store needs a driver that is missing ({exc}){hint}") from exc
    cls: type[Store] = getattr(module, class_name)
    return cls


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating if needed) the store at ``url``.

    ``url`` defaults to the configured ``VIGIL_DATABASE_URL``. Schemes:
    ``sqlite:///relative/path``, ``sqlite:////absolute/path``, the same for
    ``duckdb``, and ``postgresql://user@host:port/db[?schema=name]``.
    :class:`~vigil.errors.ConfigurationError` for an unknown scheme or a missing driver.
    """
    url = url or get_settings().database_url
    cls = _backend(scheme_of(url))
    return cls.from_url(url)


def __getattr__(name: str) -> Any:
    # Lazy access to the optional backends' classes, so importing vigil.store never
    # imports duckdb or psycopg.
    if name == "DuckDBStore":
        return _backend("duckdb")
    if name == "PostgresStore":
        return _backend("postgresql")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
