"""Vigil on Apache Spark: the same answers as the local engine, on a cluster.

- :mod:`vigil.spark.screening` — batch screening of a Parquet table of names (the match index
  built once on the driver and broadcast; rows scored in Arrow batches), and delta re-screening
  of a monitored base against what changed between two list versions.
- :mod:`vigil.spark.ownership` — the OFAC 50 % rule over an ownership edge table, round by round.
- :mod:`vigil.spark.ais` — the encounter and gap detectors over AIS positions.
- :mod:`vigil.spark.session` — a SparkSession set up for Vigil (local mode or any cluster).

pyspark is imported only inside these modules, so ``vigil`` itself works without it; see
docs/spark.md for deployment.
"""
