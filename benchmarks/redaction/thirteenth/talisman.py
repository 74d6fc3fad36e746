"""thoughtworks/talisman's detector tests, for the thirteenth set (issue 16).

Talisman is a pre-commit secret scanner in Go; its detectors' tests hand a detector a
file's content and assert whether it is flagged. Read without Go (``golit``):

* ``detector/pattern/pattern_detector_test.go``: each ``shouldPassDetectionOfSecretPattern
  (filename, []byte(EXPR), t)`` is a content Talisman must flag, each ``shouldFail...``
  one it must not; an ``EXPR`` over ``values[i]`` (the loop over its key words,
  ``strings.ToTitle``/``ToUpper`` of them) is expanded for every word of ``values``;
* ``detector/filecontent/*_test.go``: each test function's string constants and
  ``[]byte("...")`` contents, flagged where its name says so (``ShouldFlag``,
  ``ShouldDetect``, ``ReturnCardNumber``), not flagged where it says ``ShouldNot`` or
  ``ReturnEmpty``; a function about configuration (``If``, ``Ignore``, ``Threshold``,
  ``Allowed``, ``Results``, ``Checksum``) is skipped: its answer is the configuration's.

A flagged content is labelled by kind (``golit.kind``); one Talisman does not flag is a
negative only where ``golit.clean`` holds (no secret-shaped run, no password-like value
after a password word), else left out as a near-miss.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from ..outside.harvest import Harvest
from . import golit

SOURCE = "talisman"
PATTERN = "detector/pattern/pattern_detector_test.go"
FILECONTENT = "detector/filecontent"
_CALL = re.compile(
    r"should(Pass|Fail)DetectionOfSecretPattern\(filename,\s*\[\]byte\((.*?)\),\s*t\)", re.S
)
_VALUES = re.compile(r"values\s*:=\s*\[\d+\]string\{([^}]*)\}")
_WORD_FN = {
    "strings.ToTitle(values[i])": str.upper,
    "strings.ToUpper(values[i])": str.upper,
    "values[i]": str,
}
_FUNC = re.compile(r"^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}", re.S | re.M)
_CONST = re.compile(
    r"(?:const \w+ string =|\bs :=)\s*((?:\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`)(?:\s*\+\s*"
    r"(?:\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`))*)"
)
_CONTENT = re.compile(r"(?:\[\]byte|checkCreditCardNumber)\((\"(?:[^\"\\\n]|\\.)*\")\)")
_CONFIG = re.compile(r"If|Ignore|Threshold|Allowed|Results|Checksum")


def expand(expr: str, words: list[str]) -> list[str]:
    """A Go expression's values: one per key word where it uses ``values[i]``."""
    if "values[i]" not in expr:
        one = golit.expression(expr)
        return [one] if one is not None else []
    out = []
    for word in words:
        src = expr
        for call, fn in _WORD_FN.items():
            src = src.replace(call, '"' + fn(word) + '"')
        value = golit.expression(src)
        if value is not None:
            out.append(value)
    return out


def pattern_contents(src: str) -> list[tuple[str, bool]]:
    """(content, flagged) of every pattern-detector case, loops expanded."""
    found = _VALUES.search(src)
    words = [golit.literal(w) for w in re.findall(r'"[^"]*"', found.group(1))] if found else []
    return [(c, kind == "Pass") for kind, expr in _CALL.findall(src) for c in expand(expr, words)]


def function_contents(src: str) -> list[tuple[str, bool]]:
    """(content, flagged) of every filecontent test function its name answers."""
    out = []
    for name, body in _FUNC.findall(src):
        if _CONFIG.search(name):
            continue
        if re.search(r"ShouldNot|ReturnEmpty", name):
            flagged = False
        elif re.search(r"ShouldFlag|ShouldDetect|ReturnCardNumber", name):
            flagged = True
        else:
            continue
        exprs = _CONST.findall(body) + _CONTENT.findall(body)
        for content in dict.fromkeys(golit.expression(e) for e in exprs):
            if content:
                out.append((content, flagged))
    return out


def add(h: Harvest, skipped: Counter[str], path: str, content: str, flagged: bool) -> None:
    """One content, labelled by kind or as a negative (see the module doc)."""
    if flagged:
        got = golit.kind(content)
        if got is None:
            skipped["flagged, value unsure (no key, placeholder)"] += 1
        else:
            h.add(got[0], got[1], SOURCE, path, context=got[2])
    elif golit.clean(content):
        h.negative(
            "KEYWORD_SECRET" if golit.after_word(content) is not None else "TOKEN_CONTEXT",
            content.strip(),
            SOURCE,
            path,
        )
    else:
        skipped["not flagged, near-miss (secret-shaped)"] += 1


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Add every case, labelled as above; returns what was skipped, by why."""
    skipped: Counter[str] = Counter()
    for content, flagged in pattern_contents(show(PATTERN)):
        add(h, skipped, PATTERN, content, flagged)
    for path in ls(FILECONTENT):
        if path.endswith("_test.go"):
            for content, flagged in function_contents(show(path)):
                add(h, skipped, path, content, flagged)
    return skipped
