"""Tabular AIS exports (CSV, gzip CSV, Parquet) into the AIS store, without a Python object per row.

The reference schema is the US MarineCadastre export::

    MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,
    Length,Width,Draft,Cargo,TransceiverClass

Column names are matched case-insensitively, and the store's own names (``mmsi, ts, lat, lon, sog, cog,
heading, nav_status, imo, name, callsign, ship_type, length, width, draught``) are accepted too.
Every column is read as text and converted with non-strict casts, so a hostile cell becomes a null
(counted) instead of stopping the file; a row without a usable MMSI or time is rejected and its line
number reported. The file is scanned lazily by Polars and streamed into one Parquet file of the store.

Static (identity) rows: each distinct (mmsi, name, imo, callsign, ship type, length, width, draught)
combination of the file gives two static rows, at its first and at its last time seen.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import time
import zlib
from pathlib import Path

import polars as pl

from vigil.errors import InputError
from vigil.maritime.nmea import DecodeReport
from vigil.maritime.store import POSITIONS_SCHEMA, STATIC_SCHEMA, AisStore

__all__ = ["COLUMN_ALIASES", "ingest_table", "read_table"]

#: lower-case source column name -> store column name
COLUMN_ALIASES: dict[str, str] = {
    "mmsi": "mmsi",
    "basedatetime": "ts",
    "ts": "ts",
    "timestamp": "ts",
    "time": "ts",
    "datetime": "ts",
    "lat": "lat",
    "latitude": "lat",
    "lon": "lon",
    "longitude": "lon",
    "sog": "sog",
    "speed": "sog",
    "cog": "cog",
    "course": "cog",
    "heading": "heading",
    "status": "nav_status",
    "nav_status": "nav_status",
    "navstatus": "nav_status",
    "vesselname": "name",
    "name": "name",
    "shipname": "name",
    "imo": "imo",
    "callsign": "callsign",
    "call_sign": "callsign",
    "vesseltype": "ship_type",
    "ship_type": "ship_type",
    "shiptype": "ship_type",
    "length": "length",
    "width": "width",
    "draft": "draught",
    "draught": "draught",
}

_REQUIRED = ("mmsi", "ts", "lat", "lon")
_MAX_EXAMPLES = 20


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Utf8).str.strip_chars()


def _num(name: str, dtype: pl.DataType) -> pl.Expr:
    return _text(name).cast(pl.Float64, strict=False).cast(dtype, strict=False)


def _positive(name: str) -> pl.Expr:
    value = _num(name, pl.Float32())
    return pl.when(value > 0).then(value).otherwise(None)


def _ts_expr(dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        col = pl.col("ts")
        if dtype.time_zone is None:
            return col.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        return col.dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC"))
    text = _text("ts").str.strip_suffix("Z").str.replace(" ", "T", literal=True)
    return text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False).dt.replace_time_zone(
        "UTC"
    )


def _imo_number() -> pl.Expr:
    """``IMO9302073`` or ``9302073`` -> 9302073 (check digit not yet verified), else null."""
    return _text("imo").str.to_uppercase().str.extract(r"^(?:IMO)?\s*(\d{7})(?:\.0)?$", 1).cast(pl.Int64)


def _imo_checked(value: pl.Expr) -> pl.Expr:
    """``value`` where the IMO check digit holds (Σ d_i × (7..2) mod 10 = last digit), else null.

    ``value`` must be a computed column: the expression uses it eight times.
    """
    digits = [(value // 10 ** (6 - i)) % 10 for i in range(7)]
    weighted = sum((digits[i] * (7 - i) for i in range(6)), pl.lit(0, dtype=pl.Int64))
    ok = (weighted % 10 == digits[6]) & (value > 0)
    return pl.when(ok).then(value).otherwise(None)


def read_table(path: str | Path, fmt: str) -> tuple[pl.LazyFrame, list[Path]]:
    """A lazy scan of a CSV (plain or gzip) or Parquet file with columns renamed to store names.

    Returns the scan and temporary files to delete after use (a gzip CSV is decompressed to disk
    so it can be scanned lazily).
    """
    path = Path(path)
    temps: list[Path] = []
    try:
        if fmt == "parquet":
            frame = pl.scan_parquet(path)
            names = frame.collect_schema().names()
        else:
            source = path
            with path.open("rb") as handle:
                gz = handle.read(2) == b"\x1f\x8b"
            if gz:
                fd, tmp_name = tempfile.mkstemp(suffix=".csv", prefix="vigil-ais-")
                tmp = Path(tmp_name)
                temps.append(tmp)
                with gzip.open(path, "rb") as src, open(fd, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                source = tmp
            frame = pl.scan_csv(
                source, infer_schema=False, quote_char='"', truncate_ragged_lines=True, encoding="utf8-lossy"
            )
            names = frame.collect_schema().names()
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, pl.exceptions.PolarsError) as exc:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot read as {fmt}: {exc}") from exc
    renames: dict[str, str] = {}
    for name in names:
        target = COLUMN_ALIASES.get(name.strip().lower())
        if target is not None and target not in renames.values():
            renames[name] = target
    missing = [c for c in _REQUIRED if c not in renames.values()]
    if missing:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} (have: {', '.join(names)});"
            " expected the MarineCadastre schema MMSI,BaseDateTime,LAT,LON,…"
        )
    return frame.select([pl.col(k).alias(v) for k, v in renames.items()]), temps


def _typed(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Columns converted to store types, with the raw-validity flags needed for the report."""
    schema = frame.collect_schema()
    cols = schema.names()

    def opt(name: str, expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        return (expr if name in cols else pl.lit(None, dtype=dtype)).alias(name)

    lat = _num("lat", pl.Float64())
    lon = _num("lon", pl.Float64())
    sog = _num("sog", pl.Float32()) if "sog" in cols else pl.lit(None, dtype=pl.Float32)
    cog = _num("cog", pl.Float32()) if "cog" in cols else pl.lit(None, dtype=pl.Float32)
    hdg = _num("heading", pl.Float32()) if "heading" in cols else pl.lit(None, dtype=pl.Float32)
    status = _num("nav_status", pl.Int16()) if "nav_status" in cols else pl.lit(None, dtype=pl.Int16)
    mmsi = _text("mmsi").cast(pl.Float64, strict=False)
    if "imo" in cols:
        frame = frame.with_columns(_imo_number().alias("imo"))
    return frame.with_row_index("line", offset=2).with_columns(
        pl.when((mmsi >= 1) & (mmsi < 1e10) & (mmsi == mmsi.floor()))
        .then(mmsi.cast(pl.Int64))
        .otherwise(None)
        .alias("mmsi"),
        _ts_expr(schema["ts"]).alias("ts"),
        pl.when(lat.abs() <= 90).then(lat).otherwise(None).alias("lat"),
        pl.when(lon.abs() <= 180).then(lon).otherwise(None).alias("lon"),
        pl.when((sog >= 0) & (sog < 102.25)).then(sog).otherwise(None).alias("sog"),
        pl.when((cog >= 0) & (cog < 360)).then(cog).otherwise(None).alias("cog"),
        pl.when((hdg >= 0) & (hdg < 360)).then(hdg).otherwise(None).alias("heading"),
        pl.when((status >= 0) & (status <= 14)).then(status).otherwise(None).alias("nav_status"),
        lat.alias("_lat_raw"),
        lon.alias("_lon_raw"),
        sog.alias("_sog_raw"),
        opt("name", _text("name").replace("", None) if "name" in cols else pl.lit(None), pl.Utf8()),
        opt("imo", _imo_checked(pl.col("imo")) if "imo" in cols else pl.lit(None), pl.Int64()),
        opt(
            "callsign", _text("callsign").replace("", None) if "callsign" in cols else pl.lit(None), pl.Utf8()
        ),
        opt("ship_type", _num("ship_type", pl.Int16()) if "ship_type" in cols else pl.lit(None), pl.Int16()),
        opt("length", _positive("length") if "length" in cols else pl.lit(None), pl.Float32()),
        opt("width", _positive("width") if "width" in cols else pl.lit(None), pl.Float32()),
        opt("draught", _positive("draught") if "draught" in cols else pl.lit(None), pl.Float32()),
    )


def ingest_table(path: str | Path, store: AisStore, fmt: str = "csv") -> DecodeReport:
    """Ingest one CSV/Parquet AIS export into ``store``; the report counts rows, rejects and nulled values.

    The text is parsed once, streamed into a temporary Parquet file inside the store; positions are
    streamed from it into one Parquet file of the store (temp file + rename), static rows grouped from it.
    """
    path = Path(path)
    frame, temps = read_table(path, fmt)
    report = DecodeReport(decoder=f"polars-{fmt}")
    try:
        # parse the text once: typed rows go to a temporary Parquet file read by the steps below
        staged = store.path / f".staging-{os.getpid()}-{time.time_ns()}.parquet"
        store.path.mkdir(parents=True, exist_ok=True)
        temps.append(staged)
        _typed(frame).sink_parquet(staged, compression="lz4")
        typed = pl.scan_parquet(staged)
        valid = pl.col("mmsi").is_not_null() & pl.col("ts").is_not_null()
        stats = typed.select(
            pl.len().alias("rows"),
            (~valid).sum().alias("rejected"),
            (pl.col("_lat_raw").is_not_null() & pl.col("lat").is_null() & (pl.col("_lat_raw") != 91))
            .sum()
            .alias("lat"),
            (pl.col("_lon_raw").is_not_null() & pl.col("lon").is_null() & (pl.col("_lon_raw") != 181))
            .sum()
            .alias("lon"),
            (
                pl.col("_sog_raw").is_not_null()
                & pl.col("sog").is_null()
                & ((pl.col("_sog_raw") - 102.3).abs() > 0.01)
            )
            .sum()
            .alias("sog"),
        ).collect()
        row = stats.row(0, named=True)
        report.lines = int(row["rows"])
        for what in ("lat", "lon", "sog"):
            report.null(f"{what} out of range", int(row[what]))
        if row["rejected"]:
            bad = (
                typed.filter(~valid)
                .select("line", pl.col("mmsi").is_null().alias("no_mmsi"))
                .head(_MAX_EXAMPLES)
                .collect()
            )
            report.rejected["row without a valid MMSI or time"] = int(row["rejected"])
            report.examples["row without a valid MMSI or time"] = bad["line"].to_list()
        good = typed.filter(valid)
        positions = good.select([pl.col(c).cast(t) for c, t in POSITIONS_SCHEMA.items()])
        store.sink_positions(positions)
        report.positions = report.messages = report.lines - int(row["rejected"])
        keys = ["mmsi", "name", "imo", "callsign", "ship_type", "length", "width", "draught"]
        combos = good.group_by(keys).agg(pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last"))
        static = (
            pl.concat(
                [
                    combos.with_columns(pl.col("first").alias("ts")),
                    combos.filter(pl.col("last") > pl.col("first")).with_columns(pl.col("last").alias("ts")),
                ]
            )
            .with_columns(pl.lit(fmt).alias("source"))
            .select([pl.col(c).cast(t) for c, t in STATIC_SCHEMA.items()])
            .sort("mmsi", "ts")
            .collect()
        )
        store.append_static(static)
        report.static = static.height
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{path}: cannot ingest: {exc}") from exc
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return report
