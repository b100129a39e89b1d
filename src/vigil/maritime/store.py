"""The AIS store: a directory of Parquet files for positions and static (identity) reports.

Layout (the contract the event detectors code against; see ``docs/maritime.md``)::

    <store>/positions/*.parquet   one file per ingest batch, written atomically (temp file + rename)
    <store>/static/*.parquet      one file per ingest batch
    <store>/events/               output of the event detectors

Reading never builds Python objects per row: :meth:`AisStore.positions` and :meth:`AisStore.static`
return lazy Polars scans, so millions of positions stay in Arrow buffers until a query needs them.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from vigil.errors import InputError, StoreError

__all__ = [
    "POSITIONS_SCHEMA",
    "STATIC_SCHEMA",
    "AisStore",
    "default_store_path",
]

UTC_US = pl.Datetime("us", "UTC")

#: Columns and types of ``positions/*.parquet`` (one row = one position report).
POSITIONS_SCHEMA: Mapping[str, pl.DataType] = {
    "mmsi": pl.Int64(),
    "ts": UTC_US,
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "sog": pl.Float32(),
    "cog": pl.Float32(),
    "heading": pl.Float32(),
    "nav_status": pl.Int16(),
}

#: Columns and types of ``static/*.parquet`` (one row = one identity report of a ship).
STATIC_SCHEMA: Mapping[str, pl.DataType] = {
    "mmsi": pl.Int64(),
    "ts": UTC_US,
    "imo": pl.Int64(),
    "name": pl.Utf8(),
    "callsign": pl.Utf8(),
    "ship_type": pl.Int16(),
    "length": pl.Float32(),
    "width": pl.Float32(),
    "draught": pl.Float32(),
    "source": pl.Utf8(),
}

_POSITIONS_REQUIRED = ("mmsi", "ts", "lat", "lon")
_STATIC_REQUIRED = ("mmsi", "ts")


def default_store_path() -> Path:
    """``$VIGIL_HOME/ais``: where ``vigil ais …`` keeps positions when no ``--store`` is given."""
    from vigil.settings import get_settings

    return get_settings().home / "ais"


def _ts_expr(dtype: pl.DataType) -> pl.Expr:
    """Cast a time column to Datetime(us, UTC): naive times are taken as UTC, aware ones converted."""
    col = pl.col("ts")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return col.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        return col.dt.convert_time_zone("UTC").cast(UTC_US)
    if dtype == pl.Null:
        return col.cast(UTC_US)
    if dtype == pl.Utf8:
        return col.str.to_datetime(time_unit="us", time_zone="UTC", strict=True)
    if dtype.is_integer():
        # integers are epoch seconds (as in NMEA tag blocks)
        return (col.cast(pl.Int64) * 1_000_000).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    raise InputError(f"AIS store: column 'ts' has type {dtype}, expected a datetime, text or epoch seconds")


def conform(
    df: pl.DataFrame | pl.LazyFrame,
    schema: Mapping[str, pl.DataType],
    what: str,
    required: tuple[str, ...],
    defaults: Mapping[str, object] | None = None,
) -> pl.DataFrame:
    """``df`` with exactly the columns of ``schema`` in order and type; missing optional ones are null.

    Raises :class:`InputError` naming the column when a required one is missing or a cast fails.
    """
    frame = df.collect() if isinstance(df, pl.LazyFrame) else df
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise InputError(
            f"AIS store: {what} lack required column(s) {', '.join(missing)}"
            f" (have: {', '.join(frame.columns) or 'none'})"
        )
    exprs: list[pl.Expr] = []
    defaults = defaults or {}
    for name, dtype in schema.items():
        if name not in frame.columns:
            exprs.append(pl.lit(defaults.get(name), dtype=dtype).alias(name))
        elif name == "ts":
            exprs.append(_ts_expr(frame.schema["ts"]).alias("ts"))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=True).alias(name))
    try:
        return frame.select(exprs)
    except (
        pl.exceptions.ComputeError,
        pl.exceptions.InvalidOperationError,
        pl.exceptions.SchemaError,
    ) as exc:
        raise InputError(f"AIS store: {what} have a column that cannot be converted: {exc}") from exc


class AisStore:
    """A directory of AIS positions and static reports as Parquet files.

    >>> store = AisStore("/tmp/ais")          # doctest: +SKIP
    >>> store.positions().filter(pl.col("mmsi") == 445123456).collect()   # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"AIS store {self.path}: exists and is not a directory")

    def __repr__(self) -> str:
        return f"AisStore({str(self.path)!r})"

    @property
    def positions_dir(self) -> Path:
        """``<store>/positions``."""
        return self.path / "positions"

    @property
    def static_dir(self) -> Path:
        """``<store>/static``."""
        return self.path / "static"

    @property
    def events_dir(self) -> Path:
        """``<store>/events``: where the event detectors write their results (created on access)."""
        path = self.path / "events"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def _files(directory: Path) -> list[Path]:
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.glob("*.parquet") if not p.name.startswith("."))

    def _scan(self, directory: Path, schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
        files = self._files(directory)
        if not files:
            return pl.LazyFrame(schema=dict(schema))
        return pl.scan_parquet(files).select(list(schema))

    def positions(self) -> pl.LazyFrame:
        """All position reports (schema :data:`POSITIONS_SCHEMA`), lazily; unsorted across batches."""
        return self._scan(self.positions_dir, POSITIONS_SCHEMA)

    def static(self) -> pl.LazyFrame:
        """All static/identity reports (schema :data:`STATIC_SCHEMA`), lazily; unsorted across batches."""
        return self._scan(self.static_dir, STATIC_SCHEMA)

    def position_files(self) -> list[Path]:
        """The Parquet files of positions, in name (= write) order."""
        return self._files(self.positions_dir)

    def static_files(self) -> list[Path]:
        """The Parquet files of static reports."""
        return self._files(self.static_dir)

    def _write(self, directory: Path, frame: pl.DataFrame) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        # names sort by write time, so the file list is in ingest order
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
        final = directory / name
        tmp = directory / f".{name}.tmp"
        try:
            frame.write_parquet(tmp, compression="zstd", statistics=True)
            os.replace(tmp, final)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"AIS store {self.path}: could not write {final.name}: {exc}") from exc
        return final

    def append_positions(self, df: pl.DataFrame | pl.LazyFrame) -> Path | None:
        """Add a batch of positions (cast to :data:`POSITIONS_SCHEMA`); the new file, None if empty."""
        frame = conform(df, POSITIONS_SCHEMA, "positions", _POSITIONS_REQUIRED)
        if frame.height == 0:
            return None
        return self._write(self.positions_dir, frame)

    def sink_positions(self, frame: pl.LazyFrame) -> Path:
        """Stream a lazy query already in :data:`POSITIONS_SCHEMA` into one new positions file.

        Used for big files: the rows never sit in memory all at once. Written atomically.
        """
        self.positions_dir.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
        final = self.positions_dir / name
        tmp = self.positions_dir / f".{name}.tmp"
        try:
            frame.select(list(POSITIONS_SCHEMA)).sink_parquet(tmp, compression="zstd", statistics=True)
            os.replace(tmp, final)
        except (OSError, pl.exceptions.PolarsError) as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"AIS store {self.path}: could not write {final.name}: {exc}") from exc
        return final

    def append_static(self, df: pl.DataFrame | pl.LazyFrame) -> Path | None:
        """Add a batch of static reports (cast to :data:`STATIC_SCHEMA`); the new file, None if empty."""
        frame = conform(df, STATIC_SCHEMA, "static reports", _STATIC_REQUIRED, {"source": "unknown"})
        if frame.height == 0:
            return None
        return self._write(self.static_dir, frame)
