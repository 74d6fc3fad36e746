"""`GET /v1/me/consent-receipts?format=jsonld` (docs/rules.md P9); the JSON default unchanged."""

from __future__ import annotations

from tests.e2e.api.conftest import Api, expect


def test_jsonld_form_beside_the_unchanged_json_default_P9(api: Api) -> None:
    """P9: ``format=jsonld`` is ``application/ld+json`` with one dpv:ConsentRecord per
    choice; no format and ``format=json`` are the same JSON list (SPEC §3); another
    format is 422; another account's token sees only its own records."""
    user = api.signup("free", "on")
    api.choose(user, "off")
    path = "/v1/me/consent-receipts"
    plain = expect(api.client.get(path, headers=user.headers), 200)
    assert expect(api.client.get(f"{path}?format=json", headers=user.headers), 200) == plain
    assert isinstance(plain, list) and {"record_id", "event_state"} <= set(plain[0])
    response = api.client.get(f"{path}?format=jsonld", headers=user.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"]["dpv"] == "https://w3id.org/dpv#"
    assert [r["dpv:hasConsentStatus"]["@id"] for r in document["@graph"]] == [
        "dpv:ConsentGiven",
        "dpv:ConsentWithdrawn",
    ]
    assert [r["dpv:hasIdentifier"] for r in document["@graph"]] == [p["record_id"] for p in plain]
    expect(api.client.get(f"{path}?format=xml", headers=user.headers), 422, "validation_error")
    other = api.signup("pro", "off")
    theirs = expect(api.client.get(f"{path}?format=jsonld", headers=other.headers), 200)
    assert [r["dpv:hasConsentStatus"]["@id"] for r in theirs["@graph"]] == ["dpv:ConsentRefused"]
    assert all(user.account_id not in str(r) for r in theirs["@graph"])
    expect(api.client.get(f"{path}?format=jsonld"), 401)
