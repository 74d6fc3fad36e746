"""Which parts of a text the NER models see, and which of their spans are kept (SPEC §4).

A text is cut into pieces (sentences and lines, :func:`pieces`); only the pieces that can
hold a name go to a model, each as a document of its own, and the model's offsets are mapped
back into the text. Whether a piece can hold a name depends on how the text is written:

* **case-informative** text (it has an upper-case letter and every piece that starts with
  a letter starts with an upper-case one: the writer capitalises): a name is capitalised,
  so a piece goes to the model when it has an upper-case letter after its first character,
  or its first word is neither one of the model's *openers* nor written in lower case
  elsewhere in the text (a capitalised first word is ambiguous: "Jay left." holds a name,
  "The end." and "Model answers vary. Ask the model." do not);
* any other text (all lower case, or sentences started in lower case: "jay is it
  necessary to…"): case says nothing, so every piece with a letter goes to the model.

The model's *openers* are the stop words of its language (spaCy's own list) that the model
itself does not take for a name when capitalised (:func:`openers`), so the skip only drops a
piece the model would find nothing in on its own words. The same reading of case filters
the model's spans (:func:`keep_span`): a span without a letter is never a name, and in
case-informative text a span without an upper-case letter is not one either ("gredin",
"van den" from OCR text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import re2

# The end of a sentence (punctuation, closing quotes, then space) or a line break.
_BOUNDARY = re2.compile(r"[.!?…]+[\"'»”’)\]]*\s+|\n\s*")
_FIRST_WORD = re2.compile(r"\pL+")
# Frames in which a capitalised stop word is shown to the model (:func:`openers`).
_FRAMES = ("{}", "{} said so.", "{} is here.")
MAX_CHUNK = 100_000  # characters per document; spaCy's own limit is 1,000,000


def pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line of ``text`` that holds a letter.

    A period is not a sentence end before a lower-case letter ("Mejufvr. de Wed.", "e.g.
    the") nor after a capitalised word of at most three letters ("Dr.", "St.", "E."):
    abbreviations, initials and titles stay with the words around them.
    """
    out: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        if text[end] == "." and text[match.end() - 1] != "\n" and _abbreviation(text, start, match):
            continue
        _add(out, text, start, end)
        start = match.end()
    _add(out, text, start, len(text))
    return out


def _abbreviation(text: str, start: int, match: re2._Match[str]) -> bool:
    after = text[match.end() : match.end() + 1]
    if after.islower():
        return True
    end = match.start()
    word_start = end
    while word_start > start and end - word_start <= 3 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:end]
    before = text[word_start - 1] if word_start > start else " "
    return 0 < len(word) <= 3 and word[0].isupper() and not before.isalnum()


def _add(out: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    if piece.strip() and not _no_letter(piece):
        out.append((start, end))


def _no_letter(text: str) -> bool:
    return text.upper() == text.lower() and not any(c.isalpha() for c in text)


def case_informative(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """The writer capitalises: an upper-case letter, and no piece starts in lower case."""
    if text == text.lower():
        return False
    for start, end in spans:
        first = _first_letter(text, start, end)
        if first is not None and first.islower():
            return False
    return True


def _first_letter(text: str, start: int, end: int) -> str | None:
    match = _FIRST_WORD.search(text, start, end)
    return match.group()[0] if match is not None else None


def candidates(
    text: str, spans: Sequence[tuple[int, int]], informative: bool, opener: frozenset[str]
) -> list[tuple[int, int]]:
    """The pieces of ``text`` that go to a model whose openers are ``opener``."""
    if not informative:
        return list(spans)
    lower: set[str] | None = None  # the words the text writes in lower case, when needed
    out = []
    for start, end in spans:
        first = _only_capital(text, start, end)
        if first is None:
            out.append((start, end))
            continue
        if first == "" or first.lower() in opener:
            continue
        if lower is None:
            lower = {w for w in _FIRST_WORD.findall(text) if w.islower()}
        if first.lower() not in lower:
            out.append((start, end))
    return out


def _only_capital(text: str, start: int, end: int) -> str | None:
    """The piece's first word when it is its only capital ("" without a word), else None.

    None (a capital after the first word: a name, an acronym, a title) sends the piece to
    the model. A first word that is the only capital is a candidate unless it is one of
    the model's openers or the text writes it in lower case elsewhere (then it is a
    common word that starts a sentence: "Model answers vary. Ask the model.").
    """
    word = _FIRST_WORD.search(text, start, end)
    if word is None:
        return ""
    rest = text[word.end() : end]
    first = word.group()
    if rest != rest.lower() or first[1:] != first[1:].lower():
        return None
    return str(first)


def keep_span(span: str, informative: bool) -> bool:
    """Whether a model's span can be a name: a letter, and a capital in case-informative text."""
    if _no_letter(span):
        return False
    return not informative or span != span.lower()


def chunks(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) of ``text[start:end]``, cut at a line or space past MAX_CHUNK."""
    while end - start > MAX_CHUNK:
        cut = _cut(text, start, start + MAX_CHUNK)
        yield start, text[start:cut]
        start = cut
    yield start, text[start:end]


def _cut(text: str, start: int, limit: int) -> int:
    for sep in ("\n", " "):
        at = text.rfind(sep, start + MAX_CHUNK // 2, limit)
        if at > start:
            return at + 1
    return limit


def openers(
    stop_words: Iterable[str], is_name: Callable[[list[str]], list[bool]]
) -> frozenset[str]:
    """Stop words that, capitalised, the model finds no name in, in any of :data:`_FRAMES`.

    ``is_name`` runs the model over a list of texts and says, for each, whether it found an
    entity of the stage's types; the answer depends only on the model, so it is computed
    once per loaded model.
    """
    words = sorted(w for w in stop_words if w.isalpha() and w == w.lower())
    keep = set(words)
    for frame in _FRAMES:
        texts = [frame.format(w[:1].upper() + w[1:]) for w in words]
        keep -= {w for w, hit in zip(words, is_name(texts), strict=True) if hit}
    return frozenset(keep)
