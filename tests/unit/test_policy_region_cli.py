"""`consentry policy region CODE` (docs/rules.md P14, P15): which rule set the policy in
force applies to a region, read from the real command."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from consentry.entrypoints.cli import app as cli


def test_policy_region_names_the_rule_set_of_the_default_policy_P14_P15() -> None:
    """P14/P15: Quebec opts in (nothing preset, GPC as an opt-out); Ontario takes the
    seed's rules (notice preset on, GPC recorded); names come from ISO 3166."""
    quebec = CliRunner().invoke(cli, ["policy", "region", "ca-qc"])
    assert quebec.exit_code == 0, quebec.output
    assert json.loads(quebec.stdout) == {
        "region": "CA-QC",
        "name": "Quebec",
        "rule_set": "opt_in",
        "notice_default_training": False,
        "signup_preset": "none",
        "gpc": "opt_out",
        "auto_delete_default_months": 18,
    }
    ontario = json.loads(CliRunner().invoke(cli, ["policy", "region", "CA-ON"]).stdout)
    assert (ontario["rule_set"], ontario["gpc"], ontario["notice_default_training"]) == (
        "seed",
        "record",
        True,
    )


def test_policy_region_reads_a_policy_file_and_refuses_unknown_codes_P14(tmp_path: Path) -> None:
    """P14: a `[jurisdictions]` table in the file is used; a code ISO 3166 does not list
    exits 2 with `validation_error`."""
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[jurisdictions.regions]\n"US-CA" = "ccpa"\n\n'
        '[jurisdictions.rule_sets.ccpa]\nsignup_preset = "off"\ngpc = "opt_out"\n',
        encoding="utf-8",
    )
    answer = CliRunner().invoke(cli, ["policy", "region", "US-CA", "--policy", str(policy)])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["rule_set"] == "ccpa"
    refused = CliRunner().invoke(cli, ["policy", "region", "XX"])
    assert refused.exit_code == 2
    assert "validation_error" in refused.output
