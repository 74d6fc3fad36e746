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
LOOPBACK = "127.0.0.1"


def spark_session(
    master: str | None = None, *, shuffle_partitions: int | None = None, app: str = "consentry"
) -> Any:
    """The active session (spark-submit) or a new one; `master` such as ``local[2]``.

    Local sessions run the executors' Python with this interpreter, disable the UI, log
    only errors and bind the driver to 127.0.0.1 (``spark.driver.bindAddress`` and
    ``spark.driver.host``), not to the machine's first network interface, unless
    ``SPARK_LOCAL_IP`` or ``SPARK_DRIVER_HOST`` says otherwise. A cluster deployment
    (spark-submit, `master` None) sets its own.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if master is not None:
        builder = builder.master(master).config("spark.ui.enabled", "false")
        builder = builder.config("spark.ui.showConsoleProgress", "false")
        builder = builder.config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
        if master.startswith("local"):
            host = os.environ.get("SPARK_DRIVER_HOST") or os.environ.get("SPARK_LOCAL_IP")
            builder = builder.config("spark.driver.bindAddress", host or LOOPBACK)
            builder = builder.config("spark.driver.host", host or LOOPBACK)
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = builder.getOrCreate()
    if master is not None:
        spark.sparkContext.setLogLevel("ERROR")
    return spark
