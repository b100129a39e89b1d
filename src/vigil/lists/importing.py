"""Import one version of one list: hash, parse, verify, store atomically."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import InputError, ListCountError
from vigil.sources.base import ParsedList, Source, sha256_files
from vigil.sources.registry import get_source
from vigil.store.base import ListVersion, Store

__all__ = ["ImportOutcome", "import_files", "resolve_files", "verify_min_counts"]

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class ImportOutcome:
    source: str
    version: ListVersion
    created: bool
    seconds: float
    warnings: list[str] = field(default_factory=list)


def resolve_files(source: Source, paths: list[Path] | dict[str, Path]) -> dict[str, Path]:
    """Assign files to the source's roles.

    A dict is taken as role -> path. A list is matched by file name against the roles'
    official file names (case-insensitive, compression suffixes ignored); a single file
    for a single-file source takes its one role.
    """
    if isinstance(paths, dict):
        files = dict(paths)
    elif len(source.files) == 1 and len(paths) == 1:
        files = {source.files[0].role: paths[0]}
    else:
        files = {}
        for path in paths:
            stem = path.name.lower()
            for suffix in (".bz2", ".gz", ".xz"):
                stem = stem.removesuffix(suffix)
            match = [
                f.role for f in source.files if f.filename.lower() == stem or f.role == stem.split(".")[0]
            ]
            if not match:
                roles = ", ".join(f"{f.role} ({f.filename})" for f in source.files)
                raise InputError(
                    f"{path}: cannot tell which file of {source.key} this is; expected one of {roles}"
                )
            files[match[0]] = path
    unknown = set(files) - {f.role for f in source.files}
    if unknown:
        raise InputError(f"{source.key} has no file role(s) {', '.join(sorted(unknown))}")
    missing = [f.role for f in source.files if not f.optional and f.role not in files]
    if missing:
        raise InputError(f"{source.key} needs the file(s) {', '.join(missing)}")
    for role, path in files.items():
        if not path.is_file():
            raise InputError(f"{path}: no such file (for {source.key} {role})")
    return files


def verify_min_counts(source: Source, parsed: ParsedList, origin: str) -> None:
    """Refuse a parse below the source's sanity floor (a truncated or wrong download)."""
    for key, floor in source.min_counts.items():
        got = parsed.parsed.get(key, len(parsed.parties) if key == "parties" else 0)
        if got < floor:
            raise ListCountError(
                origin, f"{source.key} yielded {got} {key}, fewer than the {floor} a full list has"
            )


def import_files(
    store: Store,
    source_key: str,
    paths: list[Path] | dict[str, Path],
    *,
    origin: str | None = None,
    fetched_at: str | None = None,
    check_min_counts: bool = False,
) -> ImportOutcome:
    """Import the files of one list version into the store.

    Importing content already stored for that source is a no-op (``created`` False).
    On any error nothing is stored and the previous versions stay as they were.
    """
    source = get_source(source_key)
    files = resolve_files(source, paths)
    started = time.perf_counter()
    content_hash = sha256_files(files)
    for version in store.versions(source.key):
        if version.content_hash == content_hash:
            log.info("list already imported", extra={"source": source.key, "version": version.id})
            return ImportOutcome(
                source=source.key, version=version, created=False, seconds=time.perf_counter() - started
            )
    parsed = source.parse(files)
    if parsed.source != source.key:
        raise TypeError(f"parser of {source.key} returned a list of {parsed.source}")
    where = origin or ", ".join(str(p) for p in files.values())
    if check_min_counts:
        verify_min_counts(source, parsed, where)
    result = store.import_version(parsed, origin=where, content_hash=content_hash, fetched_at=fetched_at)
    seconds = time.perf_counter() - started
    log.info(
        "list imported",
        extra={
            "source": source.key,
            "version": result.version.id,
            "parties": result.version.party_count,
            "seconds": round(seconds, 2),
        },
    )
    return ImportOutcome(
        source=source.key,
        version=result.version,
        created=result.created,
        seconds=seconds,
        warnings=list(parsed.warnings),
    )
