"""A SparkSession for Vigil's jobs, local or on a cluster.

pyspark is an optional dependency (``pip install vigil[spark]``); :func:`require_pyspark` turns
its absence into a :class:`~vigil.errors.ConfigurationError` that says how to install it.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

from vigil.errors import ConfigurationError, InputError, VigilError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["get_session", "raise_job_error", "require_pyspark"]


def require_pyspark() -> None:
    """Fail clearly when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "the Spark backend needs pyspark: pip install 'vigil[spark]' (and Java 17 or later)"
        ) from exc


def get_session(
    master: str | None = None, *, app_name: str = "vigil", config: dict[str, str] | None = None
) -> SparkSession:
    """The active SparkSession, or a new one.

    ``master`` (``local[2]``, ``yarn``, ``spark://host:7077``) is applied when the session is
    created here; without it, ``spark-submit``'s master, else ``local[*]``. Outside
    ``spark-submit``, Python workers run this interpreter (``PYSPARK_PYTHON``) unless it is
    already set, so a local run uses the same virtualenv as the driver; under ``spark-submit``
    the workers' Python is the cluster's setting (``spark.pyspark.python``).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # launched by spark-submit
    if not submitted:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    elif not submitted and SparkSession.getActiveSession() is None:
        builder = builder.master("local[*]")
    builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true").config(
        "spark.sql.session.timeZone", "UTC"
    )
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


_PYTHON_ERROR = re.compile(r"vigil\.errors\.(\w+): (.+)")


def raise_job_error(exc: BaseException) -> None:
    """Re-raise a Vigil error raised inside a Spark task as itself, on the driver.

    A task's exception reaches the driver as a Java-side error whose text holds the Python
    traceback; the last ``vigil.errors.X: message`` line in it is raised again as ``X``.
    Spark's own analysis errors (a path that does not exist, an output that already exists, a
    missing column) become :class:`InputError` with Spark's first line. Anything else is
    re-raised unchanged.
    """
    import vigil.errors as errors

    found = _PYTHON_ERROR.findall(str(exc))
    if found:
        name, message = found[-1]
        kind: Any = getattr(errors, name, None)
        if isinstance(kind, type) and issubclass(kind, VigilError):
            try:
                error = kind(message.strip())
            except TypeError:  # an error class with a richer constructor
                error = InputError(message.strip())
            raise error from None
    try:
        from pyspark.errors import AnalysisException
    except ImportError:  # pragma: no cover - pyspark < 3.4
        raise exc from None
    if isinstance(exc, AnalysisException):
        # A path that does not exist, an output that does (without --overwrite), a bad column.
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(text[:500]) from None
    raise exc
