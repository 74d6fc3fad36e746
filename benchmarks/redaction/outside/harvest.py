"""Builds ``values.jsonl``: labelled values and hard negatives from other projects' data.

    .venv/bin/python -m benchmarks.redaction.outside.harvest --mirrors /work/.mirror

Every value comes from a project other than consentry, with the project, the
file, the commit and the licence recorded per item (``sources.json`` holds the
per-source facts; each item names its source and file). Nothing here decides
what is sensitive: the label is the other project's (a test that expects its
detector to fire, a library's example of a valid number, a secret scanner's
rule). Two kinds of sources:

* test fixtures read from git mirrors of the projects (``--mirrors``: a folder
  holding ``owner+name/repo`` bare repositories at the commits of
  ``sources.json``): Presidio's recognizer tests, detect-secrets' plugin tests,
  python-stdnum's doctests, John the Ripper's format test vectors, gitleaks'
  rule set;
* example data of installed libraries: ``phonenumbers`` (an example number of
  every type for every region), ``Faker`` (its locales' phone numbers, e-mail
  addresses, IBANs, card numbers, IP addresses).

gitleaks' own rule tests draw their true positives at random from each rule's
secret pattern; this script does the same from the published rule set
(``config/gitleaks.toml``) with a fixed seed, and puts the value after a key
name made of the rule's keyword, as gitleaks' sample generator does.

The output is committed; ``run.py`` reads it and never needs the network.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import random
import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse
import subprocess
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SOURCES = json.loads((HERE / "sources.json").read_text())


class Harvest:
    """Collects items, dropping duplicate values (first source wins)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, label: str, value: str, source: str, path: str, context: str = "") -> None:
        """A sensitive value (``label`` is a type of the outside suite)."""
        value = value.strip()
        if not value or (label, value, context) in self._seen:
            return
        self._seen.add((label, value, context))
        item = {"label": label, "value": value, "source": source, "path": path}
        if context:
            item["context"] = context
        self.items.append(item)

    def negative(self, group: str, value: str, source: str, path: str) -> None:
        """A clean look-alike: nothing in it may be found (``group`` says what it mimics)."""
        self.add("NEGATIVE", value, source, path, context=group)

    def write_unseen(self, out: Path, seen: set[str]) -> tuple[Counter[str], int]:
        """Write the items to ``out`` (JSON lines) but those whose value ``seen`` (another
        set's values) holds, a value once per label and context (first source wins).
        Returns the items written per ``source/label`` and how many were dropped as seen."""
        kept: list[dict[str, Any]] = []
        keys: set[tuple[str, str, str]] = set()
        dropped = 0
        for item in self.items:
            key = (item["label"], item["value"], item.get("context", ""))
            if item["value"] in seen:
                dropped += 1
            elif item["label"] == "NEGATIVE" or key not in keys:
                keys.add(key)
                kept.append(item)
        with out.open("w", encoding="utf-8") as f:
            for item in kept:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        return Counter(f"{i['source']}/{i['label']}" for i in kept), dropped


def write_set(
    doc: str | None,
    out: Path,
    seen: Iterable[Path],
    collect: Callable[[Path], Harvest | tuple[Harvest, Mapping[str, int]]],
    notes_of: str = "",
) -> None:
    """A set's harvest command: ``collect`` from ``--mirrors``, write ``--out`` (default
    ``out``) without the values of the ``seen`` sets, print the counts per source and label.
    A ``collect`` that also returns notes (what a source's harvest skipped, how often) has
    them printed under the name ``notes_of``."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args()
    held = {
        json.loads(line)["value"]
        for path in seen
        for line in path.read_text().splitlines()
        if line.strip()
    }
    got = collect(args.mirrors)
    h, notes = got if isinstance(got, tuple) else (got, {})
    counts, dropped = h.write_unseen(args.out, held)
    print(f"dropped {dropped} items whose value another set holds")
    for note, n in sorted(notes.items()):
        print(f"{notes_of}: {note}: {n}")
    print(json.dumps(dict(sorted(counts.items())), indent=1))


def git_show(mirrors: Path, source: str, path: str) -> str:
    """A file of a source's repository at the commit pinned in sources.json."""
    info = SOURCES[source]
    repo = mirrors / info["mirror"] / "repo"
    out = subprocess.run(
        ["git", "-C", str(repo), "show", f"{info['commit']}:{path}"],
        check=True,
        capture_output=True,
    )
    return out.stdout.decode("utf-8")


def git_ls(mirrors: Path, source: str, folder: str) -> list[str]:
    """Paths under ``folder`` at the pinned commit."""
    info = SOURCES[source]
    repo = mirrors / info["mirror"] / "repo"
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", info["commit"], folder],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


# ---------------------------------------------------------------- Presidio's tests

PRESIDIO_FILES = {
    "test_email_recognizer.py": "EMAIL",
    "test_phone_recognizer.py": "PHONE",
    "test_credit_card_recognizer.py": "CARD",
    "test_iban_recognizer.py": "IBAN",
    "test_us_ssn_recognizer.py": "SSN",
    "test_ip_recognizer.py": "IPV4",
}


def _parametrize_rows(source: str) -> Iterator[tuple[Any, ...]]:
    """Literal tuples of every ``pytest.mark.parametrize`` list in a test module."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "parametrize"):
            continue
        if len(node.args) < 2 or not isinstance(node.args[1], ast.List):
            continue
        for elt in node.args[1].elts:
            try:
                row = ast.literal_eval(elt)
            except ValueError:
                continue
            if isinstance(row, tuple):
                yield row


def _is_spans(x: object) -> bool:
    return (
        isinstance(x, tuple)
        and bool(x)
        and all(
            isinstance(p, tuple) and len(p) == 2 and all(isinstance(i, int) for i in p) for p in x
        )
    )


def presidio(h: Harvest, mirrors: Path) -> None:
    """(text, expected count, expected spans) rows: spans are values, count 0 negatives."""
    for name, label in PRESIDIO_FILES.items():
        path = f"presidio-analyzer/tests/{name}"
        for row in _parametrize_rows(git_show(mirrors, "presidio", path)):
            if len(row) < 3 or not isinstance(row[0], str) or not isinstance(row[1], int):
                continue
            text, count = row[0], row[1]
            if count == 0:
                h.negative(label, text, "presidio", path)
                continue
            spans = next((x for x in row[2:] if _is_spans(x)), ())
            for span in spans:
                value = text[span[0] : span[1]]
                kind = "IPV6" if label == "IPV4" and ":" in value else label
                h.add(kind, value, "presidio", path)


# ---------------------------------------------------------------- detect-secrets' tests

# Plugin test modules whose rows are (payload, should_flag) with the payload a bare value.
DETECT_SECRETS_PLUGINS = {
    "artifactory_test.py": "TOKEN_PREFIXED",
    "aws_key_test.py": "TOKEN_PREFIXED",
    "azure_storage_key_test.py": "TOKEN_PREFIXED",
    "discord_test.py": "TOKEN_FORMAT",
    "github_token_test.py": "TOKEN_PREFIXED",
    "gitlab_token_test.py": "TOKEN_PREFIXED",
    "ibm_cos_hmac_test.py": "TOKEN_PREFIXED",
    "jwt_test.py": "JWT",
    "mailchimp_key_test.py": "TOKEN_FORMAT",
    "npm_test.py": "TOKEN_PREFIXED",
    "openai_test.py": "TOKEN_PREFIXED",
    "pypi_token_test.py": "TOKEN_PREFIXED",
    "sendgrid_test.py": "TOKEN_PREFIXED",
    "slack_test.py": "TOKEN_PREFIXED",
    "square_oauth_test.py": "TOKEN_PREFIXED",
    "stripe_key_test.py": "TOKEN_PREFIXED",
    "telegram_token_test.py": "TOKEN_FORMAT",
    "twilio_test.py": "TOKEN_PREFIXED",
    "basic_auth_test.py": "URL_PASSWORD",
}
_TOKEN_RE = re.compile(r"[^\s'\"`,;()<>]+")


def detect_secrets(h: Harvest, mirrors: Path) -> None:
    """Plugin tests' flagged payloads (values) and unflagged ones (negatives); keyword lines."""
    for name, label in DETECT_SECRETS_PLUGINS.items():
        path = f"tests/plugins/{name}"
        for row in _parametrize_rows(git_show(mirrors, "detect-secrets", path)):
            if len(row) != 2 or not isinstance(row[0], str) or not isinstance(row[1], bool):
                continue
            payload, flagged = row
            if not flagged:
                h.negative(label, payload, "detect-secrets", path)
                continue
            if label == "URL_PASSWORD":
                # "scheme://user:password@host": the password is the value.
                m = re.search(r"://[^:/@\s]+:([^@\s]+)@", payload)
                if m:
                    h.add(label, m.group(1), "detect-secrets", path, context=payload)
                continue
            tokens = _TOKEN_RE.findall(payload)
            if len(tokens) == 1:
                h.add(label, tokens[0], "detect-secrets", path)
    keyword_lines(h, mirrors)


def keyword_lines(h: Harvest, mirrors: Path) -> None:
    """``tests/plugins/keyword_test.py``: (line, secret or None) in many languages' syntax.

    The module builds its cases with ``str.format`` from constants; its top-level
    assignments are evaluated one by one without builtins (the 24 kB LONG_LINE,
    which needs ``base64``, is left out).
    """
    path = "tests/plugins/keyword_test.py"
    tree = ast.parse(git_show(mirrors, "detect-secrets", path))
    namespace: dict[str, Any] = {"__builtins__": {}}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or target.id == "LONG_LINE":
            continue
        namespace["LONG_LINE"] = None
        code = compile(ast.Module(body=[node], type_ignores=[]), path, "exec")
        try:
            exec(code, namespace)
        except Exception:
            continue
    for name, value in namespace.items():
        if not name.endswith("_TEST_CASES") or not isinstance(value, list):
            continue
        for case in value:
            if not (isinstance(case, tuple) and len(case) >= 2 and isinstance(case[0], str)):
                continue
            line, secret = case[0], case[1]
            if secret is None:
                if line:
                    h.negative("KEYWORD_SECRET", line, "detect-secrets", path)
            elif isinstance(secret, str) and secret in line:
                h.add("KEYWORD_SECRET", secret, "detect-secrets", path, context=line)


# ---------------------------------------------------------------- python-stdnum doctests

# doctest -> (label, stdnum module): every "numbers = '''...'''" block, each line
# rechecked with the module's is_valid. Identifiers of people (not of companies).
STDNUM_DOCTESTS = {
    "tests/test_iban.doctest": ("IBAN", "iban"),
    "tests/test_tr_tckimlik.doctest": ("NATIONAL_ID", "tr.tckimlik"),
    "tests/test_cl_rut.doctest": ("NATIONAL_ID", "cl.rut"),
    "tests/test_mx_curp.doctest": ("NATIONAL_ID", "mx.curp"),
    "tests/test_it_codicefiscale.doctest": ("NATIONAL_ID", "it.codicefiscale"),
    "tests/test_se_personnummer.doctest": ("NATIONAL_ID", "se.personnummer"),
    "tests/test_no_fodselsnummer.doctest": ("NATIONAL_ID", "no.fodselsnummer"),
    "tests/test_za_idnr.doctest": ("NATIONAL_ID", "za.idnr"),
    "tests/test_kr_rrn.doctest": ("NATIONAL_ID", "kr.rrn"),
    "tests/test_th_pin.doctest": ("NATIONAL_ID", "th.pin"),
    "tests/test_do_cedula.doctest": ("NATIONAL_ID", "do.cedula"),
    "tests/test_gr_amka.doctest": ("NATIONAL_ID", "gr.amka"),
    "tests/test_is_kennitala.doctest": ("NATIONAL_ID", "is_.kennitala"),
    "tests/test_bg_egn.doctest": ("NATIONAL_ID", "bg.egn"),
}
STDNUM_PER_MODULE = 40  # so that one country does not make up the type
_NUMBERS_BLOCK = re.compile(r">>> numbers = '''\n((?:\.\.\.(?: .*)?\n)+?)\.\.\. '''")
_INVALID_CALL = re.compile(r">>> ([a-z_.]+)\.validate\('([^']{6,40})'\)\nTraceback")


def stdnum(h: Harvest, mirrors: Path) -> None:
    """Valid numbers of the doctests' lists (rechecked with stdnum) and rejected ones."""
    import importlib

    for path, (label, module_name) in STDNUM_DOCTESTS.items():
        text = git_show(mirrors, "python-stdnum", path)
        module = importlib.import_module(f"stdnum.{module_name}")
        taken = 0
        for block in _NUMBERS_BLOCK.findall(text):
            for line in block.splitlines():
                value = line[4:].strip()
                if value and taken < STDNUM_PER_MODULE and module.is_valid(value):
                    h.add(label, value, "python-stdnum", path, context=module_name)
                    taken += 1
        for _mod, value in _INVALID_CALL.findall(text):
            if not module.is_valid(value):
                h.negative(label, value, "python-stdnum", path)


# ---------------------------------------------------------------- John the Ripper

JOHN_FILES = [
    "src/BF_common.c",
    "src/MD5_fmt.c",
    "src/sha256crypt_common.h",
    "src/sha512crypt_common.h",
    "src/krb5_asrep_fmt_plug.c",
    "src/krb5_tgs_common_plug.c",
    "src/pbkdf2_hmac_common_plug.c",
    "src/sha1crypt_common_plug.c",
    "src/argon2_fmt_plug.c",
    "src/scrypt_fmt.c",
    "src/django_fmt_plug.c",
    "src/mscash_common_plug.c",
    "src/phpass_common_plug.c",
]
_JOHN_TEST = re.compile(r'\{\s*"(\$[A-Za-z0-9-]{1,20}\$[^"\s]{8,})"\s*,')


def john(h: Harvest, mirrors: Path) -> None:
    """The ``struct fmt_tests`` vectors: {"hash", "password"} pairs."""
    for path in JOHN_FILES:
        for value in _JOHN_TEST.findall(git_show(mirrors, "john", path)):
            if len(value) <= 400 and "\\" not in value:
                h.add("PASSWORD_HASH", value, "john", path)


# ---------------------------------------------------------------- gitleaks' rule set


def _sample(pattern: str, rng: random.Random) -> str:
    """A random string matching ``pattern`` (Python syntax), as gitleaks' tests draw one."""
    return _gen(sre_parse.parse(pattern), rng)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_CATEGORY = {
    sre_constants.CATEGORY_DIGIT: "0123456789",
    sre_constants.CATEGORY_WORD: _ALNUM + "_",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: _ALNUM,
    sre_constants.CATEGORY_NOT_DIGIT: "abcdefghijklmnopqrstuvwxyz",
    sre_constants.CATEGORY_NOT_WORD: "-",
}


def _gen(parsed: Any, rng: random.Random) -> str:
    out = []
    for op, arg in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(arg))
        elif op is sre_constants.NOT_LITERAL:
            out.append(rng.choice([c for c in _ALNUM if ord(c) != arg]))
        elif op is sre_constants.ANY:
            out.append(rng.choice(_ALNUM))
        elif op is sre_constants.IN:
            out.append(rng.choice(_class_chars(arg)))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, sub = arg
            high = min(high, low + 20) if high != sre_constants.MAXREPEAT else low + 20
            out.extend(_gen(sub, rng) for _ in range(rng.randint(low, high)))
        elif op is sre_constants.SUBPATTERN:
            out.append(_gen(arg[-1], rng))
        elif op is sre_constants.BRANCH:
            out.append(_gen(rng.choice(arg[1]), rng))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        elif op is sre_constants.CATEGORY:
            out.append(rng.choice(_CATEGORY[arg]))
        else:
            raise ValueError(f"cannot draw from {op}")
    return "".join(out)


def _class_chars(items: Any) -> str:
    chars: list[str] = []
    negate = False
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            chars.append(chr(arg))
        elif op is sre_constants.RANGE:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is sre_constants.CATEGORY:
            chars.extend(_CATEGORY[arg])
    if negate:
        return "".join(c for c in _ALNUM if c not in chars) or "x"
    printable = [c for c in chars if c.isprintable() and c not in "\t\n\r\x0b\x0c"]
    return "".join(printable) or "x"


def _go_to_python(pattern: str) -> str:
    return pattern.replace(r"\z", r"\Z").replace("(?-i:", "(?-i:")


def _secret_group(pattern: str, group: int) -> str | None:
    """The text of capture group ``group`` of a pattern (None if it cannot be cut out)."""
    depth = 0
    count = 0
    start = -1
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if c == "(":
            capturing = not pattern.startswith("(?", i) or pattern.startswith("(?P<", i)
            depth += 1
            if capturing:
                count += 1
                if count == group:
                    start = i
                    start_depth = depth
        elif c == ")":
            if start >= 0 and depth == start_depth:
                return pattern[start : i + 1]
            depth -= 1
        i += 1
    return None


_SEMI_GENERIC = re.compile(r"^\(\?i\)\[\\w\.-\]\{0,50\}\?\(\?:([^)]*)\)")


def gitleaks(h: Harvest, mirrors: Path) -> None:
    """Two draws from every rule's secret group; semi-generic rules get their key word."""
    path = "config/gitleaks.toml"
    rules = tomllib.loads(git_show(mirrors, "gitleaks", path))["rules"]
    rng = random.Random(16)
    for rule in rules:
        rule_id = rule["id"]
        regex = rule.get("regex")
        if not regex or rule_id in ("generic-api-key",):
            continue
        label = "TOKEN_PREFIXED"
        if "private-key" in rule_id:
            label = "PRIVATE_KEY"
        elif rule_id == "jwt" or rule_id.startswith("jwt"):
            label = "JWT"
        group = rule.get("secretGroup", 1)
        secret = _secret_group(regex, group) if "(" in regex else None
        body = secret if secret else regex
        keyword = ""
        m = _SEMI_GENERIC.match(regex)
        if m:
            label = "TOKEN_KEYWORD"
            keyword = re.sub(r"[^a-z0-9_]", "", m.group(1).split("|")[0].lower())
        flags = "(?i)" if regex.startswith("(?i)") and not body.startswith("(?") else ""
        for _ in range(2):
            try:
                value = _sample(flags + _go_to_python(body), rng)
            except (ValueError, re.error, KeyError, IndexError, OverflowError):
                break
            try:
                if not re.search(_go_to_python(regex), f"{keyword}_token = '{value}'\n"):
                    continue  # the draw does not satisfy the whole rule (look-arounds, entropy)
            except re.error:
                pass
            if len(value) < 8 or len(value) > 2000:
                continue
            context = f"{keyword}_token" if keyword else ""
            h.add(label, value, "gitleaks", path, context=f"{rule_id}|{context}")


# ---------------------------------------------------------------- phonenumbers and Faker


def phonenumbers_examples(h: Harvest) -> None:
    """Every region's example number of every type, in international and national format."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    types = [
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.VOIP,
    ]
    path = "phonenumbers.example_number_for_type (library metadata)"
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in types:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
            h.add("PHONE_INTL", intl, "phonenumbers", path, context=region)
            national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
            if kind == PhoneNumberType.MOBILE and sum(c.isdigit() for c in national) >= 7:
                h.add("PHONE_NATIONAL", national, "phonenumbers", path, context=region)


FAKER_LOCALES = [
    "en_US", "en_GB", "en_CA", "en_AU", "en_IN", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CH",
    "it_IT", "es_ES", "es_MX", "pt_BR", "pt_PT", "nl_NL", "nl_BE", "pl_PL", "cs_CZ", "sk_SK",
    "sv_SE", "da_DK", "no_NO", "fi_FI", "ru_RU", "uk_UA", "tr_TR", "el_GR", "ro_RO", "hu_HU",
    "ja_JP", "zh_CN", "zh_TW", "ko_KR", "th_TH", "id_ID", "vi_VN", "he_IL", "ar_AA", "fa_IR",
    "hi_IN", "bg_BG", "hr_HR", "sl_SI", "lt_LT", "lv_LV", "et_EE", "en_NZ", "en_IE", "en_PH",
]  # fmt: skip


def faker_examples(h: Harvest) -> None:
    """Values of Faker's locale providers (seeded)."""
    from faker import Faker

    path = "faker providers (seed 16)"
    for i, locale in enumerate(FAKER_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(1600 + i)
        try:
            for _ in range(6):
                h.add("PHONE_FAKER", fake.phone_number(), "faker", path, context=locale)
            for _ in range(2):
                h.add("EMAIL", fake.email(), "faker", path, context=locale)
        except AttributeError:
            continue  # a locale without these providers
        with contextlib.suppress(AttributeError):  # a locale without IBANs
            h.add("IBAN", fake.iban(), "faker", path, context=locale)
    fake = Faker("en_US")
    fake.seed_instance(16)
    for _ in range(60):
        h.add("CARD", fake.credit_card_number(), "faker", path, context="en_US")
        h.add("IPV4", fake.ipv4_public(), "faker", path, context="ipv4")
        h.add("IPV6", fake.ipv6(), "faker", path, context="ipv6")
        h.add("SSN", fake.ssn(), "faker", path, context="en_US")


def git_hashes(h: Harvest, mirrors: Path) -> None:
    """Commit hashes of the mirrored projects: hex strings that are not secrets."""
    for source in ("presidio", "gitleaks", "john"):
        info = SOURCES[source]
        repo = mirrors / info["mirror"] / "repo"
        out = subprocess.run(
            ["git", "-C", str(repo), "log", "--format=%H", "-n", "80", info["commit"]],
            check=True,
            capture_output=True,
            text=True,
        )
        for sha in out.stdout.split():
            h.negative("COMMIT_HASH", sha, source, "git log")


# Numbers with checksums that are not about a person: hard negatives for the number
# detectors (ISBNs look like phone numbers, ISINs like IBANs).
STDNUM_NEGATIVES = {
    "tests/test_isbn.doctest": "isbn",
    "tests/test_isin.doctest": "isin",
    "tests/test_lei.doctest": "lei",
    "tests/test_cusip.doctest": "cusip",
    "tests/test_figi.doctest": "figi",
    "tests/test_bic.doctest": "bic",
    "tests/test_ean.doctest": "ean",
}
STDNUM_NEGATIVES_PER_MODULE = 45


def stdnum_negatives(h: Harvest, mirrors: Path) -> None:
    """Valid ISBNs, ISINs, LEIs, CUSIPs, FIGIs, BICs, EANs of the doctests' lists."""
    for path, group in STDNUM_NEGATIVES.items():
        try:
            text = git_show(mirrors, "python-stdnum", path)
        except subprocess.CalledProcessError:
            continue
        taken = 0
        for block in _NUMBERS_BLOCK.findall(text):
            for line in block.splitlines():
                value = line[4:].strip()
                if value and taken < STDNUM_NEGATIVES_PER_MODULE:
                    h.negative(group.upper(), value, "python-stdnum", path)
                    taken += 1


_UUID = re.compile(rb"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def uuids(h: Harvest, mirrors: Path) -> None:
    """UUIDs written in the mirrored projects' files (ids, not secrets)."""
    for source in ("presidio", "gitleaks"):
        info = SOURCES[source]
        repo = mirrors / info["mirror"] / "repo"
        out = subprocess.run(
            ["git", "-C", str(repo), "grep", "-ohE", "-I",
             r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
             info["commit"]],
            capture_output=True,
        )  # fmt: skip
        for value in sorted(set(_UUID.findall(out.stdout)))[:80]:
            h.negative("UUID", value.decode(), source, "git grep (UUIDs in the tree)")


# ---------------------------------------------------------------- trufflehog

_GO_ASSIGN = re.compile(r'(\w+)\s*:?=\s*(?:`([^`]*)`|"((?:[^"\\\n]|\\.)*)")')
_GO_CASE = re.compile(
    r"input:\s*([\w.]+|`[^`]*`|\"[^\"\n]*\"),\s*\n\s*want:\s*\[\]string\{([^}]*)\}"
)
_GO_ITEM = re.compile(r'"((?:[^"\\\n]|\\.)*)"|(\w+)')


def trufflehog(h: Harvest, mirrors: Path) -> None:
    """Detector pattern tests: a sample config (``input``) and the secret it must yield.

    A case counts when one of its ``want`` strings occurs verbatim in its input
    (detectors that report a secret joined with an id are left out); the input is
    kept as the value's context. One case per detector.
    """
    for path in git_ls(mirrors, "trufflehog", "pkg/detectors"):
        if not path.endswith("_test.go") or path.endswith("_integration_test.go"):
            continue
        text = git_show(mirrors, "trufflehog", path)
        names = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                 for m in _GO_ASSIGN.finditer(text)}  # fmt: skip
        for case in _GO_CASE.finditer(text):
            source, wants = case.group(1), case.group(2)
            if source[0] in '`"':
                context = source[1:-1]
            elif source in names:
                context = names[source]
            else:
                continue
            found = None
            for item in _GO_ITEM.finditer(wants):
                want = item.group(1) if item.group(1) is not None else names.get(item.group(2), "")
                if want and len(want) >= 12 and want in context and "%" not in context:
                    found = want
                    break
            if found:
                h.add("TOKEN_CONTEXT", found, "trufflehog", path, context=context)
                break


def main() -> None:
    """Write values.jsonl."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=HERE / "values.jsonl")
    args = parser.parse_args()
    h = Harvest()
    presidio(h, args.mirrors)
    detect_secrets(h, args.mirrors)
    stdnum(h, args.mirrors)
    john(h, args.mirrors)
    gitleaks(h, args.mirrors)
    trufflehog(h, args.mirrors)
    phonenumbers_examples(h)
    faker_examples(h)
    git_hashes(h, args.mirrors)
    stdnum_negatives(h, args.mirrors)
    uuids(h, args.mirrors)
    with args.out.open("w", encoding="utf-8") as out:
        for item in h.items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for item in h.items:
        counts[item["label"]] = counts.get(item["label"], 0) + 1
    print(json.dumps(counts, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
