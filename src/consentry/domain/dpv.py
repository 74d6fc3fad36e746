"""Consent receipts in the W3C Data Privacy Vocabulary, as JSON-LD (docs/rules.md P9, P10).

The JSON receipts (R27, ISO/IEC TS 27560 core fields) stay the default; this is the same
records in DPV terms (https://w3id.org/dpv, version 2.2), shaped as DPV's own 27560
example (``examples/E0023.ttl`` in w3c/dpv): a ``dpv:ConsentRecord`` with its identifier,
data subject, notice, status and the personal-data handling it covers (purposes, legal
basis, controller, processing, storage duration).

The status of a training choice depends on what came before it, which the JSON form's
``event_state`` does not say: ``on`` is ``dpv:ConsentGiven``; ``off`` after an ``on`` is
``dpv:ConsentWithdrawn``, ``off`` without an earlier ``on`` is ``dpv:ConsentRefused``;
a deferral ("Not now", R6) is ``dpv:ConsentRequestDeferred``. Events that are not a
training choice or deferral (the auto-delete period, P12) are a retention preference,
not consent, and are left out.

The storage duration is the receipt's ``retention_period_days``: since P22 the days
recorded in the event when the choice was made, so a later policy change does not alter
an old record's duration either.

Pure: a function of the receipt dicts and the event kinds; the document carries its own
``@context`` (no remote context to fetch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

DPV = "https://w3id.org/dpv#"
CONTEXT: dict[str, str] = {
    "dpv": DPV,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
PURPOSE_CLASSES: dict[str, tuple[str, ...]] = {
    "model_training": ("dpv:ImproveExistingProductsAndServices", "dpv:ResearchAndDevelopment"),
    "safety_classifiers": ("dpv:MisusePreventionAndDetection",),
}
"""Each consentry purpose (R19) as the DPV purpose classes it is an instance of."""
PROCESSING = ("dpv:Collect", "dpv:Store", "dpv:Use", "dpv:Pseudonymise")
"""What a training run does with covered data: collect, store, use, pseudonymise (R24)."""
CONSENT_KINDS = frozenset({"choice", "deferral"})


def consent_records(
    receipts: Iterable[Mapping[str, Any]], kinds: Mapping[str, str]
) -> dict[str, Any]:
    """The JSON-LD document of an account's receipts (oldest first); ``kinds`` maps each
    ``record_id`` to its event type (``choice``, ``deferral``, …)."""
    graph: list[dict[str, Any]] = []
    given = False
    for receipt in receipts:
        kind = kinds.get(str(receipt["record_id"]))
        if kind not in CONSENT_KINDS:
            continue
        if kind == "deferral":
            status = "dpv:ConsentRequestDeferred"
        elif receipt["event_state"] == "given":
            status, given = "dpv:ConsentGiven", True
        else:
            status = "dpv:ConsentWithdrawn" if given else "dpv:ConsentRefused"
            given = False
        graph.append(_record(receipt, status))
    return {"@context": CONTEXT, "@graph": graph}


def _record(receipt: Mapping[str, Any], status: str) -> dict[str, Any]:
    principal = f"urn:consentry:account:{receipt['principal']}"
    notice = receipt.get("notice") or {}
    record: dict[str, Any] = {
        "@id": f"urn:consentry:consent-record:{receipt['record_id']}",
        "@type": "dpv:ConsentRecord",
        "dpv:hasIdentifier": str(receipt["record_id"]),
        "dpv:hasDataSubject": {
            "@id": principal,
            "@type": "dpv:DataSubject",
            "dpv:hasIdentifier": str(receipt["principal"]),
        },
        "dpv:hasConsentStatus": {"@id": status},
        "dpv:isIndicatedAtTime": {"@value": receipt["time"], "@type": "xsd:dateTime"},
        "dpv:isIndicatedBy": {"@id": principal},
        "dpv:hasIndicationMethod": str(receipt["collection_method"]),
        "dpv:hasPersonalDataHandling": _handling(receipt),
    }
    if notice.get("version"):
        digest = notice.get("text_digest")
        suffix = f":sha256:{digest}" if digest else ""
        record["dpv:hasNotice"] = {
            "@id": f"urn:consentry:notice:{notice['version']}{suffix}",
            "@type": "dpv:ConsentNotice",
            "dpv:hasIdentifier": str(notice["version"]),
        }
    return record


def _handling(receipt: Mapping[str, Any]) -> dict[str, Any]:
    purposes = [
        {"@id": f"urn:consentry:purpose:{name}", "@type": ["dpv:Purpose", *classes]}
        for name in receipt["purposes"]
        for classes in [PURPOSE_CLASSES.get(name, ())]
    ]
    return {
        "@type": "dpv:PersonalDataHandling",
        "dpv:hasPurpose": purposes,
        "dpv:hasLegalBasis": {"@id": "dpv:Consent"},
        "dpv:hasDataController": {
            "@id": "urn:consentry:controller",
            "@type": "dpv:DataController",
            "dpv:hasName": str(receipt["controller"]),
        },
        "dpv:hasProcessing": [{"@id": term} for term in PROCESSING],
        "dpv:hasStorageCondition": {
            "@type": "dpv:StorageDuration",
            "dpv:hasDuration": {
                "@value": f"P{int(receipt['retention_period_days'])}D",
                "@type": "xsd:duration",
            },
        },
    }
