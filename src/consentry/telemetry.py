"""OpenTelemetry traces, optional (issue 24 item 3): ``pip install 'consentry[otel]'``.

Without the extra, or without configuration, every helper here is a no-op and nothing
changes. With it, tracing starts when the standard variables ask for it:

* ``OTEL_TRACES_EXPORTER``: ``console`` (the SDK's), ``otlp`` (needs the package
  ``opentelemetry-exporter-otlp``) or ``none``; unset with ``OTEL_EXPORTER_OTLP_ENDPOINT``
  set means ``otlp``; neither set: tracing stays off.
* ``OTEL_SDK_DISABLED=true`` turns it off whatever else is set.
* ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_EXPORTER_OTLP_*``,
  ``OTEL_BSP_*``, ``OTEL_TRACES_SAMPLER``: read by the SDK itself.

Spans (docs/events.md lists them): HTTP requests (route template and status), database
statements (:mod:`consentry.adapters.sql.tracing`: the SQL with its placeholders and the
operation; parameters never),
run creation, export shards, retention sweeps and webhook deliveries, whose requests
carry the W3C ``traceparent`` of their span.

This module imports nothing of consentry's, so any layer may use it (like logging).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

TRACER_NAME = "consentry"
_lock = threading.Lock()
_tracer: Any = None
"""The OpenTelemetry tracer once :func:`configure` ran; None: tracing is off."""


def enabled() -> bool:
    return _tracer is not None


def exporter_name(env: Mapping[str, str]) -> str | None:
    """Which span exporter the standard variables ask for; None: tracing off."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    name = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not name and env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        name = "otlp"
    return name if name and name != "none" else None


def configure_from_env(env: Mapping[str, str] | None = None) -> bool:
    """Start tracing as the OTEL_* variables say; True when it is on.

    Nothing happens without the ``otel`` extra (a warning-free no-op) or when the
    variables do not ask for an exporter."""
    env = os.environ if env is None else env
    name = exporter_name(env)
    if name is None:
        return False
    if not _sdk_installed():
        logging.getLogger(__name__).warning(
            "OTEL_* variables ask for traces, but the otel extra is not installed: no traces "
            "(pip install 'consentry[otel]')"
        )
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    exporter: Any
    if name == "console":
        exporter = ConsoleSpanExporter()
    elif name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
                OTLPSpanExporter,
            )
        except ImportError as missing:
            raise RuntimeError(
                "OTEL_TRACES_EXPORTER=otlp needs the package opentelemetry-exporter-otlp"
            ) from missing
        exporter = OTLPSpanExporter()
    else:
        raise RuntimeError(f"OTEL_TRACES_EXPORTER={name!r}: consentry knows console, otlp, none")
    provider = TracerProvider(resource=Resource.create({"service.name": "consentry"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    configure(provider)
    return True


def _sdk_installed() -> bool:
    try:
        return importlib.util.find_spec("opentelemetry.sdk.trace") is not None
    except ImportError:  # no `opentelemetry` package at all
        return False


def configure(provider: Any) -> None:
    """Trace into `provider` (an SDK ``TracerProvider``; tests give one with an in-memory
    exporter). The database spans come from :mod:`consentry.adapters.sql.tracing`, whose
    listeners the wiring installs."""
    global _tracer
    with _lock:
        _tracer = provider.get_tracer(TRACER_NAME)


def tracer() -> Any:
    """The tracer, or None when tracing is off."""
    return _tracer


def reset() -> None:
    """Tracing off again (tests)."""
    global _tracer
    with _lock:
        _tracer = None


@contextlib.contextmanager
def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: str = "internal",
    parent: Any = None,
) -> Iterator[Any]:
    """A span around the block, or nothing when tracing is off. Attributes whose value is
    None are left out. Yields the span (None when off) for attributes known later;
    `parent` is a context from :func:`extracted` (an incoming ``traceparent``)."""
    tracer = _tracer
    if tracer is None:
        yield None
        return
    from opentelemetry.trace import SpanKind

    clean = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer.start_as_current_span(
        name, context=parent, kind=getattr(SpanKind, kind.upper()), attributes=clean
    ) as current:
        yield current


def traced(
    name: str,
    before: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    after: Callable[[Any], Mapping[str, Any]] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated function in span `name`: attributes from its keyword arguments
    (`before`) and from its result (`after`). Off: the function runs as it is."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if _tracer is None:
                return function(*args, **kwargs)
            with span(name, before(dict(kwargs)) if before else None) as current:
                result = function(*args, **kwargs)
                if after is not None:
                    for key, value in after(result).items():
                        set_attribute(current, key, value)
                return result

        return wrapper

    return decorate


def set_attribute(current: Any, key: str, value: Any) -> None:
    if current is not None and value is not None:
        current.set_attribute(key, value)


def inject(headers: MutableMapping[str, str]) -> None:
    """Add the current span's W3C ``traceparent`` (and ``tracestate``) to `headers`."""
    if _tracer is None:
        return
    from opentelemetry.propagate import inject as otel_inject

    otel_inject(headers)


def extracted(headers: Mapping[str, str]) -> Any:
    """The trace context of an incoming request's ``traceparent``, or None when off."""
    if _tracer is None:
        return None
    from opentelemetry.propagate import extract

    return extract(headers)
