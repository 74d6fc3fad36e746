"""protectai/llm-guard's expected answers for the fifteenth set (issue 16): chat prompts.

Read from the Python text with ``ast`` (no test run). llm-guard's scanners take a
prompt (or an LLM's output) and give it back sanitized; each test row names the input
and the text the scanner must give back, so what it replaced is known exactly:

* ``tests/input_scanners/test_anonymize.py`` (``test_scan``, ``test_scan_zh``): the
  prompt and the expected prompt, whose ``[REDACTED_<ENTITY>_<n>]`` placeholders stand
  for the prompt's text they replaced (the expected prompt's literal parts, after the
  configured ``preamble``, line up with the prompt once; two placeholders side by side
  of one entity are one value). A row whose prompt comes back unchanged is a negative,
  unless its settings keep values on purpose (``allowed_names``: the name is there on
  purpose, as the fresh set's secretlint ``allows``); a row that limits
  ``entity_types`` still labels what it replaces, and what it keeps is no negative;
* ``tests/input_scanners/test_secrets.py``: the same with ``*`` runs for the secret;
* ``tests/output_scanners/test_sensitive.py`` (``<ENTITY>`` placeholders) and
  ``tests/output_scanners/test_deanonymize.py`` (the other way round: the LLM's output
  with placeholders, and the text the vault fills in; rows whose vault holds names, not
  placeholders, are fuzzy name matching and left out);
* ``llm_guard/input_scanners/anonymize_helpers/regex_patterns.py``: each pattern's
  ``examples``, which ``test_anonymize.py::test_patterns`` asserts the pattern finds
  (bare values, no prompt).

The regex scanner's tests (``test_regex.py``) are left out: their labels are the test's
own patterns (``\\d{5}``), not kinds. Labels by kind (``label``): e-mail addresses
(also written ``[AT]``/``[DOT]``) ``EMAIL``; phones ``PHONE_INTL`` when written with
``+``, else ``PHONE_NATIONAL``; SSNs ``SSN``; IP addresses ``IPV4``/``IPV6`` where
``ipaddress`` parses them; cards ``CARD`` only where Luhn holds (else
``NOT_ASKED:CARD_NO_LUHN``); secrets by their shape (``secret_label``); names,
organisations, places, the user's hidden names, UUIDs, BTC addresses, URLs, dates,
times, colours, prices and PO boxes ``NOT_ASKED:<kind>``.
"""

from __future__ import annotations

import ast
import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..outside.harvest import Harvest
from ..seventh.redactpii import luhn

SOURCE = "llm-guard"
ANONYMIZE = "tests/input_scanners/test_anonymize.py"
SECRETS = "tests/input_scanners/test_secrets.py"
SENSITIVE = "tests/output_scanners/test_sensitive.py"
DEANONYMIZE = "tests/output_scanners/test_deanonymize.py"
PATTERNS = "llm_guard/input_scanners/anonymize_helpers/regex_patterns.py"
NOT_ASKED = {"PERSON": "NAME", "ORGANIZATION": "ORGANIZATION", "LOCATION": "LOCATION",
             "CUSTOM": "HIDDEN_NAME", "UUID": "UUID", "BTC_ADDRESS": "CRYPTO_ADDRESS",
             "URL": "URL", "DATE": "DATE", "TIME": "TIME", "HEX_COLOR": "HEX_COLOR",
             "PRICE": "CURRENCY", "PO_BOX": "STREET_ADDRESS"}  # fmt: skip
KEPT_ON_PURPOSE = frozenset({"allowed_names"})
_REDACTED = re.compile(r"\[REDACTED_([A-Z_]+?)_\d+\]")
_ANGLE = re.compile(r"<([A-Z_]+)>")
_STARS = re.compile(r"\*{6,}")
_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk-")
_JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+")
_KEY_WORD = re.compile(r"(?i)(?:secret|key|token|passw(?:or)?d|pwd|credential)\w*\W{0,4}$")


def _value(node: ast.expr, names: dict[str, Any]) -> Any:
    """A literal's value, a module-level name's, or None."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Dict):
        return {ast.literal_eval(k): None for k in node.keys if k is not None}
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def parametrized(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(test function, {argument: value}) of every ``pytest.mark.parametrize`` row; a
    settings dict holds only its keys (its values may name helpers)."""
    tree = ast.parse(text)
    names: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            names[node.targets[0].id] = _value(node.value, names)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for dec in fn.decorator_list:
            if isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize":
                args = [a.strip() for a in ast.literal_eval(dec.args[0]).split(",")]
                rows = dec.args[1]
                assert isinstance(rows, ast.List)
                for row in rows.elts:
                    fields = row.elts if isinstance(row, ast.Tuple) else [row]
                    yield fn.name, {a: _value(f, names) for a, f in zip(args, fields, strict=True)}


def replaced(original: str, redacted: str, placeholder: re.Pattern[str]) -> list[tuple[str, str]]:
    """(entity, the original's text it stands for) of each placeholder in ``redacted``,
    in order; [] where the literal parts do not line up with ``original``. Placeholders
    side by side of one entity are one value."""
    merged = re.sub(
        rf"({placeholder.pattern})(?:{placeholder.pattern})+",
        lambda m: m.group(1) if len(set(placeholder.findall(m.group(0)))) == 1 else m.group(0),
        redacted,
    )
    names = [m.group(1) if m.groups() else "SECRET" for m in placeholder.finditer(merged)]
    parts = placeholder.split(merged)[:: 1 + placeholder.groups]
    m = re.fullmatch("(.+?)".join(re.escape(p) for p in parts), original, re.S)
    return list(zip(names, m.groups(), strict=True)) if m else []


def secret_label(value: str, line: str) -> str:
    """A secret's type by its shape: a known prefix, a JWT, a URL's password, a value
    after a key word; anything else a bare high-entropy string."""
    if value.startswith(_PREFIXES):
        return "TOKEN_PREFIXED"
    if _JWT.fullmatch(value):
        return "JWT"
    before = line[: line.find(value)]
    if re.search(r"://[^\s/:@]+:$", before):
        return "URL_PASSWORD"
    if _KEY_WORD.search(before.rstrip("\"'")):
        return "KEYWORD_SECRET"
    return "NOT_ASKED:HIGH_ENTROPY"


def label(entity: str, value: str) -> str:
    """The suite's label of a value llm-guard replaced as ``entity`` (rules above)."""
    kind = re.sub(r"_(RE|ZH|WITH_EXT)$", "", entity)
    if kind in NOT_ASKED:
        return "NOT_ASKED:" + NOT_ASKED[kind]
    if kind == "EMAIL_ADDRESS":
        return "EMAIL"
    if kind == "PHONE_NUMBER":
        return "PHONE_INTL" if value.lstrip("(").startswith("+") else "PHONE_NATIONAL"
    if kind == "US_SSN":
        return "SSN"
    if kind == "CREDIT_CARD":
        digits = re.sub(r"\D", "", value)
        return "CARD" if luhn(digits) and len(set(digits)) > 1 else "NOT_ASKED:CARD_NO_LUHN"
    if kind == "IP_ADDRESS":
        try:
            return "IPV6" if ipaddress.ip_address(value).version == 6 else "IPV4"
        except ValueError:
            return "NOT_ASKED:IP_LIKE"
    return "NOT_ASKED:" + kind


def _add_found(h: Harvest, path: str, text: str, found: list[tuple[str, str]]) -> None:
    for entity, value in found:
        got = secret_label(value, text) if entity == "SECRET" else label(entity, value)
        h.add(got, value, SOURCE, path, context=text)


def _scanner_rows(h: Harvest, show: Callable[[str], str], preambles: tuple[str, ...]) -> None:
    """Anonymize, Secrets and Sensitive: input, expected output, settings (an expected
    output starts with one of ``preambles`` where the settings configure one)."""
    for path, placeholder in ((ANONYMIZE, _REDACTED), (SECRETS, _STARS), (SENSITIVE, _ANGLE)):
        for _fn, row in parametrized(show(path)):
            prompt = row.get("prompt", row.get("output"))
            expected = row.get("expected_prompt", row.get("expected_output"))
            settings = row.get("settings") or {}
            if not prompt or not isinstance(expected, str):
                continue
            if expected == prompt:
                if not KEPT_ON_PURPOSE & settings.keys():
                    h.negative("PROMPT", prompt, SOURCE, path)
                continue
            for p in preambles:
                if "preamble" in settings and expected.startswith(p):
                    expected = expected[len(p) :]
            _add_found(h, path, prompt, replaced(prompt, expected, placeholder))


def _deanonymize_rows(h: Harvest, show: Callable[[str], str]) -> None:
    """The LLM output with placeholders, and the text the vault fills in."""
    for _fn, row in parametrized(show(DEANONYMIZE)):
        output, expected = row.get("output"), row.get("expected_output")
        if isinstance(output, str) and isinstance(expected, str) and _REDACTED.search(output):
            _add_found(h, DEANONYMIZE, expected, replaced(expected, output, _REDACTED))


def _pattern_examples(h: Harvest, show: Callable[[str], str]) -> None:
    """Each default regex pattern's examples, bare (asked kinds go into templates)."""
    tree = ast.parse(show(PATTERNS))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if "examples" in keys and "name" in keys:
                entity = ast.literal_eval(node.values[keys.index("name")])
                for value in ast.literal_eval(node.values[keys.index("examples")]):
                    h.add(label(entity, value), value, SOURCE, PATTERNS)


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled value and clean prompt of llm-guard's tests (rules above)."""
    names: dict[str, Any] = {}
    for node in ast.parse(show(ANONYMIZE)).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            names[node.targets[0].id] = _value(node.value, names)
    preambles = tuple(v for k, v in names.items() if "preamble" in k and v)
    _scanner_rows(h, show, preambles)
    _deanonymize_rows(h, show)
    _pattern_examples(h, show)
