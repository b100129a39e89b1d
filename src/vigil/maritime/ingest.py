"""Ingest AIS files of any supported format into an :class:`~vigil.maritime.store.AisStore`.

Formats: ``nmea`` (NMEA 0183 sentences, optionally with tag blocks or receiver-log times; plain or
gzip), ``csv`` (MarineCadastre schema, plain or gzip) and ``parquet``. ``auto`` looks at the file:
the Parquet magic ``PAR1``, an AIS sentence (``!AIVDM``, ``\\s:`` tag block) in the first lines, else CSV.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import polars as pl

from vigil.errors import InputError
from vigil.maritime.nmea import DecodeReport, decode_lines, lines_from_bytes
from vigil.maritime.store import AisStore
from vigil.maritime.tabular import ingest_table

__all__ = ["FORMATS", "IngestSummary", "detect_format", "ingest_file", "ingest_files", "iter_nmea_blocks"]

FORMATS = ("auto", "nmea", "csv", "parquet")
#: NMEA files are read and decoded in blocks of this many bytes (about 800,000 sentences).
BLOCK_BYTES = 64 << 20


@dataclass
class IngestSummary:
    """The outcome of ingesting one file: counts, rejected lines with reasons, time taken."""

    path: str
    format: str
    report: DecodeReport
    vessels: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "format": self.format,
            "vessels": self.vessels,
            "seconds": round(self.seconds, 3),
            **self.report.to_dict(),
        }


def detect_format(path: str | Path) -> str:
    """``nmea``, ``csv`` or ``parquet`` from the file's first bytes (gzip looked into)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        if head == b"PAR1":
            return "parquet"
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as handle:
                sample = handle.read(4096)
        else:
            with path.open("rb") as handle:
                sample = handle.read(4096)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if b"VDM," in sample or b"VDO," in sample:
        return "nmea"
    return "csv"


_FIRST_FRAGMENT = re.compile(rb"[^\n]*VD[MO],[2-9],1,[^\n]*\n")


def iter_nmea_blocks(path: str | Path, block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[int, pl.Series]]:
    """The lines of an NMEA file (plain or gzip) in blocks of about ``block_bytes``, each with the number
    of lines before it, so a big file is never in memory at once.

    A block ends at a line end, and never between the parts of a multi-part message: a first fragment
    near the end of a block is carried over, with what follows it, to the next block.
    """
    path = Path(path)
    try:
        with path.open("rb") as probe:
            gz = probe.read(2) == b"\x1f\x8b"
        handle = cast(IO[bytes], gzip.open(path, "rb")) if gz else path.open("rb")  # noqa: SIM115
        with handle:
            carry = b""
            offset = 0
            while True:
                data = handle.read(block_bytes)
                if not data:
                    break
                data = carry + data
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data
                    continue
                # the last first-fragment line within the block's last 4 KiB starts the next block
                start = data.rfind(b"\n", 0, max(0, cut - 4096)) + 1
                last = None
                for match in _FIRST_FRAGMENT.finditer(data, start, cut):
                    last = match
                if last is not None and last.start() > 0:  # matches start at a line start
                    cut = last.start()
                block, carry = data[:cut], data[cut:]
                if block:
                    lines = lines_from_bytes(block)
                    yield offset, lines
                    offset += len(lines)
            if carry:
                yield offset, lines_from_bytes(carry)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read NMEA file: {exc}") from exc


def ingest_file(path: str | Path, store: AisStore, fmt: str = "auto") -> IngestSummary:
    """Ingest one file into ``store`` and say what happened."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown AIS format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = detect_format(path) if fmt == "auto" else fmt
    started = time.perf_counter()
    if kind == "nmea":
        report = DecodeReport()
        seen: list[pl.Series] = []
        for offset, lines in iter_nmea_blocks(path):
            result = decode_lines(lines)
            store.append_positions(result.positions)
            if result.static.height:
                store.append_static(result.static)
            report.merge(result.report, line_offset=offset)
            seen.append(result.positions["mmsi"].unique())
            seen.append(result.static["mmsi"].unique())
        vessels = pl.concat(seen).n_unique() if seen else 0
    else:
        before = set(store.position_files())
        report = ingest_table(path, store, kind)
        new = [p for p in store.position_files() if p not in before]
        vessels = pl.scan_parquet(new).select(pl.col("mmsi").n_unique()).collect().item() if new else 0
    return IngestSummary(str(path), kind, report, int(vessels), time.perf_counter() - started)


def ingest_files(paths: list[str | Path], store: AisStore, fmt: str = "auto") -> list[IngestSummary]:
    """Ingest several files, one store batch each."""
    return [ingest_file(p, store, fmt) for p in paths]
