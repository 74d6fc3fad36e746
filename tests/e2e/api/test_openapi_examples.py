"""Every route in /openapi.json carries a request and an answer example (issue 24 item 4),
recorded from the real walk-through (scripts/record_openapi_examples.py), and every
example is valid for its route's schema, so the examples cannot drift from the API."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from consentry.bootstrap import App
from consentry.entrypoints.api.examples import recorded

from .conftest import client_for


@pytest.fixture
def document(core: App) -> dict[str, Any]:
    with client_for(core) as client:
        answer = client.get("/openapi.json")
    assert answer.status_code == 200
    doc: dict[str, Any] = answer.json()
    return doc


def _operations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    ]


def _valid(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
    return [e.message for e in validator.iter_errors(value)]


def test_every_route_has_recorded_examples(document: dict[str, Any]) -> None:
    missing = []
    for key, op in _operations(document):
        if key not in recorded():
            missing.append(f"{key}: not recorded")
            continue
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and "example" not in body:
            missing.append(f"{key}: no request example")
        answers = [
            content
            for status, answer in op["responses"].items()
            if status.startswith("2") and status != "204"
            for content in answer.get("content", {}).values()
        ]
        if answers and not any("example" in c for c in answers):
            missing.append(f"{key}: no answer example")
    assert missing == []
    assert len(_operations(document)) >= 49
    stale = set(recorded()) - {key for key, _ in _operations(document)}
    assert stale == set(), "examples of routes that no longer exist"


def test_every_example_is_valid_for_its_schema(document: dict[str, Any]) -> None:
    problems = {}
    for key, op in _operations(document):
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and "example" in body:
            errors = _valid(document, body["schema"], body["example"])
            if errors:
                problems[f"{key} request"] = errors
        for status, answer in op["responses"].items():
            content = answer.get("content", {}).get("application/json")
            if status.startswith("2") and content and "example" in content and "schema" in content:
                errors = _valid(document, content["schema"], content["example"])
                if errors:
                    problems[f"{key} {status}"] = errors
    assert problems == {}
