"""Parsing of store URLs (``sqlite:///...``, ``duckdb:///...``, ``postgresql://...``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from vigil.errors import ConfigurationError

__all__ = ["file_path", "scheme_of"]


def scheme_of(url: str) -> str:
    """The lower-cased scheme of ``url``; ConfigurationError if it has none."""
    scheme, sep, _rest = url.partition("://")
    if not sep or not scheme:
        raise ConfigurationError(f"not a store URL (expected scheme://...): {url!r}")
    return scheme.lower()


def file_path(url: str) -> str:
    """The file of an embedded-database URL, following the SQLAlchemy convention.

    ``sqlite:///rel/x.db`` is relative to the working directory, ``sqlite:////abs/x.db``
    absolute, ``sqlite://`` and ``sqlite:///:memory:`` an in-memory database;
    ``~`` is expanded and ``%xx`` escapes decoded.
    """
    _scheme, _sep, rest = url.partition("://")
    if "?" in rest or "#" in rest:
        raise ConfigurationError(f"embedded store URLs take no parameters: {url!r}")
    if rest in ("", "/", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise ConfigurationError(f"expected {_scheme}:///path (three slashes): {url!r}")
    return str(Path(unquote(rest[1:])).expanduser())
