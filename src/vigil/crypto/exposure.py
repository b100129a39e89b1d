"""Exposure of addresses to designated addresses through a user-supplied transfer graph.

Input: a CSV or Parquet file with columns ``tx_id, from, to, asset, amount, time``
(``time``: ISO 8601 text in UTC, a timestamp column, or epoch seconds). Addresses are compared
under :func:`vigil.crypto.addresses.match_key`. The columns become numpy arrays (node ids
``int32``, amounts ``float64``, times ``int64``); no per-transfer Python object is built
except in the taint pass, which streams plain floats over the relevant transfers only.
:func:`load_transfers` reads a file chunk by chunk (Parquet: record batches of its row
groups), encoding each chunk's addresses into integer ids of one global dictionary grown
chunk by chunk; transfer ids are not loaded (transfers are row numbers, and the ids of an
evidence path are read back from the file on demand).

The exact rules
---------------

*Window.* Only transfers with ``as_of - window < time <= as_of`` are used, ``as_of``
defaulting to the latest transfer time in the file. Transfers are processed in time
order; transfers with the same time in file order.

*Hops.* ``hops`` is the breadth-first distance from the designated addresses following
transfers forward (``from`` -> ``to``: "received funds from, directly or through
intermediaries"), over the window's transfers regardless of their order in time, up to
``max_hops``. A designated address has 0; beyond ``max_hops`` (or unreachable) -1. The
evidence ``path`` is one shortest path: at each step back from the address, the
earliest transfer that reached it from the previous BFS layer, listed from the
designated address to the address.

*Taint* is kept per (address, asset): amounts of different assets are never added.
Every address starts with a balance of 0 and a tainted balance of 0; designated
addresses are wholly tainted (everything they send is tainted).

- **poison** (any contact): an address is poisoned from the first transfer it receives
  from a designated or poisoned sender. A transfer's amount is poison-tainted if its
  sender is designated or already poisoned at that moment (a poisoned address's later
  outflows are wholly tainted; its inflows before first contact are not).
  ``poison_share = poison-tainted inflow / total inflow``.
- **haircut** (proportional): a transfer of amount ``a`` from a non-designated sender with
  balance ``b`` and tainted balance ``t`` carries ``a * t / max(b, a)`` tainted. If
  ``a > b`` the sender spends funds the graph does not show; they are taken as clean,
  so its whole tainted balance goes out. Then the sender's balance becomes
  ``max(b, a) - a`` and its tainted balance falls by the tainted amount sent; the
  receiver's balance and tainted balance rise by ``a`` and the tainted amount.
  ``haircut_share = haircut-tainted inflow / total inflow``.

Both shares are of the inflow within the window. Taint is not limited by ``max_hops``
(haircut dilutes by itself; poison is the strict reading on purpose).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vigil.crypto.screening import match_keys
from vigil.errors import InputError

__all__ = [
    "DEFAULT_MAX_HOPS",
    "DEFAULT_WINDOW_DAYS",
    "REQUIRED_COLUMNS",
    "ExposureResult",
    "TransferGraph",
    "build_graph",
    "compute_exposure",
    "load_transfers",
    "read_transfers",
]

DEFAULT_MAX_HOPS: Final = 3
DEFAULT_WINDOW_DAYS: Final = 365
REQUIRED_COLUMNS: Final = ("tx_id", "from", "to", "asset", "amount", "time")
_CHUNK: Final = 1 << 20

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TransferGraph:
    """Transfers as arrays: ``src``/``dst`` index ``nodes`` (address keys), ``asset_id``
    indexes ``assets``; ``time`` is epoch seconds.

    Transfers are known by their row number. ``tx_id`` holds the ids when the graph was
    built from an in-memory table; a graph read from a file (:func:`load_transfers`) keeps
    only ``source`` and reads the ids of the rows asked for (:meth:`tx_labels`) when needed.
    """

    tx_id: pa.Array | None
    src: I32
    dst: I32
    asset_id: I32
    amount: F64
    time: I64
    nodes: pa.Array
    assets: pa.Array
    source: Path | None = None

    def __len__(self) -> int:
        return len(self.src)

    def tx_labels(self, rows: npt.ArrayLike) -> pa.Array:
        """The ``tx_id`` of the given transfer rows (strings, in the order asked)."""
        wanted = np.asarray(rows, dtype=np.int64).reshape(-1)
        if self.tx_id is not None:
            return self.tx_id.take(pa.array(wanted, pa.int64()))
        if self.source is None or not len(wanted):
            return pa.array([""] * len(wanted), pa.string())
        unique, inverse = np.unique(wanted, return_inverse=True)
        found: list[pa.Array] = []
        offset = 0
        for batch in _batches(self.source, ["tx_id"]):
            n = batch.num_rows
            lo, hi = np.searchsorted(unique, [offset, offset + n])
            if hi > lo:
                local = pa.array(unique[lo:hi] - offset, pa.int64())
                column = batch.column(0).take(local).cast(pa.string())
                found.append(pc.fill_null(column, ""))
            offset += n
            if hi >= len(unique):
                break
        values = pa.concat_arrays(found) if found else pa.array([], pa.string())
        return values.take(pa.array(inverse.reshape(-1), pa.int64()))


def _check_columns(path: Path, names: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; need {', '.join(REQUIRED_COLUMNS)}"
        )


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _batches(path: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """Stream ``columns`` of a transfer file in record batches of at most ``_CHUNK`` rows."""
    try:
        if _is_parquet(path):
            import pyarrow.parquet as pq

            dictionary = [c for c in ("from", "to", "asset") if c in columns]
            parquet = pq.ParquetFile(path, read_dictionary=dictionary, pre_buffer=False, buffer_size=1 << 22)
            _check_columns(path, parquet.schema_arrow.names)
            yield from parquet.iter_batches(batch_size=_CHUNK, columns=columns)
            return
        import csv

        import pyarrow.csv as pacsv

        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
        _check_columns(path, [name.strip() for name in header])
        types = {name: pa.string() for name in ("tx_id", "from", "to", "asset")}
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=64 << 20),
            convert_options=pacsv.ConvertOptions(column_types=types, include_columns=columns),
        )
        yield from reader
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: cannot read the transfers: {exc}") from exc


def read_transfers(path: Path) -> pa.Table:
    """Read a whole transfer file (``.parquet``/``.pq`` or CSV) as a table; InputError if
    columns are missing. For large files use :func:`load_transfers`, which streams."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return pa.Table.from_batches(list(_batches(path, list(REQUIRED_COLUMNS))))


def _local_dictionary(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, I64]:
    """(distinct values as strings, index of every row into them) of one chunk's column."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if isinstance(array, pa.ChunkedArray):  # combine_chunks of a dictionary column may stay chunked
        array = pa.concat_arrays(array.chunks)
    if array.null_count:
        raise InputError("a transfer has no address (empty from/to)")
    shared = pa.types.is_dictionary(array.type)
    if not shared:
        array = array.dictionary_encode()
    values = array.dictionary.cast(pa.string())
    indices = np.asarray(array.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    if shared and len(values) > 1024:
        # A dictionary read from the file may be shared by every batch (or the whole file):
        # keep only the entries this chunk uses.
        used, indices = np.unique(indices, return_inverse=True)
        values = values.take(pa.array(used, pa.int64()))
        indices = indices.reshape(-1).astype(np.int64)
    return values, indices


class _Ids:
    """One global ``value -> id`` mapping, grown chunk by chunk (ids in first-seen order)."""

    def __init__(self) -> None:
        self._chunks: list[pa.Array] = []
        self._known = pa.array([], pa.string())
        self.size = 0

    def encode(self, values: pa.Array) -> I64:
        """Global ids of ``values`` (new values get the next ids)."""
        encoded = values.dictionary_encode()
        distinct = encoded.dictionary
        if self.size:
            found = pc.index_in(distinct, value_set=self._known)
            ids = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        else:
            ids = np.full(len(distinct), -1, dtype=np.int64)
        new = np.flatnonzero(ids < 0)
        if len(new):
            ids[new] = np.arange(self.size, self.size + len(new))
            self._chunks.append(distinct.take(pa.array(new, pa.int64())))
            self.size += len(new)
            self._known = pa.concat_arrays(self._chunks)
            self._chunks = [self._known]
        return ids[np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]

    def values(self) -> pa.Array:
        return self._known


def _shared_ids(
    column: pa.Array | pa.ChunkedArray, nodes: _Ids, cache: list[tuple[pa.Array, I64]]
) -> I64 | None:
    """Global ids of an address column read with a dictionary shared by many batches (a
    Parquet file written from a dictionary column): the dictionary is keyed and encoded once,
    then every batch is a numpy take. None if the column has no such dictionary."""
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks != 1:
            return None
        column = column.chunk(0)
    if not pa.types.is_dictionary(column.type) or len(column.dictionary) <= max(len(column) // 4, 1024):
        return None
    if column.null_count:
        raise InputError("a transfer has no address (empty from/to)")
    dictionary = column.dictionary
    ids = next(
        (known for seen, known in cache if len(seen) == len(dictionary) and seen.equals(dictionary)), None
    )
    if ids is None:
        ids = nodes.encode(match_keys(dictionary.cast(pa.string())))
        cache[:] = [*cache[-1:], (dictionary, ids)]
    return ids[np.asarray(column.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]


def _encode(batches: Iterable[pa.RecordBatch | pa.Table], tx_id: bool) -> TransferGraph:
    """Encode transfer chunks: addresses and assets into global integer ids, chunk by chunk."""
    nodes, assets = _Ids(), _Ids()
    src: list[I32] = []
    dst: list[I32] = []
    asset_id: list[I32] = []
    amount: list[F64] = []
    times: list[I64] = []
    tx: list[pa.Array] = []
    shared: list[tuple[pa.Array, I64]] = []
    for batch in batches:
        if not batch.num_rows:
            continue
        src_ids = _shared_ids(batch.column("from"), nodes, shared)
        dst_ids = _shared_ids(batch.column("to"), nodes, shared)
        if src_ids is None or dst_ids is None:
            src_values, src_idx = _local_dictionary(batch.column("from"))
            dst_values, dst_idx = _local_dictionary(batch.column("to"))
            both = pa.concat_arrays([match_keys(src_values), match_keys(dst_values)])
            ids = nodes.encode(both)
            src_ids = ids[: len(src_values)][src_idx]
            dst_ids = ids[len(src_values) :][dst_idx]
        src.append(src_ids.astype(np.int32))
        dst.append(dst_ids.astype(np.int32))
        asset_col = batch.column("asset")
        asset_col = pc.fill_null(asset_col.cast(pa.string()), "")
        asset_values, asset_idx = _local_dictionary(asset_col)
        asset_ids = assets.encode(pc.utf8_upper(pc.utf8_trim_whitespace(asset_values)))
        asset_id.append(asset_ids[asset_idx].astype(np.int32))
        try:
            values = np.asarray(batch.column("amount").cast(pa.float64()).to_numpy(), dtype=np.float64)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(f"unreadable transfer amount: {exc}") from exc
        if np.isnan(values).any() or (values < 0).any():
            raise InputError("transfer amounts must be present and not negative")
        amount.append(values)
        times.append(_epoch_seconds(batch.column("time")))
        if tx_id:
            tx.append(pc.fill_null(batch.column("tx_id").cast(pa.string()), ""))
    return TransferGraph(
        tx_id=(pa.concat_arrays(tx) if tx else pa.array([], pa.string())) if tx_id else None,
        src=np.concatenate(src) if src else np.zeros(0, np.int32),
        dst=np.concatenate(dst) if dst else np.zeros(0, np.int32),
        asset_id=np.concatenate(asset_id) if asset_id else np.zeros(0, np.int32),
        amount=np.concatenate(amount) if amount else np.zeros(0, np.float64),
        time=np.concatenate(times) if times else np.zeros(0, np.int64),
        nodes=nodes.values(),
        assets=assets.values(),
    )


def load_transfers(path: Path) -> TransferGraph:
    """Read and encode a transfer file chunk by chunk (Parquet: per batch of a row group).

    Memory stays at the arrays plus one chunk and the address dictionary; transfer ids are
    not loaded (the graph knows transfers by row number, see :meth:`TransferGraph.tx_labels`).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    columns = [c for c in REQUIRED_COLUMNS if c != "tx_id"]
    graph = _encode(_batches(path, columns), tx_id=False)
    return TransferGraph(
        tx_id=None,
        src=graph.src,
        dst=graph.dst,
        asset_id=graph.asset_id,
        amount=graph.amount,
        time=graph.time,
        nodes=graph.nodes,
        assets=graph.assets,
        source=path,
    )


def _epoch_seconds(column: pa.ChunkedArray | pa.Array) -> I64:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count:
        raise InputError("a transfer has no time")
    try:
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            text = pc.replace_substring_regex(pc.utf8_trim_whitespace(array), r"(Z|[+-]00:?00)$", "")
            array = pc.cast(text, pa.timestamp("s"))  # naive text is read as UTC
        if pa.types.is_date(array.type):
            array = array.cast(pa.timestamp("s"))
        if pa.types.is_timestamp(array.type):
            array = array.cast(pa.timestamp("s", tz=array.type.tz)).cast(pa.int64())
        elif pa.types.is_floating(array.type):
            array = array.cast(pa.int64(), safe=False)
        return np.asarray(array.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"unreadable transfer time: {exc}") from exc


def build_graph(table: pa.Table) -> TransferGraph:
    """Encode an in-memory transfer table (see :func:`read_transfers`) as arrays."""
    missing = [name for name in REQUIRED_COLUMNS if name not in table.column_names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; need {', '.join(REQUIRED_COLUMNS)}")
    return _encode(table.to_batches(max_chunksize=_CHUNK), tx_id=True)


@dataclass(frozen=True, slots=True)
class ExposureResult:
    """Per node: ``hops`` and ``parent_edge`` (index into the graph's transfers, -1 none);
    per (node, asset) pair ``pair_node``/``pair_asset``: inflow and tainted inflows."""

    graph: TransferGraph
    designated: npt.NDArray[np.bool_]
    hops: npt.NDArray[np.int16]
    parent_edge: I64
    pair_node: I32
    pair_asset: I32
    inflow: F64
    haircut_in: F64
    poison_in: F64
    window: tuple[int, int]
    max_hops: int

    def path(self, node: int) -> list[int]:
        """Transfer indices of the evidence path to ``node``, from the designated address."""
        edges: list[int] = []
        while self.hops[node] > 0:
            edge = int(self.parent_edge[node])
            edges.append(edge)
            node = int(self.graph.src[edge])
        return edges[::-1]

    def node_of(self, address: str) -> int | None:
        from vigil.crypto.addresses import match_key

        found = pc.index(self.graph.nodes, match_key(address)).as_py()
        return None if found is None or found < 0 else int(found)

    def shares(self, address: str, asset: str | None = None) -> dict[str, float]:
        """``inflow``, ``haircut`` and ``poison`` (tainted amounts) and their ``*_share``."""
        node = self.node_of(address)
        out = {"inflow": 0.0, "haircut": 0.0, "poison": 0.0}
        if node is not None:
            mask = self.pair_node == node
            if asset is not None:
                asset_pos = pc.index(self.graph.assets, asset.strip().upper()).as_py()
                mask &= self.pair_asset == asset_pos
            out = {
                "inflow": float(self.inflow[mask].sum()),
                "haircut": float(self.haircut_in[mask].sum()),
                "poison": float(self.poison_in[mask].sum()),
            }
        inflow = out["inflow"]
        out["haircut_share"] = out["haircut"] / inflow if inflow else 0.0
        out["poison_share"] = out["poison"] / inflow if inflow else 0.0
        return out

    def to_table(self, *, exposed_only: bool = True) -> pa.Table:
        """One row per (address, asset): hops, inflow, tainted amounts and shares, path."""
        node = self.pair_node
        hops = self.hops[node]
        keep = (
            (hops >= 0) | (self.haircut_in > 0) | (self.poison_in > 0)
            if exposed_only
            else np.ones(len(node), bool)
        )
        rows = np.flatnonzero(keep)
        node = node[rows]
        inflow = self.inflow[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            hair_share = np.where(inflow > 0, self.haircut_in[rows] / inflow, 0.0)
            pois_share = np.where(inflow > 0, self.poison_in[rows] / inflow, 0.0)
        steps: list[I64] = []
        current = node.astype(np.int64)
        for _ in range(self.max_hops):
            edge = np.where(self.hops[current] > 0, self.parent_edge[current], -1)
            steps.append(edge)
            current = np.where(edge >= 0, self.graph.src[np.maximum(edge, 0)], current)
        if steps:
            matrix = np.stack(steps[::-1], axis=1)  # designated end first
            valid = matrix >= 0
            offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
            values = self.graph.tx_labels(matrix[valid])
            path = pa.ListArray.from_arrays(pa.array(offsets), values)
        else:
            path = pa.array([[] for _ in rows], pa.list_(pa.string()))
        return pa.table(
            {
                "address": self.graph.nodes.take(pa.array(node)),
                "asset": self.graph.assets.take(pa.array(self.pair_asset[rows])),
                "designated": pa.array(self.designated[node]),
                "hops": pa.array(self.hops[node]),
                "inflow": pa.array(inflow),
                "haircut_tainted": pa.array(self.haircut_in[rows]),
                "haircut_share": pa.array(hair_share),
                "poison_tainted": pa.array(self.poison_in[rows]),
                "poison_share": pa.array(pois_share),
                "path": path,
            }
        )


def _bfs(
    src: I32, dst: I32, n_nodes: int, seeds: npt.NDArray[np.bool_], max_hops: int | None
) -> tuple[npt.NDArray[np.int16], I64]:
    """Layered BFS over edge arrays (edges in time order: the first edge found is the earliest)."""
    hops = np.full(n_nodes, -1, dtype=np.int16)
    parent = np.full(n_nodes, -1, dtype=np.int64)
    hops[seeds] = 0
    frontier = seeds.copy()
    level = 0
    while frontier.any() and (max_hops is None or level < max_hops):
        level += 1
        edges = np.flatnonzero(frontier[src])
        targets = dst[edges]
        fresh = hops[targets] < 0
        edges, targets = edges[fresh], targets[fresh]
        reached, first = np.unique(targets, return_index=True)
        hops[reached] = level
        parent[reached] = edges[first]
        frontier = np.zeros(n_nodes, dtype=bool)
        frontier[reached] = True
    return hops, parent


def _taint(src: I32, dst: I32, amount: F64, designated: npt.NDArray[np.bool_], n: int) -> tuple[F64, F64]:
    """The sequential haircut/poison pass over transfers in time order (pair ids)."""
    balance = [0.0] * n
    tainted = [0.0] * n
    poisoned = bytearray(designated.astype(np.uint8).tobytes())
    is_designated = designated.tolist()
    haircut_in = [0.0] * n
    poison_in = [0.0] * n
    for start in range(0, len(src), _CHUNK):
        s_list = src[start : start + _CHUNK].tolist()
        d_list = dst[start : start + _CHUNK].tolist()
        a_list = amount[start : start + _CHUNK].tolist()
        for s, d, a in zip(s_list, d_list, a_list, strict=True):
            if is_designated[s]:
                x = a
            else:
                b = balance[s]
                t = tainted[s]
                if b < a:
                    b = a
                x = a * t / b if t > 0.0 else 0.0
                balance[s] = b - a
                tainted[s] = t - x if t > x else 0.0
            balance[d] += a
            if x > 0.0:
                tainted[d] += x
                haircut_in[d] += x
            if poisoned[s]:
                poison_in[d] += a
                poisoned[d] = 1
    return np.asarray(haircut_in, dtype=np.float64), np.asarray(poison_in, dtype=np.float64)


def compute_exposure(
    graph: TransferGraph,
    designated: Collection[str] | pa.Array,
    *,
    max_hops: int = DEFAULT_MAX_HOPS,
    window_days: float | None = DEFAULT_WINDOW_DAYS,
    as_of: int | None = None,
) -> ExposureResult:
    """Hops, haircut and poison exposure of every address (rules: module docstring).

    ``designated`` are addresses (any spelling; matched by key), e.g.
    ``AddressIndex.key_array()``.
    """
    if max_hops < 0:
        raise InputError("max_hops must not be negative")
    n_nodes = len(graph.nodes)
    value_set = designated if isinstance(designated, pa.Array) else pa.array(list(designated), pa.string())
    is_designated = np.asarray(
        pc.is_in(graph.nodes, value_set=match_keys(value_set)).to_numpy(zero_copy_only=False), dtype=bool
    )
    end = int(graph.time.max()) if as_of is None and len(graph) else int(as_of or 0)
    start = end - int(window_days * 86400) if window_days is not None else np.iinfo(np.int64).min
    in_window = np.flatnonzero((graph.time > start) & (graph.time <= end))
    order = in_window[np.argsort(graph.time[in_window], kind="stable")]
    src, dst, amount = graph.src[order], graph.dst[order], graph.amount[order]

    hops, parent_local = _bfs(src, dst, n_nodes, is_designated, max_hops)
    parent_edge = np.where(parent_local >= 0, order[np.maximum(parent_local, 0)], -1)

    # (address, asset) pairs over the window's transfers.
    n_assets = max(len(graph.assets), 1)
    asset = graph.asset_id[order].astype(np.int64)
    pair_keys, pair_ids = np.unique(
        np.concatenate([src.astype(np.int64) * n_assets + asset, dst.astype(np.int64) * n_assets + asset]),
        return_inverse=True,
    )
    pair_src = pair_ids[: len(src)].astype(np.int32)
    pair_dst = pair_ids[len(src) :].astype(np.int32)
    pair_node = (pair_keys // n_assets).astype(np.int32)
    pair_asset = (pair_keys % n_assets).astype(np.int32)
    n_pairs = len(pair_keys)
    pair_designated = is_designated[pair_node]
    inflow = np.bincount(pair_dst, weights=amount, minlength=n_pairs).astype(np.float64)

    # Taint can only reach pairs reachable from a designated pair: stream only the
    # transfers into those (their senders' balances are all that matter).
    reach, _ = _bfs(pair_src, pair_dst, n_pairs, pair_designated, None)
    relevant = np.flatnonzero(reach[pair_dst] >= 0)
    haircut_in, poison_in = _taint(
        pair_src[relevant], pair_dst[relevant], amount[relevant], pair_designated, n_pairs
    )
    return ExposureResult(
        graph=graph,
        designated=is_designated,
        hops=hops,
        parent_edge=parent_edge.astype(np.int64),
        pair_node=pair_node,
        pair_asset=pair_asset,
        inflow=inflow,
        haircut_in=haircut_in,
        poison_in=poison_in,
        window=(int(start) if window_days is not None else int(graph.time.min(initial=0)), end),
        max_hops=max_hops,
    )
