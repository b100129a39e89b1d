"""Exposure of addresses to designated addresses through a user-supplied transfer graph.

Input: a CSV or Parquet file with columns ``tx_id, from, to, asset, amount, time``
(``time``: ISO 8601 text in UTC, a timestamp column, or epoch seconds). Addresses are compared
under :func:`vigil.crypto.addresses.match_key`. The columns become numpy arrays (node ids
``int32``, amounts ``float64``, times ``int64``); no per-transfer Python object is built
except in the taint pass, which streams plain floats over the relevant transfers only.

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

from collections.abc import Collection
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
    indexes ``assets``; ``time`` is epoch seconds."""

    tx_id: pa.Array
    src: I32
    dst: I32
    asset_id: I32
    amount: F64
    time: I64
    nodes: pa.Array
    assets: pa.Array

    def __len__(self) -> int:
        return len(self.src)


def read_transfers(path: Path) -> pa.Table:
    """Read a transfer file (``.parquet``/``.pq`` or CSV); InputError if columns are missing."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            table = pq.read_table(path, read_dictionary=["from", "to", "asset"])
        else:
            import pyarrow.csv as pacsv

            types = {name: pa.string() for name in ("tx_id", "from", "to", "asset")}
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: cannot read the transfers: {exc}") from exc
    missing = [name for name in REQUIRED_COLUMNS if name not in table.column_names]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; need {', '.join(REQUIRED_COLUMNS)}"
        )
    return table


def _dictionary(column: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if isinstance(array, pa.ChunkedArray):  # combine_chunks of a dictionary column may stay chunked
        array = pa.concat_arrays(array.chunks)
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    if array.null_count:
        raise InputError("a transfer has no address (empty from/to)")
    return array


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
    """Encode a transfer table (see :func:`read_transfers`) as arrays."""
    src_dict = _dictionary(table.column("from"))
    dst_dict = _dictionary(table.column("to"))
    both = pa.concat_arrays(
        [match_keys(src_dict.dictionary.cast(pa.string())), match_keys(dst_dict.dictionary.cast(pa.string()))]
    ).dictionary_encode()
    ids = np.asarray(both.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    n_src = len(src_dict.dictionary)
    src = ids[:n_src][np.asarray(src_dict.indices.to_numpy(zero_copy_only=False))]
    dst = ids[n_src:][np.asarray(dst_dict.indices.to_numpy(zero_copy_only=False))]
    asset_dict = _dictionary(pc.fill_null(table.column("asset").cast(pa.string()), ""))
    asset_values = pc.utf8_upper(pc.utf8_trim_whitespace(asset_dict.dictionary.cast(pa.string())))
    asset_enc = asset_values.dictionary_encode()
    asset_map = np.asarray(asset_enc.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    asset_id = asset_map[np.asarray(asset_dict.indices.to_numpy(zero_copy_only=False))]
    amount_col = table.column("amount")
    try:
        amount = np.asarray(amount_col.cast(pa.float64()).to_numpy(), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"unreadable transfer amount: {exc}") from exc
    if np.isnan(amount).any() or (amount < 0).any():
        raise InputError("transfer amounts must be present and not negative")
    tx_col = table.column("tx_id")
    tx_id = pc.fill_null(tx_col.combine_chunks().cast(pa.string()), "")
    return TransferGraph(
        tx_id=tx_id,
        src=src.astype(np.int32, copy=False),
        dst=dst.astype(np.int32, copy=False),
        asset_id=asset_id.astype(np.int32, copy=False),
        amount=amount,
        time=_epoch_seconds(table.column("time")),
        nodes=both.dictionary,
        assets=asset_enc.dictionary,
    )


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
            values = self.graph.tx_id.take(pa.array(matrix[valid]))
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
