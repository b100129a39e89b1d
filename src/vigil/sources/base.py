"""What every official-list source declares, and what its parser returns.

A source is metadata (publisher, official URLs, format, the counts it must yield)
plus a small parser function ``parse(files) -> ParsedList``. Sources are looked up by
key in :mod:`vigil.sources.registry`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vigil.model import Party

__all__ = ["ListFile", "ParsedList", "Source", "check_counts", "sha256_files"]


@dataclass(frozen=True, kw_only=True)
class ListFile:
    """One file of a source: ``role`` names it within the source (``sdn``, ``add``, ``alt``...)."""

    role: str
    url: str
    filename: str
    optional: bool = False


@dataclass(kw_only=True)
class ParsedList:
    """The result of parsing one version of one list.

    ``published`` is the date the file states (ISO), or None if it states none.
    ``declared`` holds the record counts the file itself declares or contains
    (e.g. ``{"INDIVIDUAL": 730, "ENTITY": 273}``); ``parsed`` the counts yielded.
    """

    source: str
    published: str | None
    parties: list[Party]
    declared: dict[str, int] = field(default_factory=dict)
    parsed: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


Parser = Callable[[dict[str, Path]], ParsedList]


def check_counts(name: str, declared: dict[str, int], parsed: dict[str, int]) -> None:
    """Raise :class:`ListCountError` naming the file when a parse yielded fewer records than declared."""
    from vigil.errors import ListCountError

    for kind, count in declared.items():
        got = parsed.get(kind, 0)
        if got < count:
            raise ListCountError(name, f"parsed {got} of {count} {kind or '?'} records in the file")


@dataclass(frozen=True, kw_only=True)
class Source:
    """Metadata of one official list source.

    ``key`` is the registry key (``un_sc``). ``files`` lists the files one version is
    made of, keyed by role; a single-file source has one. ``min_counts`` are counts a
    real full list must reach (a sanity floor against truncated downloads).
    """

    key: str
    authority: str
    title: str
    publisher: str
    format: str
    files: tuple[ListFile, ...]
    parse: Parser
    homepage: str = ""
    min_counts: dict[str, int] = field(default_factory=dict)
    notes: str = ""


def sha256_files(files: dict[str, Path]) -> str:
    """Content hash of a version: sha256 over the roles and decompressed bytes of its files.

    Hashing the content rather than the stored bytes makes the bundled (compressed)
    snapshot and the same file downloaded from the authority one version, not two.
    """
    # Imported here: safe_io imports this module's siblings, not the other way round.
    from vigil.sources.safe_io import open_list_file

    digest = hashlib.sha256()
    for role in sorted(files):
        digest.update(role.encode() + b"\0")
        with open_list_file(files[role]) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()
