"""The Spark rules do not apply regional retention periods yet (docs/rules.md P21): the
job's commands that compute retention refuse a policy that sets them, with a clear error
code, before a JVM starts, instead of keeping a shortened region's content too long."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.entrypoints.cli import app as cli
from consentry.spark.job import RegionalRetentionUnsupported, run
from tests.conftest import require_or_skip

REGIONAL = (
    '[jurisdictions.regions]\n"DE" = "short"\n\n'
    "[jurisdictions.rule_sets.short]\nretention_standard = 7\n"
)


def test_spark_commands_refuse_a_policy_with_regional_retention_P21(tmp_path: Path) -> None:
    """P21: run-create, audit and sweep refuse (`spark_regional_retention`), naming the
    database commands that do apply the periods."""
    policy = tmp_path / "policy.toml"
    policy.write_text(REGIONAL, encoding="utf-8")
    lake = str(tmp_path / "lake")
    for command in (["sweep"], ["run-create"], ["audit", "--run-id", "run_x"]):
        with pytest.raises(RegionalRetentionUnsupported) as refused:
            run(["--policy", str(policy), command[0], "--lake", lake, *command[1:]])
        assert refused.value.code == "spark_regional_retention"
        assert "P21" in refused.value.message and "consentry sweep" in refused.value.message


def test_spark_cli_exits_2_with_the_code_P21(tmp_path: Path) -> None:
    """P21: `consentry spark sweep --policy …` exits 2 with the code on stderr (needs the
    spark extra installed, as every `consentry spark` command does)."""
    require_or_skip(importlib.util.find_spec("pyspark") is not None, "pyspark")
    policy = tmp_path / "policy.toml"
    policy.write_text(REGIONAL, encoding="utf-8")
    lake = str(tmp_path / "lake")
    answer = CliRunner().invoke(cli, ["spark", "sweep", "--lake", lake, "--policy", str(policy)])
    assert answer.exit_code == 2, answer.output
    assert "spark_regional_retention" in answer.output
