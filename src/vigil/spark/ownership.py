"""The OFAC 50 % rule on Spark: the blocked entities of the local `apply_fifty_percent_rule`.

The input is an edge table ``owner, owned, share`` (percent) and a set of blocked ids. Round by
round, as the local rule does: the shares held in each not-yet-blocked entity by blocked owners
(the given ids and every entity blocked in an earlier round) are summed; an entity whose sum is
at least the threshold (less 1e-9) is blocked in this round. The rounds stop when a round blocks
nothing. Each blocked entity carries its round, its share (rounded to 9 places), the edges that
make it up (in input order) and up to 20 ownership chains from a given blocked id down to it,
built the way the local rule builds them.

Each round is one join and one aggregation over the edges; the blocked set is checkpointed
every round so the plan stays small however long the chains are. The edges are validated
first, with the local rule's checks (no self-ownership, shares in (0, 100], shares held in one
entity at most 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vigil.errors import InputError
from vigil.graph.ownership import MAX_CHAINS, BlockedEntity, OwnershipEdge
from vigil.spark.session import raise_job_error

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkOwnershipResult", "collect_blocked", "fifty_percent_rule", "read_edges"]

_EPSILON = 1e-9
_SEQ = "__vigil_seq"
_EDGE = "struct<owner:string,owned:string,share:double>"
#: The result table: one row per blocked entity.
RESULT_DDL = (
    f"entity string, share double, round int, contributions array<{_EDGE}>, chains array<array<{_EDGE}>>"
)


@dataclass(kw_only=True)
class SparkOwnershipResult:
    """The blocked entities (a DataFrame of ``RESULT_DDL``, ordered by round then entity) and the
    number of rounds that blocked something."""

    blocked: DataFrame
    rounds: int


def read_edges(
    spark: SparkSession, source: str, *, blocked_column: str | None = None
) -> tuple[DataFrame, DataFrame | None]:
    """The edges of a Parquet table (``owner, owned, share`` plus an input-order column).

    With ``blocked_column`` (a column of the edge table), the owners of rows where it is true
    (or 1, yes, x, blocked as text) are returned as a blocked-id table (column ``id``).
    :class:`InputError` on a missing column.
    """
    from pyspark.sql import functions as F

    try:
        table = spark.read.parquet(source)
    except Exception as exc:
        raise InputError(f"{source}: cannot read as Parquet: {str(exc).splitlines()[0][:300]}") from None
    lower = {c.casefold(): c for c in table.columns}
    missing = [c for c in ("owner", "owned", "share") if c not in lower]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; columns found: {', '.join(table.columns)}"
        )
    if blocked_column is not None and blocked_column.casefold() not in lower:
        raise InputError(f"{source}: no column {blocked_column!r} marks the blocked owners")
    files = sorted(table.inputFiles())
    order = {path: number for number, path in enumerate(files)}
    file_number = F.create_map(*[F.lit(x) for pair in order.items() for x in pair])[
        F.col("_metadata.file_path")
    ]
    edges = table.select(
        F.trim(F.col(f"`{lower['owner']}`").cast("string")).alias("owner"),
        F.trim(F.col(f"`{lower['owned']}`").cast("string")).alias("owned"),
        F.col(f"`{lower['share']}`").cast("double").alias("share"),
        F.struct(file_number.alias("file"), F.col("_metadata.row_index").alias("row")).alias(_SEQ),
        *(
            [F.col(f"`{lower[blocked_column.casefold()]}`").cast("string").alias("__blocked")]
            if blocked_column is not None
            else []
        ),
    )
    blocked = None
    if blocked_column is not None:
        truthy = F.lower(F.trim(F.col("__blocked"))).isin("1", "true", "yes", "y", "x", "blocked")
        blocked = edges.where(truthy).select(F.col("owner").alias("id")).distinct()
        edges = edges.drop("__blocked")
    return edges, blocked


def _validate(edges: DataFrame) -> None:
    """The local rule's checks, each naming an offending edge."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    def edge_text(row: Any) -> str:
        return str(OwnershipEdge(row["owner"], row["owned"], row["share"]))

    running = Window.partitionBy("owned").orderBy(_SEQ).rowsBetween(Window.unboundedPreceding, 0)
    share = F.col("share")
    checked = edges.withColumn("total", F.sum("share").over(running))
    first = (
        checked.where(
            F.col("owner").isNull()
            | F.col("owned").isNull()
            | (F.col("owner") == "")
            | (F.col("owned") == "")
            | share.isNull()
            | F.isnan(share)
            | (F.col("owner") == F.col("owned"))
            | (share <= 0.0)
            | (share > 100.0 + _EPSILON)
            | (F.col("total") > 100.0 + _EPSILON)
        )
        .orderBy(_SEQ)
        .first()
    )
    if first is None:
        return
    if not first["owner"] or not first["owned"]:
        raise InputError(
            f"ownership edge {first['owner']} -> {first['owned']}: owner and owned must not be empty"
        )
    if first["share"] is None:
        raise InputError(f"ownership edge {first['owner']} -> {first['owned']}: share is not a number")
    if first["owner"] == first["owned"]:
        raise InputError(f"ownership edge {edge_text(first)}: an entity cannot own itself")
    if not (0.0 < first["share"] <= 100.0 + _EPSILON):
        raise InputError(f"ownership edge {edge_text(first)}: share must be above 0 and at most 100 %")
    raise InputError(
        f"ownership edge {edge_text(first)}: shares held in {first['owned']} add up to "
        f"{first['total']:g} %, over 100 %"
    )


def fifty_percent_rule(
    spark: SparkSession,
    edges: DataFrame,
    blocked: DataFrame,
    threshold: float = 50.0,
    *,
    max_rounds: int = 10_000,
) -> SparkOwnershipResult:
    """Apply the 50 % rule to ``edges`` (from :func:`read_edges`) given ``blocked`` (column ``id``).

    The given blocked ids are never in the result. :class:`InputError` on bad edges.
    """
    from pyspark.sql import functions as F

    try:
        _validate(edges)
        edges = edges.select("owner", "owned", "share", _SEQ).localCheckpoint()
        edge = F.struct("owner", "owned", "share")
        origin = blocked.select(F.col("id").cast("string").alias("id")).distinct()
        # Every blocked owner with the chains leading to it: a given id has one empty chain.
        empty_chain = F.array(F.array().cast(f"array<{_EDGE}>"))
        known = origin.select(
            "id",
            empty_chain.alias("chains"),
            F.lit(0).alias("round"),
            F.lit(None).cast("double").alias("share"),
            F.lit(None).cast(f"array<{_EDGE}>").alias("contributions"),
        ).localCheckpoint()
        rounds = 0
        while rounds < max_rounds:
            rounds += 1
            owned_by_blocked = edges.join(
                known.select(F.col("id").alias("owner"), F.col("chains").alias("prefixes")), "owner"
            ).join(known.select(F.col("id").alias("owned")), "owned", "left_anti")
            grouped = owned_by_blocked.groupBy("owned").agg(
                F.array_sort(
                    F.collect_list(F.struct(F.col(_SEQ).alias("seq"), edge.alias("edge"), "prefixes"))
                ).alias("parts")
            )
            # Summed in input order, as the local rule sums them.
            total = F.aggregate("parts", F.lit(0.0), lambda acc, part: acc + part["edge"]["share"])
            newly = (
                grouped.withColumn("total", total)
                .where(F.col("total") + _EPSILON >= threshold)
                .select(
                    F.col("owned").alias("id"),
                    F.slice(
                        F.flatten(
                            F.transform(
                                "parts",
                                lambda part: F.transform(
                                    part["prefixes"], lambda prefix: F.concat(prefix, F.array(part["edge"]))
                                ),
                            )
                        ),
                        1,
                        MAX_CHAINS,
                    ).alias("chains"),
                    F.lit(rounds).alias("round"),
                    F.round("total", 9).alias("share"),
                    F.transform("parts", lambda part: part["edge"]).alias("contributions"),
                )
                .localCheckpoint()
            )
            if newly.isEmpty():
                rounds -= 1
                break
            known = known.unionByName(newly)
            if rounds % 8 == 0:  # keep the plan short on long chains
                known = known.localCheckpoint()
        result = (
            known.where(F.col("round") > 0)
            .select(
                F.col("id").alias("entity"),
                "share",
                F.col("round").cast("int").alias("round"),
                "contributions",
                "chains",
            )
            .orderBy("round", "entity")
        )
    except InputError:
        raise
    except Exception as exc:
        raise_job_error(exc)
        raise
    return SparkOwnershipResult(blocked=result, rounds=rounds)


def collect_blocked(result: SparkOwnershipResult) -> dict[str, BlockedEntity]:
    """The result as the local rule returns it (by id, in the order the entities became blocked)."""

    def edge(value: Any) -> OwnershipEdge:
        return OwnershipEdge(value["owner"], value["owned"], value["share"])

    blocked: dict[str, BlockedEntity] = {}
    for row in result.blocked.toLocalIterator():
        blocked[row["entity"]] = BlockedEntity(
            row["entity"],
            row["share"],
            row["round"],
            [edge(e) for e in row["contributions"]],
            [tuple(edge(e) for e in chain) for chain in row["chains"]],
        )
    return blocked
