"""One-shot commands trace as `serve` does (issue 24 item 3): with consentry[otel] and the
standard OTEL_* variables, `consentry sweep` in a real process exports its sweep span and
the statements' shapes; a misconfigured exporter is a clear error, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("opentelemetry.sdk.trace", reason="needs consentry[otel]")

CONSENTRY = Path(sys.executable).with_name("consentry")


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [str(CONSENTRY), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _spans(stdout: str) -> list[dict[str, object]]:
    """The console exporter prints one JSON object per span, pretty-printed."""
    decoder = json.JSONDecoder()
    spans, at = [], stdout.find("{")
    while at != -1:
        span, end = decoder.raw_decode(stdout, at)
        if isinstance(span, dict) and "context" in span:
            spans.append(span)
        at = stdout.find("{", end)
    return spans


def test_sweep_exports_its_span_when_otel_variables_ask(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert _run(["db", "upgrade", "--database-url", url], {}).returncode == 0
    done = _run(["sweep", "--database-url", url], {"OTEL_TRACES_EXPORTER": "console"})
    assert done.returncode == 0, done.stderr
    names = {str(span["name"]) for span in _spans(done.stdout)}
    assert "consentry.retention.sweep" in names, names


def test_no_otel_variables_no_spans(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert _run(["db", "upgrade", "--database-url", url], {}).returncode == 0
    done = _run(["sweep", "--database-url", url], {})
    assert done.returncode == 0, done.stderr
    assert _spans(done.stdout) == []


def test_an_unknown_exporter_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    done = _run(["sweep", "--database-url", url], {"OTEL_TRACES_EXPORTER": "zipkin"})
    assert done.returncode == 2
    assert "otel_misconfigured" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
