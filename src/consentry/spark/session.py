"""Building a SparkSession: local mode for tests and benchmarks, or whatever spark-submit gave."""

from __future__ import annotations

import os
import sys
from typing import Any

SPARK_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.legacy.parquet.nanosAsLong": "false",
}
"""Settings the job needs wherever it runs: UTC, and Parquet timestamps as microseconds."""


def spark_session(
    master: str | None = None, *, shuffle_partitions: int | None = None, app: str = "consentry"
) -> Any:
    """The active session (spark-submit) or a new one; `master` such as ``local[2]``.

    Local sessions run the executors' Python with this interpreter, disable the UI and
    log only errors.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if master is not None:
        builder = builder.master(master).config("spark.ui.enabled", "false")
        builder = builder.config("spark.ui.showConsoleProgress", "false")
        builder = builder.config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = builder.getOrCreate()
    if master is not None:
        spark.sparkContext.setLogLevel("ERROR")
    return spark
