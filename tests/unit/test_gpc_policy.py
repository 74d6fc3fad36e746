"""The policy key `gpc` (docs/rules.md P4–P6): parsed, validated, shown, in the digest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from consentry.config.policy_file import PolicyInvalid, load_policy, parse_policy, policy_to_toml
from consentry.domain.policy import DEFAULT_POLICY, GpcMode
from consentry.service.gpc import signal


def test_gpc_defaults_to_record_and_each_mode_parses_P4() -> None:
    """P4: the default is `record`; a policy file may say any of the three modes."""
    assert DEFAULT_POLICY.gpc is GpcMode.RECORD
    for mode in GpcMode:
        assert parse_policy({"gpc": str(mode)}).gpc is mode


def test_an_unknown_gpc_mode_is_a_clear_error_P4() -> None:
    with pytest.raises(PolicyInvalid, match="gpc"):
        parse_policy({"gpc": "sometimes"})


def test_gpc_is_shown_round_trips_and_changes_the_digest_P5(tmp_path: Path) -> None:
    """P5: `consentry policy show` writes the mode, reading it back gives the same policy,
    and runs made under another mode record another digest (R25)."""
    policy = dataclasses.replace(DEFAULT_POLICY, gpc=GpcMode.OPT_OUT)
    path = tmp_path / "p.toml"
    path.write_text(policy_to_toml(policy))
    assert 'gpc = "opt_out"' in path.read_text()
    assert load_policy(path).digest == policy.digest != DEFAULT_POLICY.digest


@pytest.mark.parametrize(
    ("header", "expected"),
    [("1", True), (" 1 ", True), ("0", False), ("true", False), ("", False), (None, False)],
)
def test_only_sec_gpc_1_is_the_signal_P5(header: str | None, expected: bool) -> None:
    assert signal(header) is expected
