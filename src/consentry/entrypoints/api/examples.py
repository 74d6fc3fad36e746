"""Examples in the OpenAPI document (issue 24 item 4): every route's request and answer.

The examples are not written by hand: ``scripts/record_openapi_examples.py`` runs the
README's walk-through against the real application on a throwaway database and records
what each route was sent and answered (``openapi_examples.json``, keyed by
``"<METHOD> <path template>"``). :func:`install` puts them into the document that
``/openapi.json`` serves and ``/docs`` shows; a test holds every route to having them
and each example to its schema.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI

EXAMPLES = Path(__file__).parent / "openapi_examples.json"


@cache
def recorded() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return loaded


def add_examples(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the recorded examples set on each operation that has them."""
    examples = recorded()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            example = examples.get(f"{method.upper()} {path}")
            if example is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and "request" in example:
                body["example"] = example["request"]
            answer = operation.get("responses", {}).get(example["status"])
            if answer is None:
                continue
            content = answer.setdefault("content", {})
            if "response" in example:
                content.setdefault("application/json", {})["example"] = example["response"]
            elif "response_text" in example:
                media = example.get("media_type", "text/plain")
                content.pop("application/json", None)
                content.setdefault(media, {})["example"] = example["response_text"]
    return document


def install(app: FastAPI) -> None:
    """Serve the document with its examples (built once, on the first request)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_examples(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
