"""The TOML policy: validated, errors name the key; the default reproduces the spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentry.config.policy_file import load_policy, parse_policy, policy_to_toml
from consentry.domain.errors import PolicyInvalid
from consentry.domain.policy import DEFAULT_POLICY, OnOptOut


def test_default_policy_reproduces_spec_numbers() -> None:
    r = DEFAULT_POLICY.retention
    assert (r.training_on, r.standard, r.commercial, r.incognito, r.feedback) == (
        1825,
        30,
        30,
        30,
        1825,
    )
    assert (r.deleted_grace, r.safety_flagged, r.safety_scores) == (30, 730, 2555)
    assert r.on_opt_out is OnOptOut.KEEP
    (terms,) = DEFAULT_POLICY.terms
    assert terms.version == "2025-08-28" and terms.deadline.isoformat().startswith("2025-10-08")


def test_empty_file_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("")
    assert load_policy(path).digest == DEFAULT_POLICY.digest


def test_show_output_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(policy_to_toml(DEFAULT_POLICY))
    assert load_policy(path).digest == DEFAULT_POLICY.digest


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"retention": {"training_on": 0}}, "retention.training_on"),
        ({"retention": {"on_opt_out": "forget"}}, "retention.on_opt_out"),
        ({"retention": {"nonsense": 1}}, "retention.nonsense"),
        ({"coverage": {"resume_scope": "all"}}, "coverage.resume_scope"),
        ({"consumer_plans": ["free", "api"]}, "api plan"),
        (
            {
                "terms": [
                    {
                        "version": "x",
                        "published_at": "2025-01-02T00:00:00Z",
                        "deadline": "2025-01-01T00:00:00Z",
                    }
                ]
            },
            "deadline must be after",
        ),
    ],
)
def test_errors_name_the_key_and_problem(data: dict[str, object], needle: str) -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy(data)
    assert needle in info.value.message


def test_missing_and_malformed_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalid, match="does not exist"):
        load_policy(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("retention = [")
    with pytest.raises(PolicyInvalid, match="not valid TOML"):
        load_policy(bad)


def test_digest_changes_with_any_number() -> None:
    assert parse_policy({"retention": {"standard": 31}}).digest != DEFAULT_POLICY.digest
