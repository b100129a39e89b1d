"""The script to give ``spark-submit``: runs ``vigil spark <command> …`` under Spark's launcher.

    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import vigil.spark.submit as m; print(m.__file__)')" \\
        screen hdfs:///data/customers.parquet hdfs:///out/results --id-column customer_id

The master, executors and memory come from ``spark-submit``; see docs/spark.md.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Run ``vigil spark`` with ``argv`` (default: this process's arguments)."""
    from vigil.cli.main import app

    app(args=["spark", *(sys.argv[1:] if argv is None else argv)], prog_name="vigil")


if __name__ == "__main__":
    main()
