"""Issue 23 items 1 and 8 in the domain: auto-delete only shortens retention (docs/rules.md
P12, P13) and rules by jurisdiction (P14-P16), with plain values and no database."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from consentry.config.policy_file import parse_policy
from consentry.config.regions import check_region
from consentry.domain.errors import PolicyInvalid
from consentry.domain.jurisdiction import normalise_region, rule_set_for
from consentry.domain.ledger import ConsentEvent, canonical_entry, consent_receipt, event_hash
from consentry.domain.policy import (
    DEFAULT_POLICY,
    AutoDeletePolicy,
    GpcMode,
    SignupPreset,
)
from consentry.domain.retention import AutoDeletePoint, add_months, retain_until
from consentry.domain.types import (
    ActivityFact,
    ChoicePoint,
    ChoiceSource,
    EventType,
    Scope,
    Training,
)

T0 = datetime(2025, 9, 1, tzinfo=UTC)
P = DEFAULT_POLICY


def _until(acts: list[ActivityFact], points: list[AutoDeletePoint], at: datetime | None = None):
    return retain_until(
        scope=Scope.CONSUMER,
        incognito=False,
        activities=acts,
        choices=[ChoicePoint(T0, Training.ON)],
        policy=P,
        at=at,
        auto_delete=points,
    )


def test_add_months_is_calendar_months_with_the_day_clamped_P12() -> None:
    """P12: periods are calendar months; 31 January + 1 month is the last of February."""
    assert add_months(datetime(2025, 1, 31, tzinfo=UTC), 1) == datetime(2025, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2025, 9, 1, tzinfo=UTC), 18) == datetime(2027, 3, 1, tzinfo=UTC)
    assert add_months(datetime(2025, 11, 15, tzinfo=UTC), 36) == datetime(2028, 11, 15, tzinfo=UTC)


def test_auto_delete_shortens_a_covered_session_to_activity_plus_months_P13_R12() -> None:
    """P13: an activity made under 18 months earns min(5 years, 18 months)."""
    act = [ActivityFact(T0 + timedelta(days=1), covered=True)]
    assert _until(act, []) == act[0].at + timedelta(days=1825)
    assert _until(act, [AutoDeletePoint(T0, 18)]) == add_months(act[0].at, 18)


def test_auto_delete_never_lengthens_an_uncovered_session_P13_R12() -> None:
    """P13: R12 is the bound; an uncovered activity keeps its 30 days under 36 months."""
    act = [ActivityFact(T0 + timedelta(days=1), covered=False)]
    assert _until(act, [AutoDeletePoint(T0, 36)]) == act[0].at + timedelta(days=30)


def test_a_choice_caps_earlier_activity_and_a_longer_one_does_not_restore_it_P13() -> None:
    """P13: choosing 3 months caps what was earned before at last activity + 3 months;
    choosing 36 months or `off` afterwards lengthens nothing already shortened, and only
    later activity earns the longer period."""
    first = ActivityFact(T0, covered=True)
    three = AutoDeletePoint(T0 + timedelta(days=10), 3)
    assert _until([first], [three]) == add_months(T0, 3)
    longer = AutoDeletePoint(T0 + timedelta(days=20), 36)
    off = AutoDeletePoint(T0 + timedelta(days=20), None)
    assert _until([first], [three, longer]) == add_months(T0, 3)
    assert _until([first], [three, off]) == add_months(T0, 3)
    later = ActivityFact(T0 + timedelta(days=30), covered=True)
    assert _until([first, later], [three, longer]) == add_months(later.at, 36)
    assert _until([first, later], [three, off]) == later.at + timedelta(days=1825)


def test_a_choice_after_the_cutoff_does_not_count_at_the_cutoff_P13_R20() -> None:
    """P13, R20: eligibility at a cutoff sees only auto-delete choices made by then."""
    act = [ActivityFact(T0, covered=True)]
    late = AutoDeletePoint(T0 + timedelta(days=40), 3)
    cutoff = T0 + timedelta(days=39)
    assert _until(act, [late], at=cutoff) == T0 + timedelta(days=1825)
    assert _until(act, [late]) == add_months(T0, 3)


def test_offered_periods_must_outlast_the_standard_retention_P13() -> None:
    """P13: a period shorter than `retention.standard` could outlive an opt-out (R18);
    the policy refuses it, naming the key."""
    with pytest.raises(PolicyInvalid, match=r"auto_delete\.offered_months"):
        parse_policy(
            {
                "auto_delete": {"offered_months": [1, 3], "default_months": 3},
                "retention": {"standard": 60},
            }
        )
    with pytest.raises(ValueError, match="default_months"):
        AutoDeletePolicy(offered_months=(3,), default_months=18)


def test_default_policy_offers_3_18_36_months_preset_18_P12() -> None:
    """P12: the default periods and preset of the issue (one large assistant's)."""
    assert P.auto_delete.offered_months == (3, 18, 36)
    assert P.auto_delete.default_months == 18


@pytest.mark.parametrize(
    ("region", "rule_set"),
    [
        ("DE", "opt_in"),
        ("FR", "opt_in"),
        ("NO", "opt_in"),
        ("IS", "opt_in"),
        ("LI", "opt_in"),
        ("GB", "opt_in"),
        ("CH", "opt_in"),
        ("BR", "opt_in"),
        ("CA-QC", "opt_in"),
        ("FR-75C", "opt_in"),  # a subdivision not listed takes its country's rule set
        ("GP", "opt_in"),  # EU outermost region with its own ISO 3166-1 code
        ("AX", "opt_in"),
        ("CA-ON", "seed"),
        ("CA", "seed"),
        ("US", "seed"),
        ("US-CA", "seed"),
        (None, "seed"),
    ],
)
def test_default_policy_maps_regions_to_rule_sets_P14(region: str | None, rule_set: str) -> None:
    """P14: EU/EEA, UK, Switzerland, Brazil and Quebec opt in; the seed elsewhere."""
    assert rule_set_for(region, P).name == rule_set


def test_every_default_opt_in_region_is_an_iso_3166_code_P14() -> None:
    """P14: the default table's codes are all listed by ISO 3166 (pycountry's tables), and
    it holds the 30 EEA countries (27 EU members, Iceland, Liechtenstein, Norway)."""
    codes = [code for code, _ in P.jurisdictions.regions]
    assert [check_region(code) for code in codes] == codes
    eea = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU"}
    eea |= {"IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES"}
    eea |= {"SE", "IS", "LI", "NO"}
    assert len(eea) == 30 and eea <= set(codes)


def test_opt_in_presets_nothing_and_the_seed_keeps_the_spec_P15_R5() -> None:
    """P15: `opt_in` presets neither the notice nor the sign-up form and honours GPC as
    an opt-out; `seed` is the top-level keys (R5's `notice.default_training` = on)."""
    opt_in, seed = rule_set_for("DE", P), rule_set_for("US", P)
    assert (opt_in.notice_default_training, opt_in.signup_preset, opt_in.gpc) == (
        False,
        SignupPreset.NONE,
        GpcMode.OPT_OUT,
    )
    assert (seed.notice_default_training, seed.gpc) == (P.notice_default_training, P.gpc)
    custom = dataclasses.replace(P, notice_default_training=False, gpc=GpcMode.IGNORE)
    assert (rule_set_for("US", custom).notice_default_training, rule_set_for("US", custom).gpc) == (
        False,
        GpcMode.IGNORE,
    )


def test_region_codes_are_checked_against_iso_3166_P14_P16() -> None:
    """P14/P16: codes ISO 3166 lists pass (normalised); others are refused with a reason."""
    assert check_region(" ca-qc ") == "CA-QC"
    assert check_region("de") == "DE"
    for bad in ("XX", "CA-ZZ", "DEU", "Germany", "", "D3"):
        with pytest.raises(ValueError, match="region"):
            check_region(bad)
    with pytest.raises(ValueError):
        normalise_region("12-AB")


def test_a_policy_file_maps_regions_and_refuses_unknown_codes_and_rule_sets_P14() -> None:
    """P14: `[jurisdictions]` in TOML; an unknown code or rule set names the key."""
    policy = parse_policy(
        {
            "jurisdictions": {
                "regions": {"US-CA": "ccpa", "DE": "opt_in"},
                "rule_sets": {
                    "ccpa": {"signup_preset": "off", "gpc": "opt_out"},
                    "opt_in": {"notice_default_training": False, "gpc": "opt_out"},
                },
            }
        }
    )
    assert rule_set_for("US-CA", policy).gpc is GpcMode.OPT_OUT
    assert rule_set_for("US-CA", policy).signup_preset is SignupPreset.OFF
    assert rule_set_for("FR", policy).name == "seed"  # the table was replaced
    with pytest.raises(PolicyInvalid, match=r"regions\.XX"):
        parse_policy({"jurisdictions": {"regions": {"XX": "opt_in"}}})
    with pytest.raises(PolicyInvalid, match="unknown rule set"):
        parse_policy({"jurisdictions": {"regions": {"FR": "nope"}}})


KW: dict[str, object] = {
    "seq": 7,
    "event_id": "evt_1",
    "account_id": "acc_1",
    "at": T0,
    "type": EventType.CHOICE,
    "value": Training.ON,
    "source": ChoiceSource.SIGNUP,
    "terms_version": "2025-08-28",
    "prev_hash": "a" * 64,
}


def test_events_without_the_new_members_hash_exactly_as_before_P16_R27() -> None:
    """P16, R27: the canonical entry of an event without region/rule set/auto-delete is
    the nine-field JSON it always was, so existing chains and Merkle trees still verify."""
    nine = {
        "account_id": "acc_1",
        "at": "2025-09-01T00:00:00Z",
        "event_id": "evt_1",
        "prev_hash": "a" * 64,
        "seq": 7,
        "source": "signup",
        "terms_version": "2025-08-28",
        "type": "choice",
        "value": "on",
    }
    expected = json.dumps(nine, sort_keys=True, separators=(",", ":")).encode()
    assert canonical_entry(**KW) == expected  # type: ignore[arg-type]
    assert event_hash(**KW) == hashlib.sha256(expected).hexdigest()  # type: ignore[arg-type]


def test_region_and_rule_set_are_hashed_and_shown_on_the_receipt_P16_R27() -> None:
    """P16: the members join the canonical entry (so editing them breaks the chain) and
    the receipt; an unknown member is refused."""
    extra = (("region", "DE"), ("rule_set", "opt_in"))
    entry = json.loads(canonical_entry(**KW, extra=extra))  # type: ignore[arg-type]
    assert (entry["region"], entry["rule_set"]) == ("DE", "opt_in")
    plain = event_hash(**KW)  # type: ignore[arg-type]
    assert event_hash(**KW, extra=extra) != plain  # type: ignore[arg-type]
    event = ConsentEvent(**KW, hash=event_hash(**KW, extra=extra), extra=extra)  # type: ignore[arg-type]
    receipt = consent_receipt(event, P)
    assert (receipt["region"], receipt["rule_set"]) == ("DE", "opt_in")
    with pytest.raises(ValueError, match="unknown ledger members"):
        canonical_entry(**KW, extra=(("colour", "red"),))  # type: ignore[arg-type]


def test_an_auto_delete_receipt_is_given_with_its_option_P12_R27() -> None:
    """P12: an auto-delete event's receipt states the option and how to undo it."""
    kw = {**KW, "type": EventType.AUTO_DELETE, "value": None, "source": ChoiceSource.SETTINGS}
    extra = (("auto_delete", "18m"), ("rule_set", "seed"))
    event = ConsentEvent(**kw, hash=event_hash(**kw, extra=extra), extra=extra)  # type: ignore[arg-type]
    receipt = consent_receipt(event, P)
    assert receipt["auto_delete"] == "18m" and receipt["event_state"] == "given"
    assert "auto-delete" in str(receipt["withdrawal_method"])
