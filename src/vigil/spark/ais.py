"""AIS encounters and dark gaps on Spark: the events of :mod:`vigil.maritime.events`, rule for rule.

The rules are those stated in :mod:`vigil.maritime.events` (0 cleaning and segmentation,
1 encounters, 3 gaps), here as DataFrame operations:

- cleaning (rule 0 / tracks rule 1) is a filter and a de-duplication on ``(mmsi, t, lat, lon)``;
  segmentation (tracks rules 2–3) is a window over each MMSI's fixes: an MMSI with an implausible
  step (rare) is split, and its outlier fixes marked, by the local segmentation code in a grouped
  task (the rule is sequential per MMSI); the others are one track without outliers;
- gaps: consecutive fixes of one MMSI (a window partitioned by MMSI; outlier fixes left out) at
  least ``gap_min_s`` apart;
- encounters: marks interpolated between consecutive fixes of a track (a window partitioned by
  track, one row per mark instant ``k``); close pairs are found by a join on ``k`` and a cubic cell
  of Earth-centred coordinates, each mark joined from its own cell and from the neighbouring cells
  whose border it lies within the encounter distance of, so a pair across a cell (partition)
  border is never lost; runs and merged events come from windows over each pair of tracks, and
  medians are exact (``percentile(x, 0.5)``).

Not supported here (the local detectors have them): a ports list (every port rule passes, as
with no list locally), loitering, dark rendezvous, identity overlaps, port calls and area entries.
The ``evidence`` JSON holds the same keys as the local one; compare the other columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from vigil.errors import InputError
from vigil.maritime.geo import EARTH_RADIUS_M, KNOT_MS
from vigil.maritime.presets import Preset
from vigil.spark.session import raise_job_error

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["EVENT_DDL", "SPARK_EVENT_TYPES", "detect_events", "prepare_positions", "read_positions"]

SPARK_EVENT_TYPES = ("encounter", "gap")
#: The columns of :data:`vigil.maritime.events.EVENT_SCHEMA`, in Spark types.
EVENT_DDL = (
    "event_id string, type string, preset string, mmsi bigint, track int, mmsi_b bigint, track_b int, "
    "start timestamp, end timestamp, duration_s double, lat double, lon double, distance_m double, "
    "area string, evidence string"
)
_SORT = ["type", "start", "mmsi", "track", "mmsi_b", "track_b", "area", "event_id"]


def _haversine(lat1: Column, lon1: Column, lat2: Column, lon2: Column) -> Column:
    """:func:`vigil.maritime.geo.haversine_m` as a Spark expression (same formula, same order)."""
    from pyspark.sql import functions as F

    p1, p2 = F.radians(lat1), F.radians(lat2)
    dp = p2 - p1
    dl = F.radians(lon2 - lon1)
    a = F.pow(F.sin(dp / 2.0), 2) + F.cos(p1) * F.cos(p2) * F.pow(F.sin(dl / 2.0), 2)
    return F.lit(2.0 * EARTH_RADIUS_M) * F.asin(F.least(F.lit(1.0), F.sqrt(a)))


def _mod360(x: Column) -> Column:
    """numpy's ``np.mod(x, 360)`` (the non-negative remainder), exactly: fmod, then + 360 if negative."""
    from pyspark.sql import functions as F

    r = x % F.lit(360.0)
    return F.when(r < 0, r + F.lit(360.0)).otherwise(r)


def read_positions(spark: SparkSession, source: str) -> DataFrame:
    """AIS positions from Parquet (the AIS store's ``positions`` folder or any table of its schema)."""
    try:
        table = spark.read.parquet(source)
    except Exception as exc:
        raise InputError(f"{source}: cannot read as Parquet: {str(exc).splitlines()[0][:300]}") from None
    missing = [c for c in ("mmsi", "ts", "lat", "lon") if c not in table.columns]
    if missing:
        raise InputError(f"{source}: positions: missing column(s) {', '.join(missing)}")
    return table


def prepare_positions(positions: DataFrame, preset: Preset) -> DataFrame:
    """Cleaned, de-duplicated, segmented fixes: ``mmsi, t_us, lat, lon, sog, track, outlier`` (rule 0)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sog = F.col("sog").cast("double") if "sog" in positions.columns else F.lit(None).cast("double")
    clean = (
        positions.select(
            F.col("mmsi").cast("long").alias("mmsi"),
            F.unix_micros(F.col("ts").cast("timestamp")).alias("t_us"),
            F.col("lat").cast("double").alias("lat"),
            F.col("lon").cast("double").alias("lon"),
            sog.alias("sog"),
        )
        .where(
            F.col("mmsi").isNotNull()
            & F.col("t_us").isNotNull()
            & F.col("lat").isNotNull()
            & F.col("lon").isNotNull()
            & ~F.isnan("lat")
            & ~F.isnan("lon")
            & (F.abs("lat") <= 90.0)
            & (F.abs("lon") <= 180.0)
        )
        .withColumn("sog", F.when((F.col("sog") >= 0.0) & (F.col("sog") < 102.3), F.col("sog")))
        .dropDuplicates(["mmsi", "t_us", "lat", "lon"])
    )
    # MMSIs with a step that may be implausible (a hair generous: the local code decides exactly).
    by_time = Window.partitionBy("mmsi").orderBy("t_us", "lat", "lon")
    prev_lat, prev_lon, prev_t = (F.lag(c).over(by_time) for c in ("lat", "lon", "t_us"))
    allowed = F.lit(preset.max_speed_kn * KNOT_MS) * ((F.col("t_us") - prev_t) / 1e6) + F.lit(
        preset.jump_slack_m
    )
    flagged = (
        clean.withColumn("jump", _haversine(prev_lat, prev_lon, F.col("lat"), F.col("lon")) > allowed - 1e-6)
        .groupBy("mmsi")
        .agg(F.max(F.coalesce("jump", F.lit(False))).alias("split"))
    )
    marked = clean.join(flagged, "mmsi")
    simple = (
        marked.where(~F.col("split"))
        .drop("split")
        .withColumn("track", F.lit(0).cast("int"))
        .withColumn("outlier", F.lit(False))
    )

    def split(frame: pd.DataFrame) -> pd.DataFrame:
        import polars as pl

        from vigil.maritime.tracks import segment_tracks

        fixes = pl.from_pandas(frame[["mmsi", "t_us", "lat", "lon", "sog"]]).sort(
            ["mmsi", "t_us", "lat", "lon"]
        )
        segmented, _ = segment_tracks(fixes, preset)
        return segmented.select("mmsi", "t_us", "lat", "lon", "sog", "track", "outlier").to_pandas()

    complex_ = (
        marked.where(F.col("split"))
        .drop("split")
        .groupBy("mmsi")
        .applyInPandas(
            split, "mmsi long, t_us long, lat double, lon double, sog double, track int, outlier boolean"
        )
    )
    return simple.unionByName(complex_)


def _finish(events: DataFrame, etype: str, preset: Preset, evidence: Sequence[str]) -> DataFrame:
    from pyspark.sql import functions as F

    def part(name: str) -> Column:
        return F.coalesce(F.col(name).cast("string"), F.lit(""))

    return events.select(
        F.concat_ws(
            ":",
            F.lit(etype),
            part("mmsi"),
            part("track"),
            part("mmsi_b"),
            part("track_b"),
            F.floor(F.col("start_us") / 1_000_000).cast("long").cast("string"),
        ).alias("event_id"),
        F.lit(etype).alias("type"),
        F.lit(preset.name).alias("preset"),
        F.col("mmsi").cast("long"),
        F.col("track").cast("int"),
        F.col("mmsi_b").cast("long"),
        F.col("track_b").cast("int"),
        F.timestamp_micros("start_us").alias("start"),
        F.timestamp_micros("end_us").alias("end"),
        ((F.col("end_us") - F.col("start_us")) / 1e6).alias("duration_s"),
        F.col("lat").cast("double"),
        F.col("lon").cast("double"),
        F.col("distance_m").cast("double"),
        F.lit(None).cast("string").alias("area"),
        F.to_json(F.struct(*[F.col(c) for c in evidence])).alias("evidence"),
    )


def _gaps(fixes: DataFrame, preset: Preset) -> DataFrame:
    """Rule 3: consecutive fixes of one MMSI (outliers left out) at least ``gap_min_s`` apart; no ports."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    by_time = Window.partitionBy("mmsi").orderBy("t_us", "lat", "lon")
    nxt = {c: F.lead(c).over(by_time) for c in ("t_us", "lat", "lon", "track")}
    gaps = (
        fixes.where(~F.col("outlier"))
        .select(
            "mmsi",
            "track",
            F.col("t_us").alias("start_us"),
            nxt["t_us"].alias("end_us"),
            "lat",
            "lon",
            nxt["lat"].alias("lat_after"),
            nxt["lon"].alias("lon_after"),
            nxt["track"].alias("track_after"),
        )
        .where(F.col("end_us") - F.col("start_us") >= F.lit(preset.gap_min_s * 1_000_000))
        .withColumn(
            "distance_m", _haversine(F.col("lat"), F.col("lon"), F.col("lat_after"), F.col("lon_after"))
        )
        .withColumn("mmsi_b", F.lit(None).cast("long"))
        .withColumn("track_b", F.lit(None).cast("int"))
        .withColumn("went_dark_at", F.array(F.round("lat", 5), F.round("lon", 5)))
        .withColumn("reappeared_at", F.array(F.round("lat_after", 5), F.round("lon_after", 5)))
        .withColumn("hours", F.round((F.col("end_us") - F.col("start_us")) / 3.6e9, 2))
        .withColumn(
            "implied_speed_kn",
            F.round(F.col("distance_m") / ((F.col("end_us") - F.col("start_us")) / 1e6) / KNOT_MS, 2),
        )
        .withColumn("port_distance_m", F.lit(None).cast("double"))
        .withColumn("port_distance_after_m", F.lit(None).cast("double"))
    )
    return _finish(
        gaps,
        "gap",
        preset,
        [
            "went_dark_at",
            "reappeared_at",
            "hours",
            "implied_speed_kn",
            "port_distance_m",
            "port_distance_after_m",
            "track_after",
        ],
    )


def _marks(fixes: DataFrame, preset: Preset) -> DataFrame:
    """Rule 1a: the marks ``k`` of every track, interpolated between consecutive fixes."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    step = int(preset.resample_s) * 1_000_000
    by_track = Window.partitionBy("mmsi", "track").orderBy("t_us", "lat", "lon")
    pairs = fixes.select(
        "mmsi",
        "track",
        F.col("t_us").alias("t_p"),
        F.col("lat").alias("lat_p"),
        F.col("lon").alias("lon_p"),
        F.col("sog").alias("sog_p"),
        *[F.lead(c).over(by_track).alias(f"{c}_q") for c in ("lat", "lon", "sog")],
        F.lead("t_us").over(by_track).alias("t_q"),
    )
    dt = F.col("t_q") - F.col("t_p")
    # ceil(t / step) = -floor(-t / step), with floor(x / s) = (x - pmod(x, s)) div s (exact, any sign)
    k_lo = F.expr(f"-(((-t_p) - pmod(-t_p, {step})) div {step})")
    k_hi = F.expr(f"-(((-t_q) - pmod(-t_q, {step})) div {step})")
    pairs = pairs.where((dt > 0) & (dt <= F.lit(preset.max_interp_gap_s * 1_000_000))).where(k_hi > k_lo)
    marks = pairs.withColumn("k", F.explode(F.sequence(k_lo, k_hi - F.lit(1))))
    f = (F.col("k") * F.lit(step) - F.col("t_p")) / (F.col("t_q") - F.col("t_p"))
    dlon = _mod360(F.col("lon_q") - F.col("lon_p") + F.lit(540.0)) - F.lit(180.0)
    implied = (
        _haversine(F.col("lat_p"), F.col("lon_p"), F.col("lat_q"), F.col("lon_q"))
        / ((F.col("t_q") - F.col("t_p")) / 1e6)
        / F.lit(KNOT_MS)
    )
    sa, sb = F.col("sog_p"), F.col("sog_q")
    speed = F.when(sa.isNull(), F.when(sb.isNull(), implied).otherwise(sb)).otherwise(
        F.when(sb.isNull(), sa).otherwise(sa + f * (sb - sa))
    )
    return marks.select(
        "mmsi",
        "track",
        "k",
        (F.col("lat_p") + f * (F.col("lat_q") - F.col("lat_p"))).alias("lat"),
        (_mod360(F.col("lon_p") + f * dlon + F.lit(180.0)) - F.lit(180.0)).alias("lon"),
        speed.alias("speed"),
    )


def _cells(marks: DataFrame, distance_m: float) -> DataFrame:
    """Each mark with its cube cell of Earth-centred coordinates (edge 3 × distance) and, in
    ``probe``, every cell it must be looked up in: its own and each neighbour it lies within
    ``distance_m`` of (per axis)."""
    from pyspark.sql import functions as F

    edge = 3.0 * distance_m
    p, lam = F.radians("lat"), F.radians("lon")
    coords = {
        "x": F.lit(EARTH_RADIUS_M) * F.cos(p) * F.cos(lam),
        "y": F.lit(EARTH_RADIUS_M) * F.cos(p) * F.sin(lam),
        "z": F.lit(EARTH_RADIUS_M) * F.sin(p),
    }
    out = marks
    for axis, value in coords.items():
        out = out.withColumn(f"c{axis}", F.floor(value / F.lit(edge)).cast("long")).withColumn(
            f"f{axis}", value - F.col(f"c{axis}") * F.lit(edge)
        )

    def offsets(axis: str) -> Column:
        inside = F.col(f"f{axis}")
        return F.filter(
            F.array(F.lit(-1), F.lit(0), F.lit(1)),
            lambda o: (
                (o == 0)
                | ((o == -1) & (inside < distance_m))
                | ((o == 1) & (F.lit(edge) - inside < distance_m))
            ),
        )

    return out.withColumn("ox", offsets("x")).withColumn("oy", offsets("y")).withColumn("oz", offsets("z"))


def _encounters(fixes: DataFrame, preset: Preset) -> DataFrame:
    """Rule 1 (no ports list: every mark is far enough from a port)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    distance = float(preset.encounter_distance_m)
    step = int(preset.resample_s)
    marks = _cells(_marks(fixes, preset), distance).localCheckpoint()
    a = (
        marks.withColumn("ex", F.explode("ox"))
        .withColumn("ey", F.explode("oy"))
        .withColumn("ez", F.explode("oz"))
        .select(
            "mmsi",
            "track",
            "k",
            F.col("lat").alias("lat_a"),
            F.col("lon").alias("lon_a"),
            F.col("speed").alias("speed_a"),
            (F.col("cx") + F.col("ex")).alias("px"),
            (F.col("cy") + F.col("ey")).alias("py"),
            (F.col("cz") + F.col("ez")).alias("pz"),
        )
    )
    b = marks.select(
        F.col("mmsi").alias("mmsi_b"),
        F.col("track").alias("track_b"),
        "k",
        F.col("lat").alias("lat_b"),
        F.col("lon").alias("lon_b"),
        F.col("speed").alias("speed_b"),
        F.col("cx").alias("px"),
        F.col("cy").alias("py"),
        F.col("cz").alias("pz"),
    )
    close = (
        a.join(b, ["k", "px", "py", "pz"])
        .where(F.col("mmsi") < F.col("mmsi_b"))
        .withColumn("d", _haversine(F.col("lat_a"), F.col("lon_a"), F.col("lat_b"), F.col("lon_b")))
        .where(F.col("d") <= distance)
        .drop("px", "py", "pz")
    )
    key = ["mmsi", "track", "mmsi_b", "track_b"]
    by_pair = Window.partitionBy(*key).orderBy("k")
    close = close.withColumn("run", F.col("k") - F.row_number().over(by_pair)).localCheckpoint()
    runs = (
        close.groupBy(*key, "run")
        .agg(
            F.min("k").alias("k_first"),
            F.max("k").alias("k_last"),
            F.percentile("speed_a", 0.5).alias("med_a"),
            F.percentile("speed_b", 0.5).alias("med_b"),
        )
        .where(
            ((F.col("k_last") - F.col("k_first")) * step >= preset.encounter_min_duration_s)
            & (F.col("med_a") < preset.encounter_max_median_speed_kn)
            & (F.col("med_b") < preset.encounter_max_median_speed_kn)
        )
    )
    by_start = Window.partitionBy(*key).orderBy("k_first")
    previous = F.lag("k_last").over(by_start)
    new_event = previous.isNull() | ((F.col("k_first") - previous) * step >= preset.encounter_merge_gap_s)
    runs = runs.withColumn("new", new_event.cast("int")).withColumn(
        "event", F.sum("new").over(by_start.rowsBetween(Window.unboundedPreceding, 0))
    )
    marks_of_events = close.join(runs.select(*key, "run", "event"), [*key, "run"])
    first = F.min_by
    last = F.max_by
    events = marks_of_events.groupBy(*key, "event").agg(
        (F.min("k") * F.lit(step * 1_000_000)).alias("start_us"),
        (F.max("k") * F.lit(step * 1_000_000)).alias("end_us"),
        first("lat_a", "k").alias("lat"),
        first("lon_a", "k").alias("lon"),
        F.percentile("d", 0.5).alias("distance_m"),
        F.count_distinct("run").alias("runs"),
        F.count(F.lit(1)).alias("close_marks"),
        F.round(F.min("d"), 1).alias("min_distance_m"),
        F.round(F.percentile("d", 0.5), 1).alias("median_distance_m"),
        F.round(F.percentile("speed_a", 0.5), 2).alias("median_speed_kn_a"),
        F.round(F.percentile("speed_b", 0.5), 2).alias("median_speed_kn_b"),
        F.array(F.round(first("lat_a", "k"), 5), F.round(first("lon_a", "k"), 5)).alias("start_a"),
        F.array(F.round(first("lat_b", "k"), 5), F.round(first("lon_b", "k"), 5)).alias("start_b"),
        F.array(F.round(last("lat_a", "k"), 5), F.round(last("lon_a", "k"), 5)).alias("end_a"),
        F.array(F.round(last("lat_b", "k"), 5), F.round(last("lon_b", "k"), 5)).alias("end_b"),
    )
    return _finish(
        events,
        "encounter",
        preset,
        [
            "runs", "close_marks", "min_distance_m", "median_distance_m", "median_speed_kn_a",
            "median_speed_kn_b", "start_a", "start_b", "end_a", "end_b",
        ],
    )  # fmt: skip


def detect_events(
    positions: DataFrame, preset: Preset, types: Iterable[str] = SPARK_EVENT_TYPES
) -> DataFrame:
    """The encounter and gap events of raw ``positions`` (AIS store schema), sorted as the local
    ``detect_all`` sorts them; columns :data:`EVENT_DDL`."""
    wanted = list(dict.fromkeys(types))
    unknown = [t for t in wanted if t not in SPARK_EVENT_TYPES]
    if unknown:
        raise InputError(
            f"event type(s) {', '.join(unknown)} not available on Spark "
            f"(available: {', '.join(SPARK_EVENT_TYPES)})"
        )
    try:
        fixes = prepare_positions(positions, preset).localCheckpoint()
        frames: list[DataFrame] = []
        if "encounter" in wanted:
            frames.append(_encounters(fixes, preset))
        if "gap" in wanted:
            frames.append(_gaps(fixes, preset))
    except Exception as exc:
        raise_job_error(exc)
        raise
    if not frames:
        raise InputError("no event type asked for")
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    from pyspark.sql import functions as F

    return result.orderBy(*[F.col(c).asc_nulls_first() for c in _SORT])
