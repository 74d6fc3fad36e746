"""Consent receipts as W3C Data Privacy Vocabulary JSON-LD (docs/rules.md P9, P10)."""

from __future__ import annotations

from typing import Any

import pytest

from consentry.service import accounts, ledger
from consentry.service.dpv_receipts import dpv_receipts
from tests.vocab.dpv_terms import NAMESPACE, SHA256, defined_terms, digest

from .conftest import World

pyld = pytest.importorskip("pyld", reason="pyld (the dev extra) expands JSON-LD")


def _history(world: World) -> str:
    """An existing user: defers the notice, refuses, allows, withdraws, allows again."""
    uid = world.imported()
    accounts.defer_notice(world.ctx, account_id=uid)
    world.advance(seconds=1)
    accounts.accept_notice(world.ctx, account_id=uid, training="off")
    for value in ("on", "off", "on"):
        world.advance(seconds=1)
        world.choose(uid, value)
    return uid


def _iris(value: Any) -> set[str]:
    """Every IRI in an expanded JSON-LD value: ``@id``, ``@type`` and property names."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _iris(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@id" and isinstance(item, str):
                found.add(item)
            elif key == "@type":
                found |= {item} if isinstance(item, str) else set(item)
            elif not key.startswith("@"):
                found.add(key)
                found |= _iris(item)
    return found


def _expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Expanded with pyld, any remote document refused (P10: no network, no remote context)."""
    from pyld import jsonld

    def refuse(url: str, options: dict[str, Any] | None = None) -> Any:
        raise AssertionError(f"the document asked to load {url}")

    expanded: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": refuse})
    return expanded


def test_status_follows_the_history_given_withdrawn_refused_deferred_P9(world: World) -> None:
    """P9: deferral, off without an earlier on (refused), on (given), off after on
    (withdrawn), on again; one record per consent event, the JSON receipts' ids."""
    uid = _history(world)
    document = dpv_receipts(world.ctx, account_id=uid)
    statuses = [r["dpv:hasConsentStatus"]["@id"] for r in document["@graph"]]
    assert statuses == [
        "dpv:ConsentRequestDeferred",
        "dpv:ConsentRefused",
        "dpv:ConsentGiven",
        "dpv:ConsentWithdrawn",
        "dpv:ConsentGiven",
    ]
    plain = ledger.receipts(world.ctx, account_id=uid)
    assert [r["dpv:hasIdentifier"] for r in document["@graph"]] == [p["record_id"] for p in plain]
    first = document["@graph"][2]
    handling = first["dpv:hasPersonalDataHandling"]
    assert first["dpv:hasDataSubject"]["dpv:hasIdentifier"] == uid
    assert handling["dpv:hasDataController"]["dpv:hasName"] == world.ctx.policy.controller
    assert handling["dpv:hasStorageCondition"]["dpv:hasDuration"]["@value"] == (
        f"P{world.ctx.policy.retention.training_on}D"
    )
    assert first["dpv:isIndicatedAtTime"]["@value"] == plain[2]["time"]


def test_every_dpv_term_is_defined_in_the_published_vocabulary_P10(world: World) -> None:
    """P10: the vendored file is the published DPV 2.2 (digest), and every IRI in the
    DPV namespace that the expanded document uses is defined there."""
    assert digest() == SHA256
    document = dpv_receipts(world.ctx, account_id=_history(world))
    used = {iri for iri in _iris(_expand(document)) if iri.startswith(NAMESPACE)}
    assert len(used) > 20
    assert used <= defined_terms(), sorted(used - defined_terms())
    # Nothing the compact form says is lost: every compact dpv: key expanded to an IRI.
    compact_keys = {k for r in document["@graph"] for k in r if k.startswith("dpv:")}
    assert {NAMESPACE + k.removeprefix("dpv:") for k in compact_keys} <= used


def test_a_made_up_term_would_be_caught_P10(world: World) -> None:
    """P10's check can fail: a record with an invented DPV term names it."""
    document = dpv_receipts(world.ctx, account_id=_history(world))
    document["@graph"][0]["dpv:hasConsentMood"] = "cheerful"
    used = {iri for iri in _iris(_expand(document)) if iri.startswith(NAMESPACE)}
    assert used - defined_terms() == {NAMESPACE + "hasConsentMood"}
