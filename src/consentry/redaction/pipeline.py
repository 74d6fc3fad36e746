"""The filter as the policy configures it: patterns, then the NER stage (SPEC §4).

:func:`build_redactor` is the one place the exporters (embedded and Spark) and
``consentry redact`` get their filter from, so that all three run the same stages:

* ``[ner] mode = "auto"`` (default): the NER stage runs when the ``ner`` extra
  (spaCy) is installed; ``"on"``: it must run (a missing extra or model is an error,
  never an unfiltered text); ``"off"``: patterns only.
* the NER stage is the policy's spaCy models (names; places and organisations when
  ``entities`` lists them) plus the street-address patterns of ``address_locales``.

Call :func:`prefetch` with a page of texts before redacting them one by one: the models
then see the page in batches (``nlp.pipe``) instead of one text at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from consentry.domain.policy import NerMode, NerPolicy, Policy

from .addresses import AddressNer
from .engine import Redactor, scanned_view
from .errors import RedactionError
from .model import ADDRESS, Finding, RedactionResult
from .spacy_ner import NerModelMissing, SpacyNer, model_stage, spacy_installed


class CombinedNer:
    """Several NER stages as one (the engine takes one); findings are their union."""

    def __init__(self, spacy: SpacyNer | None, addresses: AddressNer | None) -> None:
        self.spacy = spacy
        self.addresses = addresses

    @property
    def stages(self) -> tuple[str, ...]:
        return (*(self.spacy.stages if self.spacy else ()),) + (
            self.addresses.stages if self.addresses else ()
        )

    def prepare(self, texts: Iterable[str]) -> None:
        if self.spacy is not None:
            self.spacy.prepare(texts)

    def find(self, text: str) -> list[Finding]:
        found = self.addresses.find(text) if self.addresses is not None else []
        if self.spacy is not None:
            found.extend(self.spacy.find(text))
        return found


class PipelineRedactor(Redactor):
    """A :class:`Redactor` that names its stages (models with versions) and batches NER."""

    def __init__(self, pseudonym_key: bytes | None = None, *, ner: CombinedNer | None) -> None:
        super().__init__(pseudonym_key, ner=ner)
        self._stage = ner

    @property
    def stages(self) -> tuple[str, ...]:
        """``patterns``, then each NER model (``spacy:<package>==<version>``) and pattern set."""
        return ("patterns", *self._stage.stages) if self._stage is not None else ("patterns",)

    def prefetch(self, texts: Iterable[str]) -> None:
        """Run the NER models over a page of texts at once (see :func:`prefetch`).

        The models see each text as :meth:`redact` hands it to the NER stage
        (:func:`~consentry.redaction.engine.scanned_view`: escapes decoded, Unicode folded).
        """
        if self._stage is None:
            return
        try:
            self._stage.prepare(_as_scanned(t) for t in texts)
        except Exception as exc:
            raise RedactionError(f"NER stage failed: {type(exc).__name__}") from exc

    def redact_many(self, texts: Sequence[str]) -> list[RedactionResult]:
        """:meth:`redact` for each text, the NER models run over them in batches."""
        self.prefetch(texts)
        return [self.redact(t) for t in texts]


def _as_scanned(text: str) -> str:
    view = scanned_view(text)
    return text if view is None else view.text


def ner_enabled(settings: NerPolicy, override: bool | None = None) -> bool:
    """Whether the NER stage runs: the override (``--ner/--no-ner``), else the policy's mode."""
    if override is not None:
        return override
    if settings.mode is NerMode.AUTO:
        return spacy_installed()
    return settings.mode is NerMode.ON


def build_ner(settings: NerPolicy) -> CombinedNer:
    """The policy's NER stage; raises :class:`NerModelMissing` when a model is not installed."""
    types = [t for t in settings.entities if t != ADDRESS]
    spacy = SpacyNer(settings.models, types) if types else None
    addresses = AddressNer(settings.address_locales) if ADDRESS in settings.entities else None
    if spacy is None and addresses is None:
        raise NerModelMissing("the NER stage is on but [ner] entities is empty")
    return CombinedNer(spacy, addresses)


def build_redactor(
    policy: Policy | NerPolicy | None = None,
    pseudonym_key: bytes | None = None,
    *,
    ner: bool | None = None,
) -> PipelineRedactor:
    """The filter of SPEC §4 as ``policy`` configures it (``ner`` overrides its mode)."""
    settings = policy.ner if isinstance(policy, Policy) else (policy or NerPolicy())
    stage = build_ner(settings) if ner_enabled(settings, ner) else None
    return PipelineRedactor(pseudonym_key, ner=stage)


def stage_names(
    policy: Policy | NerPolicy | None = None, *, ner: bool | None = None
) -> tuple[str, ...]:
    """``build_redactor(policy, ner=ner).stages`` without loading a model.

    Each spaCy model's package and version come from its installed ``meta.json``
    (:func:`~.spacy_ner.model_stage`); a model that is not installed is the same error.
    """
    settings = policy.ner if isinstance(policy, Policy) else (policy or NerPolicy())
    if not ner_enabled(settings, ner):
        return ("patterns",)
    types = [t for t in settings.entities if t != ADDRESS]
    spacy = tuple(model_stage(name) for name in settings.models) if types else ()
    addresses = AddressNer(settings.address_locales) if ADDRESS in settings.entities else None
    if not types and addresses is None:
        raise NerModelMissing("the NER stage is on but [ner] entities is empty")
    return ("patterns", *spacy, *(addresses.stages if addresses else ()))


def prefetch(redactor: Redactor, texts: Iterable[str | None]) -> None:
    """Let ``redactor``'s NER models see a page of texts in batches (no-op without them)."""
    if isinstance(redactor, PipelineRedactor):
        redactor.prefetch(t for t in texts if t is not None)
