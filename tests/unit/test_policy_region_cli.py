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
        "retention_training_on": 1825,  # P21: no rule set of the default policy shortens
        "retention_standard": 30,
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


def test_policy_region_shows_a_rule_sets_shortened_retention_P21(tmp_path: Path) -> None:
    """P21: a rule set's retention days apply to its regions only, the command shows
    them, and a rule set that would lengthen retention does not load (`policy_invalid`)."""
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[jurisdictions.regions]\n"DE" = "short"\n\n'
        "[jurisdictions.rule_sets.short]\nretention_training_on = 365\nretention_standard = 7\n",
        encoding="utf-8",
    )
    germany = json.loads(
        CliRunner().invoke(cli, ["policy", "region", "DE", "--policy", str(policy)]).stdout
    )
    assert (germany["rule_set"], germany["retention_training_on"]) == ("short", 365)
    assert germany["retention_standard"] == 7
    france = json.loads(
        CliRunner().invoke(cli, ["policy", "region", "FR", "--policy", str(policy)]).stdout
    )
    assert (france["retention_training_on"], france["retention_standard"]) == (1825, 30)
    longer = tmp_path / "longer.toml"
    longer.write_text(
        '[jurisdictions.regions]\n"DE" = "long"\n\n'
        "[jurisdictions.rule_sets.long]\nretention_standard = 31\n",
        encoding="utf-8",
    )
    refused = CliRunner().invoke(cli, ["policy", "region", "DE", "--policy", str(longer)])
    assert refused.exit_code == 2
    assert "policy_invalid" in refused.output
    assert "retention_standard" in refused.output
