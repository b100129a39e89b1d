"""NMEA 0183 AIS decoding, vectorized: position reports (types 1, 2, 3, 18, 19) and static data (5, 19, 24).

The decoder works on whole columns, not on one message object at a time:

1. the lines become one Arrow string array (no Python object per line);
2. Polars regular expressions split each line into tag block, receiver-log prefix, sentence body,
   checksum and suffix;
3. checksums are checked for all lines at once with a running XOR over the file's bytes
   (XOR of a sentence = ``X[end] ^ X[start-1]``);
4. multi-part messages (type 5 mostly, a small share of the stream) are joined in Python;
5. payloads of one message type are cut to a fixed width and unpacked into a bit matrix with numpy,
   and every field is read from its bit columns for all messages at once.

Timestamps come from an NMEA 4.0 tag block (``\\s:rcv,c:1641168001*hh\\!AIVDM…``; ``c:`` in seconds or
milliseconds), or from a receiver-log time before or after the sentence (epoch seconds or an ISO 8601
time such as ``2022-01-03T00:00:01Z``). A message without any time is rejected ("no timestamp").

Values AIS uses for "not available" become nulls: latitude 91, longitude 181, speed 102.3,
course 360, heading 511, navigational status 15. Other out-of-range values also become nulls and are
counted in the report. :func:`decode_reference` decodes the same lines with pyais, one message at a
time; tests compare the two on generated messages.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from vigil.errors import InputError
from vigil.maritime.store import POSITIONS_SCHEMA, STATIC_SCHEMA

__all__ = [
    "DecodeReport",
    "DecodeResult",
    "decode_lines",
    "decode_reference",
    "read_nmea_file",
]

POSITION_TYPES = (1, 2, 3, 18, 19)
STATIC_TYPES = (5, 19, 24)
_MAX_EXAMPLES = 20
_CHUNK = 200_000

# tag block, prefix, sentence body (between '!' and '*'), checksum, suffix
_LINE_RE = r"^(?:\\([^\\]*)\\)?(.*?)!([^!*\\]*)\*([0-9A-Fa-f]{2})(.*)$"
_BODY_RE = r"^[A-Z]{2}VD[MO],([1-9]),([1-9]),([0-9]?),([^,]*),([0-9:;<=>?@A-W`a-w]*),([0-5])$"
_ISO_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|\+00:?00)?$"
_EPOCH_RE = r"^\d{9,13}(?:\.\d{1,6})?$"


@dataclass
class DecodeReport:
    """What happened to every line: counts, and reasons with line numbers for what was rejected."""

    lines: int = 0
    sentences: int = 0
    messages: int = 0
    positions: int = 0
    static: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    other_types: dict[int, int] = field(default_factory=dict)
    nulled: dict[str, int] = field(default_factory=dict)
    decoder: str = "vigil-vectorized"

    def reject(self, reason: str, line_numbers: Iterable[int]) -> None:
        """Count lines rejected for ``reason`` and keep the first few line numbers."""
        numbers = list(line_numbers)
        if not numbers:
            return
        self.rejected[reason] = self.rejected.get(reason, 0) + len(numbers)
        kept = self.examples.setdefault(reason, [])
        kept.extend(numbers[: max(0, _MAX_EXAMPLES - len(kept))])

    def null(self, what: str, count: int) -> None:
        if count:
            self.nulled[what] = self.nulled.get(what, 0) + count

    def merge(self, other: DecodeReport, line_offset: int = 0) -> None:
        """Add the counts of another report (of the next chunk, whose line numbers start after ours)."""
        self.lines += other.lines
        self.sentences += other.sentences
        self.messages += other.messages
        self.positions += other.positions
        self.static += other.static
        for reason, count in other.rejected.items():
            self.rejected[reason] = self.rejected.get(reason, 0) + count
            kept = self.examples.setdefault(reason, [])
            more = [n + line_offset for n in other.examples.get(reason, [])]
            kept.extend(more[: max(0, _MAX_EXAMPLES - len(kept))])
        for kind, count in other.other_types.items():
            self.other_types[kind] = self.other_types.get(kind, 0) + count
        for what, count in other.nulled.items():
            self.null(what, count)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decoder": self.decoder,
            "lines": self.lines,
            "sentences": self.sentences,
            "messages": self.messages,
            "positions": self.positions,
            "static": self.static,
            "rejected": dict(self.rejected),
            "rejected_lines": {k: list(v) for k, v in self.examples.items()},
            "other_message_types": {str(k): v for k, v in sorted(self.other_types.items())},
            "nulled_values": dict(self.nulled),
        }


@dataclass
class DecodeResult:
    """Decoded positions and static reports (store schemas) and the report of the decode."""

    positions: pl.DataFrame
    static: pl.DataFrame
    report: DecodeReport


# ---------------------------------------------------------------------------------------------- input


def lines_from_bytes(data: bytes) -> pl.Series:
    """One string per line of ``data``, built from buffers (no Python object per line).

    Bytes outside ASCII are replaced by ``?`` (NMEA is ASCII; such lines fail the checks later).
    Line ends (``\\n``, ``\\r\\n``) are removed.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size and (buf > 127).any():
        buf = buf.copy()
        buf[buf > 127] = ord("?")
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate([np.zeros(1, dtype=np.int64), newlines.astype(np.int64) + 1])
    if starts[-1] == buf.size:  # trailing newline: no empty last line
        starts = starts[:-1]
    offsets = np.concatenate([starts, np.array([buf.size], dtype=np.int64)])
    array = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(buf.tobytes()))
    series = pl.Series("line", array)
    return series.str.strip_chars_end("\r\n")


def read_nmea_file(path: str | Path) -> pl.Series:
    """The lines of an NMEA log (plain or ``.gz``) as a string Series."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
        data = gzip.decompress(path.read_bytes()) if head == b"\x1f\x8b" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read NMEA file: {exc}") from exc
    return lines_from_bytes(data)


def _string_buffers(series: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, data) of a string Series as numpy views: string i is data[offsets[i]:offsets[i+1]]."""
    array = series.rechunk().to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    buffers = array.buffers()
    n = len(array)
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[array.offset : array.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    if n == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    # a slice shares its parent's data buffer: keep only this slice's bytes
    return offsets - offsets[0], data[offsets[0] : offsets[-1]]


# ---------------------------------------------------------------------------------------------- times


def _time_expr(text: pl.Expr) -> pl.Expr:
    """Epoch seconds/milliseconds or an ISO 8601 UTC time in ``text`` -> microseconds since epoch (Int64)."""
    text = text.str.strip_chars(" ,;\t")
    epoch = text.str.extract(r"^(\d{9,13}(?:\.\d{1,6})?)$", 1).cast(pl.Float64, strict=False)
    epoch_us = (
        pl.when(epoch >= 1e11).then(epoch * 1000.0).otherwise(epoch * 1_000_000.0).round(0).cast(pl.Int64)
    )
    iso = (
        text.str.extract(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?:Z|\+00:?00)?$", 1)
        .str.replace(" ", "T")
        .str.to_datetime(time_unit="us", strict=False)
        .dt.epoch("us")
    )
    return pl.coalesce(epoch_us, iso)


# ---------------------------------------------------------------------------------------------- bits


# payload character -> 6-bit value ("0".."W" -> 0..39, "`".."w" -> 40..63); others give 0 (the line
# regex admits only valid characters)
_ARMOR = np.zeros(256, dtype=np.uint8)
for _c in range(48, 88):
    _ARMOR[_c] = _c - 48
for _c in range(96, 120):
    _ARMOR[_c] = _c - 56


def _fixed_chars(payloads: pl.Series, width: int) -> np.ndarray:
    """Payload characters cut/padded to ``width``, as an (n, width) uint8 matrix of 6-bit values."""
    fixed = payloads.str.slice(0, width).str.pad_end(width, "0")
    offsets, data = _string_buffers(fixed)
    n = len(fixed)
    chars: np.ndarray = _ARMOR[data[offsets[0] : offsets[0] + n * width]]
    return chars.reshape(n, width)


def _bits(chars: np.ndarray) -> np.ndarray:
    """The payload matrix ready for field extraction (one uint8 column per character)."""
    return chars


def _uint(chars: np.ndarray, start: int, length: int) -> np.ndarray:
    """Unsigned field of ``length`` bits at bit ``start`` (MSB first) for every row, from 6-bit characters.

    The characters covering the field are combined into one int64 (at most 7 characters = 42 bits for a
    30-bit field), then shifted and masked.
    """
    first, last = start // 6, (start + length - 1) // 6
    acc = chars[:, first].astype(np.int64)
    for i in range(first + 1, last + 1):
        acc <<= 6
        acc |= chars[:, i]
    shift = (last - first + 1) * 6 - (start - first * 6) - length
    if shift:
        acc >>= shift
    acc &= (1 << length) - 1
    return acc


def _sint(bits: np.ndarray, start: int, length: int) -> np.ndarray:
    value = _uint(bits, start, length)
    return np.where(value >= (1 << (length - 1)), value - (1 << length), value)


_SIXBIT_ASCII = np.array([c + 64 if c < 32 else c for c in range(64)], dtype=np.uint8)


def _text(bits: np.ndarray, start: int, nchars: int) -> pl.Series:
    """Six-bit text at ``start``: cut at the first ``@`` and stripped (as pyais does); null when empty."""
    n = bits.shape[0]
    if n == 0:
        return pl.Series([], dtype=pl.Utf8)
    codes = np.stack([_uint(bits, start + 6 * i, 6) for i in range(nchars)], axis=1)
    ascii_ = _SIXBIT_ASCII[codes]
    at = ascii_ == 64
    cut = np.cumsum(at, axis=1) > 0
    ascii_[cut] = 32
    flat = np.ascontiguousarray(ascii_).reshape(-1)
    offsets = np.arange(0, n * nchars + 1, nchars, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(flat.tobytes()))
    text = pl.Series(array).str.strip_chars()
    return text.replace("", None)


def _lat_lon(raw: np.ndarray) -> np.ndarray:
    """Raw 1/10000 minute -> degrees, rounded to 6 decimals exactly as pyais does."""
    return ((10 * raw + 3) // 6) / 1e6


# ---------------------------------------------------------------------------------------------- decode


def _split_lines(lines: pl.Series) -> pl.DataFrame:
    """Per line: its number and the parts of its sentence, checksum verdict included."""
    offsets, data = _string_buffers(lines)
    xor = np.bitwise_xor.accumulate(data) if data.size else data
    frame = pl.DataFrame({"line": lines}).with_row_index("lineno", offset=1)
    frame = frame.with_columns(pl.col("lineno").cast(pl.Int64))
    parts = frame.select(
        "lineno",
        pl.col("line").str.extract_groups(_LINE_RE).alias("m"),
    ).unnest("m")
    parts.columns = ["lineno", "tag", "prefix", "body", "cksum", "suffix"]
    # byte offset of the body inside the line: tag block (+2 backslashes) + prefix + '!'
    start_in_line = (
        pl.col("tag").str.len_bytes().fill_null(-2) + 2 + pl.col("prefix").str.len_bytes().fill_null(0) + 1
    )
    parts = parts.with_columns(
        start_in_line.cast(pl.Int64).alias("start"),
        pl.col("body").str.len_bytes().cast(pl.Int64).alias("blen"),
    )
    ok = parts["body"].is_not_null().to_numpy()
    start = offsets[:-1] + parts["start"].fill_null(1).to_numpy()
    end = start + parts["blen"].fill_null(0).to_numpy()
    computed = np.zeros(len(parts), dtype=np.int64)
    if data.size:
        idx_end = np.clip(end - 1, 0, data.size - 1)
        idx_start = np.clip(start - 1, 0, data.size - 1)
        computed = (xor[idx_end] ^ xor[idx_start]).astype(np.int64)
        computed = np.where(end > start, computed, 0)
    return parts.with_columns(
        pl.Series("matched", ok),
        pl.Series("computed", computed),
    )


def _join_multipart(multi: pl.DataFrame, report: DecodeReport) -> pl.DataFrame:
    """Join multi-part sentences (rows in file order) into whole messages; incomplete ones are rejected."""
    out_lineno: list[int] = []
    out_ts: list[int | None] = []
    out_payload: list[str] = []
    out_fill: list[int] = []
    incomplete: list[int] = []
    pending: dict[tuple[str, str, int], list[tuple[int, int, int | None, str, int]]] = {}
    rows = multi.select("lineno", "count", "num", "seq", "channel", "payload", "fill", "ts").iter_rows()
    for lineno, count, num, seq, channel, payload, fill, ts in rows:
        key = (seq or "", channel or "", count)
        parts = pending.get(key)
        if num == 1:
            if parts:
                incomplete.extend(p[0] for p in parts)
            parts = pending[key] = []
        elif parts is None or len(parts) != num - 1:
            incomplete.append(lineno)
            if parts:
                incomplete.extend(p[0] for p in parts)
                del pending[key]
            continue
        parts.append((lineno, num, ts, payload, fill))
        if num == count:
            first = parts[0]
            times = [p[2] for p in parts if p[2] is not None]
            out_lineno.append(first[0])
            out_ts.append(times[0] if times else None)
            out_payload.append("".join(p[3] for p in parts))
            out_fill.append(parts[-1][4])
            del pending[key]
    for parts in pending.values():
        incomplete.extend(p[0] for p in parts)
    report.reject("incomplete multi-part message", sorted(incomplete))
    return pl.DataFrame(
        {"lineno": out_lineno, "ts": out_ts, "payload": out_payload, "fill": out_fill},
        schema={"lineno": pl.Int64, "ts": pl.Int64, "payload": pl.Utf8, "fill": pl.Int64},
    )


def _ts_series(values: np.ndarray | pl.Series) -> pl.Series:
    return pl.Series("ts", values, dtype=pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _clean(
    report: DecodeReport, name: str, values: np.ndarray, valid: np.ndarray, sentinel: np.ndarray
) -> np.ndarray:
    """``values`` as float with nulls (NaN) where invalid; counts out-of-range values (not sentinels)."""
    out = values.astype(np.float64)
    out[~valid] = np.nan
    report.null(f"{name} out of range", int((~valid & ~sentinel).sum()))
    return out


def _positions(bits: np.ndarray, msg_type: np.ndarray, ts: np.ndarray, report: DecodeReport) -> pl.DataFrame:
    class_b = msg_type >= 18
    mmsi = _uint(bits, 8, 30)
    sog_raw = np.where(class_b, _uint(bits, 46, 10), _uint(bits, 50, 10))
    lon_raw = np.where(class_b, _sint(bits, 57, 28), _sint(bits, 61, 28))
    lat_raw = np.where(class_b, _sint(bits, 85, 27), _sint(bits, 89, 27))
    cog_raw = np.where(class_b, _uint(bits, 112, 12), _uint(bits, 116, 12))
    hdg_raw = np.where(class_b, _uint(bits, 124, 9), _uint(bits, 128, 9))
    status = np.where(class_b, 15, _uint(bits, 38, 4))
    lat = _clean(report, "lat", _lat_lon(lat_raw), np.abs(lat_raw) <= 90 * 600000, lat_raw == 91 * 600000)
    lon = _clean(report, "lon", _lat_lon(lon_raw), np.abs(lon_raw) <= 180 * 600000, lon_raw == 181 * 600000)
    sog = _clean(report, "sog", sog_raw / 10.0, sog_raw < 1023, sog_raw == 1023)
    cog = _clean(report, "cog", cog_raw / 10.0, cog_raw < 3600, cog_raw == 3600)
    heading = _clean(report, "heading", hdg_raw.astype(np.float64), hdg_raw < 360, hdg_raw == 511)
    frame = pl.DataFrame(
        {
            "mmsi": mmsi,
            "ts": _ts_series(ts),
            "lat": pl.Series(lat).fill_nan(None),
            "lon": pl.Series(lon).fill_nan(None),
            "sog": pl.Series(sog).fill_nan(None),
            "cog": pl.Series(cog).fill_nan(None),
            "heading": pl.Series(heading).fill_nan(None),
            "nav_status": pl.Series(status).replace(15, None),
        }
    )
    return frame.cast(dict(POSITIONS_SCHEMA))  # type: ignore[arg-type]


def _imo(raw: np.ndarray) -> pl.Series:
    """IMO numbers with a valid check digit, else null."""
    valid = (raw >= 1_000_000) & (raw <= 9_999_999)
    digits = [(raw // 10**p) % 10 for p in range(6, -1, -1)]
    total = sum(d * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    valid &= (total % 10) == digits[6]
    return pl.Series("imo", np.where(valid, raw, 0)).replace(0, None)


def _static_frame(mmsi: np.ndarray, ts: np.ndarray, **columns: Any) -> pl.DataFrame:
    n = mmsi.shape[0]
    data: dict[str, Any] = {"mmsi": mmsi, "ts": _ts_series(ts)}
    for name in STATIC_SCHEMA:
        if name in data:
            continue
        value = columns.get(name)
        data[name] = pl.Series(name, [None] * n) if value is None else value
    data["source"] = pl.Series("source", ["nmea"] * n)
    return pl.DataFrame(data).cast(dict(STATIC_SCHEMA))  # type: ignore[arg-type]


def _dims(bits: np.ndarray, start: int) -> tuple[pl.Series, pl.Series]:
    bow, stern = _uint(bits, start, 9), _uint(bits, start + 9, 9)
    port, starboard = _uint(bits, start + 18, 6), _uint(bits, start + 24, 6)
    length = (bow + stern).astype(np.float64)
    width = (port + starboard).astype(np.float64)
    return (pl.Series(length).replace(0.0, None), pl.Series(width).replace(0.0, None))


def _decode_messages(
    msgs: pl.DataFrame, report: DecodeReport
) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    """Decode whole messages (columns lineno, ts, payload, fill) into position and static frames."""
    positions: list[pl.DataFrame] = []
    statics: list[pl.DataFrame] = []
    first = msgs["payload"].str.slice(0, 1)
    msg_type = _fixed_chars(first, 1)[:, 0].astype(np.int64) if len(msgs) else np.zeros(0, np.int64)
    msgs = msgs.with_columns(
        pl.Series("type", msg_type),
        (pl.col("payload").str.len_bytes().cast(pl.Int64) * 6 - pl.col("fill")).alias("nbits"),
    )
    for kind, count in msgs.group_by("type").len().iter_rows():
        if kind not in POSITION_TYPES and kind not in STATIC_TYPES:
            report.other_types[int(kind)] = report.other_types.get(int(kind), 0) + int(count)
    need = {1: 168, 2: 168, 3: 168, 18: 168, 19: 301, 5: 302, 24: 160}
    for kinds, width_bits in (((1, 2, 3, 18), 168), ((19,), 312), ((5,), 426), ((24,), 168)):
        sel = msgs.filter(pl.col("type").is_in(kinds))
        if sel.height == 0:
            continue
        short = sel.filter(pl.col("nbits") < pl.col("type").replace_strict(need, default=168))
        if short.height:
            report.reject("payload too short for its message type", short["lineno"].to_list())
            sel = sel.filter(pl.col("nbits") >= pl.col("type").replace_strict(need, default=168))
        if sel.height == 0:
            continue
        bits = _bits(_fixed_chars(sel["payload"], width_bits // 6))
        ts = sel["ts"].to_numpy()
        types = sel["type"].to_numpy()
        if kinds[0] in POSITION_TYPES:
            positions.append(_positions(bits, types, ts, report))
        if kinds == (19,):
            length, width = _dims(bits, 271)
            statics.append(
                _static_frame(
                    _uint(bits, 8, 30),
                    ts,
                    name=_text(bits, 143, 20),
                    ship_type=pl.Series(_uint(bits, 263, 8)),
                    length=length,
                    width=width,
                )
            )
        elif kinds == (5,):
            length, width = _dims(bits, 240)
            draught = pl.Series(_uint(bits, 294, 8) / 10.0).replace(0.0, None)
            statics.append(
                _static_frame(
                    _uint(bits, 8, 30),
                    ts,
                    imo=_imo(_uint(bits, 40, 30)),
                    callsign=_text(bits, 70, 7),
                    name=_text(bits, 112, 20),
                    ship_type=pl.Series(_uint(bits, 232, 8)),
                    length=length,
                    width=width,
                    draught=draught,
                )
            )
        elif kinds == (24,):
            part = _uint(bits, 38, 2)
            a, b = part == 0, part == 1
            if a.any():
                bits_a = bits[a]
                statics.append(_static_frame(_uint(bits_a, 8, 30), ts[a], name=_text(bits_a, 40, 20)))
            if b.any():
                bits_b = bits[b]
                length, width = _dims(bits_b, 132)
                statics.append(
                    _static_frame(
                        _uint(bits_b, 8, 30),
                        ts[b],
                        ship_type=pl.Series(_uint(bits_b, 40, 8)),
                        callsign=_text(bits_b, 90, 7),
                        length=length,
                        width=width,
                    )
                )
            bad = sel.filter(pl.Series(~(a | b)))
            if bad.height:
                report.reject("type 24 with unknown part number", bad["lineno"].to_list())
    return positions, statics


def _decode_chunk(lines: pl.Series) -> DecodeResult:
    report = DecodeReport(lines=len(lines))
    parts = _split_lines(lines)
    blank = parts.filter(~pl.col("matched") & (pl.Series(lines).str.strip_chars() == ""))
    not_ais = parts.filter(~pl.col("matched") & (pl.Series(lines).str.strip_chars() != ""))
    report.reject("not an NMEA sentence", not_ais["lineno"].to_list())
    del blank
    sentences = parts.filter(pl.col("matched"))
    sentences = sentences.with_columns(
        pl.col("cksum").str.to_integer(base=16, strict=False).alias("given"),
    )
    bad_sum = sentences.filter(pl.col("given") != pl.col("computed"))
    report.reject("bad checksum", bad_sum["lineno"].to_list())
    sentences = sentences.filter(pl.col("given") == pl.col("computed"))
    fields = sentences.select(
        "lineno", "tag", "prefix", "suffix", pl.col("body").str.extract_groups(_BODY_RE).alias("f")
    ).unnest("f")
    fields.columns = [
        "lineno",
        "tag",
        "prefix",
        "suffix",
        "count",
        "num",
        "seq",
        "channel",
        "payload",
        "fill",
    ]
    not_vdm = fields.filter(pl.col("count").is_null())
    report.reject("not an AIS VDM/VDO sentence", not_vdm["lineno"].to_list())
    fields = fields.filter(pl.col("count").is_not_null())
    report.sentences = fields.height
    fields = fields.with_columns(
        pl.col("count").cast(pl.Int64),
        pl.col("num").cast(pl.Int64),
        pl.col("fill").cast(pl.Int64),
        pl.col("tag").str.extract(r"(?:^|,)c:(\d{9,13})", 1).pipe(_time_expr).alias("ts"),
    )
    # receiver-log times before or after the sentence, only where no tag block gave one
    untimed = fields["ts"].is_null()
    if untimed.any():
        timed = fields.filter(~untimed)
        rest = fields.filter(untimed).with_columns(
            pl.coalesce(_time_expr(pl.col("prefix")), _time_expr(pl.col("suffix"))).alias("ts")
        )
        fields = pl.concat([timed, rest]).sort("lineno")
    bad_part = fields.filter(pl.col("num") > pl.col("count"))
    report.reject("fragment number above fragment count", bad_part["lineno"].to_list())
    fields = fields.filter(pl.col("num") <= pl.col("count"))
    single = fields.filter(pl.col("count") == 1).select("lineno", "ts", "payload", "fill")
    multi = fields.filter(pl.col("count") > 1)
    msgs = pl.concat([single, _join_multipart(multi, report)]) if multi.height else single
    msgs = msgs.filter(pl.col("payload").str.len_bytes() > 0)
    no_time = msgs.filter(pl.col("ts").is_null())
    report.reject("no timestamp (no tag block c:, no receiver-log time)", no_time["lineno"].to_list())
    msgs = msgs.filter(pl.col("ts").is_not_null()).sort("lineno")
    report.messages = msgs.height + no_time.height
    positions, statics = _decode_messages(msgs, report)
    pos = pl.concat(positions) if positions else pl.DataFrame(schema=dict(POSITIONS_SCHEMA))
    sta = pl.concat(statics) if statics else pl.DataFrame(schema=dict(STATIC_SCHEMA))
    report.positions, report.static = pos.height, sta.height
    return DecodeResult(pos, sta, report)


def decode_lines(lines: pl.Series | Iterable[str], chunk_size: int = _CHUNK) -> DecodeResult:
    """Decode NMEA lines (a string Series, or any iterable of str) into positions and static reports.

    Work is done in chunks of ``chunk_size`` lines to bound memory; a multi-part message split by a
    chunk boundary is joined by carrying the last few lines over.
    """
    series = lines if isinstance(lines, pl.Series) else pl.Series("line", list(lines), dtype=pl.Utf8)
    series = series.cast(pl.Utf8)
    report = DecodeReport()
    positions: list[pl.DataFrame] = []
    statics: list[pl.DataFrame] = []
    start = 0
    n = len(series)
    while start < n:
        stop = min(n, start + chunk_size)
        # do not cut a multi-part message: end the chunk after the last complete single-part sentence
        if stop < n:
            window = min(10, stop - start)
            tail = series.slice(stop - window, window).str.contains(r"VD[MO],[2-9],1,").fill_null(False)
            if tail.any():
                cut = stop - window + int(np.flatnonzero(tail.to_numpy())[-1])
                if cut > start:
                    stop = cut
        result = _decode_chunk(series.slice(start, stop - start))
        report.merge(result.report, line_offset=start)
        positions.append(result.positions)
        statics.append(result.static)
        start = stop
    return DecodeResult(
        pl.concat(positions) if positions else pl.DataFrame(schema=dict(POSITIONS_SCHEMA)),
        pl.concat(statics) if statics else pl.DataFrame(schema=dict(STATIC_SCHEMA)),
        report,
    )


# ---------------------------------------------------------------------------------------------- reference


_TAG_TIME = re.compile(r"(?:^|,)c:(\d{9,13})")


def decode_reference(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Decode with pyais, message by message (slow; the reference the vectorized decoder is tested against).

    Returns one dict per decoded message of a supported type: ``type``, ``mmsi`` and pyais' fields.
    Lines with bad checksums or that pyais cannot decode are skipped.
    """
    from pyais.stream import IterMessages

    out: list[dict[str, Any]] = []
    raw = [line.encode("ascii", "replace") for line in lines]
    for message in IterMessages(raw):
        try:
            decoded = message.decode().asdict()
        except Exception:
            continue
        if decoded.get("msg_type") in POSITION_TYPES or decoded.get("msg_type") in STATIC_TYPES:
            out.append(decoded)
    return out
