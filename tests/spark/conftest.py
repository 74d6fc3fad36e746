"""One local SparkSession for the whole Spark test run (local[2], UI off, quiet logs).

Without pyspark or Java the Spark tests fail in CI and skip elsewhere (require_or_skip).
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import require_or_skip


def spark_available() -> bool:
    return importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    require_or_skip(spark_available(), "pyspark with a Java runtime")
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark.*")
    from consentry.spark.session import spark_session

    session = spark_session("local[2]", shuffle_partitions=4, app="consentry-tests")
    yield session
    session.stop()
