"""Batch screening and delta re-screening on Spark, with the local engine's answers.

:func:`screen_table` screens a Parquet table of names (a file, a folder of files or any
Hadoop-compatible URI) and writes the same result rows as ``vigil screen-file … --out x.parquet``:
``row, id, name, type, dob, country, hits`` (hits a list of ``rank, party_id, score, refs,
matched_name, schema, explanation``). How it keeps the local answers:

- the :class:`~vigil.match.engine.Matcher` is built once on the driver and broadcast; every task
  scores its rows with that same matcher (``Matcher.screen_batch``) in Arrow batches;
- every row is read exactly as the local Parquet reader reads it (the same cell-to-text rule,
  the same column mapping, date checks and skipping of blank rows and empty names);
- ``row`` is the 1-based row number in the input (Spark's ``_metadata.row_index``, counted on
  across the files of a folder in path order), and the output is written in row order.

:func:`rescreen_table` screens a monitored base against only what one list version changed
from another (the added and changed designations, grouped across lists), as
:meth:`~vigil.screening.service.ScreeningService.rescreen_changes` does after an import, and
writes one row per alert the local service would raise; :func:`delta_lists` says which groups
were touched and which were delisted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from vigil.crypto.screening import AddressIndex
from vigil.errors import InputError
from vigil.match.engine import MatchConfig, Matcher
from vigil.match.index import MatchIndex
from vigil.match.types import Hit
from vigil.model import Party
from vigil.model.groups import group_parties
from vigil.screening.files import (
    DEFAULT_MAX_FIELD,
    ColumnMapping,
    InputRecord,
    ReadReport,
    _cell_text,
    _header_names,
    _ReadState,
    _result,
    result_arrow_schema,
)
from vigil.screening.service import _crypto_lists, _CryptoLists, _invalid_hit, crypto_hits
from vigil.spark.session import raise_job_error
from vigil.store.base import Store

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.broadcast import Broadcast
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "ALERT_COLUMNS",
    "RESULT_DDL",
    "DeltaLists",
    "SparkRescreenSummary",
    "SparkScreenSummary",
    "delta_lists",
    "rescreen_table",
    "screen_table",
]

_ROW = "__vigil_row"
_FILE = "__vigil_file"
_INDEX = "__vigil_index"

_HIT_DDL = (
    "struct<rank:int,party_id:string,score:double,refs:array<string>,"
    "matched_name:string,schema:string,explanation:string>"
)
#: The result rows, as ``vigil screen-file`` writes them to Parquet.
RESULT_DDL = (
    f"row bigint, id string, name string, type string, dob string, country string, hits array<{_HIT_DDL}>"
)
#: One row per alert the local re-screening would raise.
ALERT_COLUMNS = (
    "customer_id",
    "row",
    "name",
    "kind",
    "party_id",
    "group_id",
    "score",
    "matched_name",
    "refs",
    "party_ids",
    "explanation",
)
_ALERT_DDL = (
    "customer_id string, row bigint, name string, kind string, party_id string, group_id string, "
    "score double, matched_name string, refs array<string>, party_ids array<string>, explanation string"
)


@dataclass(kw_only=True)
class SparkScreenSummary:
    """What a Spark screening wrote: result rows, rows with hits, hits, and where."""

    rows: int
    rows_with_hits: int
    hits: int
    output: str
    seconds: float = 0.0


@dataclass(kw_only=True)
class SparkRescreenSummary:
    """What a Spark delta re-screening found: alerts (one row each) for the touched groups."""

    customers: int
    groups_screened: int
    alerts: int
    delisted_groups: list[str] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0


class _Source:
    """The input's name as the user gave it (a local path or a URI), for error messages."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __fspath__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------------- reading


def _read_input(spark: SparkSession, source: str) -> tuple[DataFrame, list[str]]:
    """The input table with its row number column, and its column names as the local reader names them."""
    from pyspark.sql import functions as F

    try:
        table = spark.read.parquet(source)
    except Exception as exc:
        raise InputError(f"{source}: cannot read as Parquet: {_first_line(exc)}") from None
    columns = list(table.columns)
    names = _header_names(columns)
    with_meta = table.select(
        *[F.col(f"`{c}`") for c in columns],
        F.col("_metadata.file_path").alias(_FILE),
        F.col("_metadata.row_index").alias(_INDEX),
    )
    files = sorted(table.inputFiles())
    if len(files) <= 1:
        row = F.col(_INDEX) + F.lit(1)
    else:
        counts = {r[_FILE]: int(r["count"]) for r in with_meta.groupBy(_FILE).count().collect()}
        offsets: list[Any] = []
        total = 0
        for path in sorted(counts):
            offsets.extend([F.lit(path), F.lit(total)])
            total += counts[path]
        row = F.create_map(*offsets)[F.col(_FILE)] + F.col(_INDEX) + F.lit(1)
    framed = with_meta.select(*[F.col(f"`{c}`") for c in columns], row.cast("long").alias(_ROW))
    return framed, names


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__


def _check_mapping(source: str, names: list[str], mapping: ColumnMapping) -> None:
    state = _ReadState(
        path=cast(Path, _Source(source)), mapping=mapping, report=ReadReport(), max_bytes=0, max_field=0
    )
    state.set_header(names)


def _records(batch: pa.RecordBatch, state: _ReadState, names: list[str]) -> list[InputRecord]:
    """The records of one Arrow batch (its last column the row number), as the local reader builds them."""
    columns = [[_cell_text(value) for value in batch.column(i).to_pylist()] for i in range(len(names))]
    numbers = batch.column(len(names)).to_pylist()
    records = []
    for number, values in zip(numbers, zip(*columns, strict=True), strict=True):
        record = state.build(int(number), dict(zip(names, values, strict=True)))
        if record is not None:
            records.append(record)
    return records


# ---------------------------------------------------------------------------------- broadcast state


def _matcher(shared: Broadcast[tuple[MatchIndex, MatchConfig]]) -> Matcher:
    """The broadcast matcher (its index is unpickled once per Python worker, then kept)."""
    index, config = shared.value
    return Matcher(index, config)


@dataclass(frozen=True, slots=True)
class _Job:
    """What every task needs besides its rows; pickled into each task (small)."""

    source: str
    names: list[str]
    mapping: ColumnMapping
    limit: int
    threshold: float | None
    max_field: int
    matcher: Any  # Broadcast[tuple[MatchIndex, MatchConfig]]
    crypto: Any  # Broadcast[_CryptoLists] | None
    addresses: Any  # Broadcast[AddressIndex] | None (re-screening: the delta's addresses)

    def state(self) -> _ReadState:
        state = _ReadState(
            path=cast(Path, _Source(self.source)),
            mapping=self.mapping,
            report=ReadReport(),
            max_bytes=0,
            max_field=self.max_field,
        )
        state.set_header(self.names)
        return state


def _screen_file_batches(batches: Iterable[pa.RecordBatch], job: _Job) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    schema = result_arrow_schema()
    state = job.state()
    matcher = _matcher(job.matcher)
    crypto: _CryptoLists | None = None if job.crypto is None else job.crypto.value
    column = job.mapping.address_column
    for batch in batches:
        records = _records(batch, state, job.names)
        found = matcher.screen_batch([r.query for r in records], limit=job.limit, threshold=job.threshold)
        results = []
        for record, hits in zip(records, found, strict=True):
            extra: list[Hit] = []
            if crypto is not None and column is not None:
                address = record.raw.get(column, "").strip()
                if address:
                    checked, listed = crypto_hits(crypto, address)
                    extra.extend(listed)
                    if checked.status == "invalid":
                        extra.append(_invalid_hit(address, checked))
            results.append(_result(record, [*hits, *extra]))
        yield pa.RecordBatch.from_pylist(results, schema=schema)


def _ordered(table: DataFrame, partitions: int | None) -> DataFrame:
    """The input in row order, range-partitioned so the output files follow the input's order."""
    from pyspark.sql import functions as F

    if partitions:
        return table.repartitionByRange(partitions, F.col(_ROW)).sortWithinPartitions(_ROW)
    return table.orderBy(_ROW)


def screen_table(
    spark: SparkSession,
    matcher: Matcher,
    source: str,
    output: str,
    mapping: ColumnMapping,
    *,
    threshold: float | None = None,
    limit: int = 10,
    crypto: _CryptoLists | None = None,
    max_field: int = DEFAULT_MAX_FIELD,
    partitions: int | None = None,
    mode: str = "errorifexists",
) -> SparkScreenSummary:
    """Screen every row of the Parquet table ``source``; write the results to ``output`` (Parquet).

    ``crypto`` (the designated addresses, from ``ScreeningService.crypto_lists()``) is needed when
    ``mapping.address_column`` is set. ``partitions`` fixes the number of tasks (and output
    files); by default Spark chooses. ``mode`` is Spark's save mode (``overwrite`` to replace).
    :class:`InputError` names the file, row and column of a bad row, as the local reader does.
    """
    import time

    from pyspark.sql import functions as F

    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    if mapping.address_column is not None and crypto is None:
        raise InputError("an address column needs the designated addresses (crypto lists)")
    started = time.perf_counter()
    table, names = _read_input(spark, source)
    _check_mapping(source, names, mapping)
    context = spark.sparkContext
    shared = context.broadcast((matcher.index, matcher.config))
    shared_crypto = context.broadcast(crypto) if mapping.address_column is not None else None
    job = _Job(
        source=source,
        names=names,
        mapping=mapping,
        limit=limit,
        threshold=threshold,
        max_field=max_field,
        matcher=shared,
        crypto=shared_crypto,
        addresses=None,
    )

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _screen_file_batches(batches, job)

    try:
        results = _ordered(table, partitions).mapInArrow(run, RESULT_DDL)
        results.write.mode(mode).parquet(output)
        written = spark.read.parquet(output)
        counts = written.select(
            F.count(F.lit(1)).alias("rows"),
            F.coalesce(F.sum((F.size("hits") > 0).cast("long")), F.lit(0)).alias("with_hits"),
            F.coalesce(F.sum(F.size("hits")), F.lit(0)).alias("hits"),
        ).first()
    except Exception as exc:
        raise_job_error(exc)
        raise
    finally:
        shared.unpersist()
        if shared_crypto is not None:
            shared_crypto.unpersist()
    assert counts is not None
    return SparkScreenSummary(
        rows=int(counts["rows"]),
        rows_with_hits=int(counts["with_hits"]),
        hits=int(counts["hits"]),
        output=output,
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------------- delta re-screening


@dataclass(kw_only=True)
class DeltaLists:
    """What one list version changed, ready to screen.

    ``parties`` are the current records of every touched group (added or changed designations,
    with the records other lists hold of the same party); ``matcher`` indexes only them and
    ``addresses`` only their wallet addresses; ``crypto`` groups addresses over every current
    list; ``delisted`` are the groups whose every record was removed (their alerts close).
    """

    touched: list[str]
    delisted: list[str]
    parties: list[Party]
    matcher: Matcher
    addresses: AddressIndex
    crypto: _CryptoLists


def delta_lists(
    store: Store, old_version_id: int | None, new_version_id: int, config: MatchConfig | None = None
) -> DeltaLists:
    """The groups touched and delisted when ``new_version_id`` replaced ``old_version_id`` of one list.

    "Current" lists are the newest version of every other list plus ``new_version_id``, as right
    after the import. ``old_version_id`` None means a first import: every record is added.
    """
    new = store.get_version(new_version_id)
    if old_version_id is None:
        diff_added = list(store.parties(new_version_id))
        added_ids = [p.id for p in diff_added]
        removed_ids: list[str] = []
        old_parties: list[Party] = []
    else:
        diff = store.diff(old_version_id, new_version_id)
        added_ids = [c.party_id for c in diff.added + diff.changed]
        removed_ids = [c.party_id for c in diff.removed]
        old_parties = list(store.parties(old_version_id))
    others = [s for s in store.sources() if s != new.source]
    current = [*store.current_parties(others), *store.parties(new_version_id)]
    group_of = group_parties(current)
    touched = {group_of.get(pid, pid) for pid in added_ids}
    delisted: set[str] = set()
    if removed_ids:
        old_group_of = group_parties([*store.current_parties(others), *old_parties])
        current_groups = {group_of.get(p.id, p.id) for p in current}
        delisted = {old_group_of.get(pid, pid) for pid in removed_ids} - current_groups
    parties = [p for p in current if group_of.get(p.id, p.id) in touched]
    return DeltaLists(
        touched=sorted(touched),
        delisted=sorted(delisted),
        parties=parties,
        matcher=Matcher(MatchIndex.build(parties), config or MatchConfig()),
        addresses=AddressIndex.from_parties(parties),
        crypto=_crypto_lists(current),
    )


def _alert_row(record: InputRecord, hit: Hit, kind: str) -> dict[str, Any]:
    return {
        "customer_id": record.id,
        "row": record.row,
        "name": record.query.name,
        "kind": kind,
        "party_id": hit.party_id,
        "group_id": hit.group,
        "score": round(hit.score, 6),
        "matched_name": hit.matched_name,
        "refs": list(hit.refs),
        "party_ids": list(hit.party_ids),
        "explanation": hit.explanation.text(),
    }


def _rescreen_batches(batches: Iterable[pa.RecordBatch], job: _Job) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("customer_id", pa.string()),
            ("row", pa.int64()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("party_id", pa.string()),
            ("group_id", pa.string()),
            ("score", pa.float64()),
            ("matched_name", pa.string()),
            ("refs", pa.list_(pa.string())),
            ("party_ids", pa.list_(pa.string())),
            ("explanation", pa.string()),
        ]
    )
    state = job.state()
    matcher = _matcher(job.matcher)
    crypto: _CryptoLists = job.crypto.value
    addresses: AddressIndex = job.addresses.value
    for batch in batches:
        records = _records(batch, state, job.names)
        found = matcher.screen_batch([r.query for r in records], limit=job.limit, threshold=job.threshold)
        rows: list[dict[str, Any]] = []
        for record, hits in zip(records, found, strict=True):
            rows.extend(_alert_row(record, hit, "name") for hit in hits)
            if len(addresses):
                for value in record.query.identifiers:
                    _, listed = crypto_hits(crypto, value, addresses)
                    rows.extend(_alert_row(record, hit, "crypto") for hit in listed)
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def rescreen_table(
    spark: SparkSession,
    delta: DeltaLists,
    source: str,
    output: str,
    mapping: ColumnMapping,
    *,
    max_field: int = DEFAULT_MAX_FIELD,
    partitions: int | None = None,
    mode: str = "errorifexists",
) -> SparkRescreenSummary:
    """Screen the monitored base in ``source`` (Parquet) against ``delta``; write one row per alert.

    The rows are those :meth:`ScreeningService.rescreen_changes` raises as alerts for the same
    base and the same import (``ALERT_COLUMNS``; score rounded to 6 places as in an alert), in
    customer-row order. With no touched group, nothing is screened and an empty table is written.
    """
    import time

    started = time.perf_counter()
    table, names = _read_input(spark, source)
    _check_mapping(source, names, mapping)
    customers = table.count()
    context = spark.sparkContext
    shared = context.broadcast((delta.matcher.index, delta.matcher.config))
    shared_crypto = context.broadcast(delta.crypto)
    shared_addresses = context.broadcast(delta.addresses)
    job = _Job(
        source=source,
        names=names,
        mapping=mapping,
        limit=10,
        threshold=None,
        max_field=max_field,
        matcher=shared,
        crypto=shared_crypto,
        addresses=shared_addresses,
    )

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _rescreen_batches(batches, job)

    try:
        if delta.touched:
            alerts = _ordered(table, partitions).mapInArrow(run, _ALERT_DDL)
        else:
            alerts = spark.createDataFrame([], _ALERT_DDL)
        alerts.write.mode(mode).parquet(output)
        count = spark.read.parquet(output).count()
    except Exception as exc:
        raise_job_error(exc)
        raise
    finally:
        for value in (shared, shared_crypto, shared_addresses):
            value.unpersist()
    return SparkRescreenSummary(
        customers=customers,
        groups_screened=len(delta.touched),
        alerts=count,
        delisted_groups=delta.delisted,
        output=output,
        seconds=time.perf_counter() - started,
    )


def local_path(text: str) -> str:
    """``text`` as an absolute path when it is a local path, unchanged when it is a URI."""
    return text if "://" in text or text.startswith("file:") else os.path.abspath(os.path.expanduser(text))
