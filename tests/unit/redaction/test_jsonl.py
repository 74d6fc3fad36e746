"""The `consentry redact` JSON Lines contract (SPEC §3)."""

from __future__ import annotations

import io
import json

import pytest

from consentry.redaction import MalformedLineError, RedactionError, Redactor, redact_jsonl


def run(lines: str) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    n = redact_jsonl(io.StringIO(lines), out, Redactor())
    return n, [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_line_gets_filtered_text_and_findings() -> None:
    n, rows = run('{"text": "mail me at a@b.com"}\n{"text": "nothing here"}\n')
    assert n == 2
    assert rows == [
        {"text": "mail me at [EMAIL]", "findings": [{"type": "EMAIL", "start": 11, "end": 18}]},
        {"text": "nothing here", "findings": []},
    ]


def test_other_fields_are_dropped_because_they_are_unfiltered() -> None:
    _, rows = run('{"text": "hi", "user": "a@b.com"}\n')
    assert rows == [{"text": "hi", "findings": []}]


def test_offsets_count_characters_not_bytes() -> None:
    _, rows = run(json.dumps({"text": "é a@b.com"}, ensure_ascii=False) + "\n")
    assert rows[0]["findings"] == [{"type": "EMAIL", "start": 2, "end": 9}]


def test_blank_lines_are_skipped() -> None:
    n, _ = run('\n{"text": "x"}\n\n')
    assert n == 1


@pytest.mark.parametrize(
    "bad",
    ["not json", "[1, 2]", '{"txt": "x"}', '{"text": 5}', '{"text": "x"'],
)
def test_malformed_line_raises_with_its_line_number(bad: str) -> None:
    with pytest.raises(MalformedLineError) as info:
        run('{"text": "fine"}\n' + bad + "\n")
    assert info.value.line_number == 2
    assert "line 2" in str(info.value)
    assert isinstance(info.value, RedactionError)


def test_lone_surrogate_is_a_bad_line_not_a_crash() -> None:
    # Issue 16: '"\ud800"' is valid JSON but not valid Unicode text; writing it out
    # crashed `consentry redact` with a traceback instead of naming the line.
    with pytest.raises(MalformedLineError) as info:
        run('{"text": "fine"}\n{"text": "a \\ud800 b"}\n')
    assert info.value.line_number == 2
    assert "surrogate" in str(info.value)


def test_cli_reports_a_lone_surrogate_as_redaction_failed_with_the_line() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "from consentry.entrypoints.cli import main; main()", "redact"],
        input='{"text": "ok"}\n{"text": "x \\ud800"}\n',
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "redaction_failed" in proc.stderr and "line 2" in proc.stderr
    assert proc.stdout == '{"text": "ok", "findings": []}\n'


def test_batched_lines_keep_order_and_the_bad_line_number() -> None:
    # SPEC §3/§4 (issue 19): lines go through the filter in batches; the output order and
    # the number of a bad line are those of one-by-one filtering, and the lines before
    # the bad one are written first.
    lines = "".join(json.dumps({"text": f"line {i} mail u{i}@b.com"}) + "\n" for i in range(1, 8))
    for size in (1, 3, 256):
        out = io.StringIO()
        assert redact_jsonl(io.StringIO(lines), out, Redactor(), batch_lines=size) == 7
        texts = [json.loads(row)["text"] for row in out.getvalue().splitlines()]
        assert texts == [f"line {i} mail [EMAIL]" for i in range(1, 8)]
        out = io.StringIO()
        with pytest.raises(MalformedLineError) as info:
            redact_jsonl(io.StringIO(lines + "not json\n"), out, Redactor(), batch_lines=size)
        assert info.value.line_number == 8
        assert len(out.getvalue().splitlines()) == 7


class _FailsOnThird(Redactor):
    def redact(self, text: str):  # type: ignore[no-untyped-def]
        if text.startswith("third"):
            raise RedactionError("filter failed: ValueError")
        return super().redact(text)


def test_batched_filter_failure_names_its_line() -> None:
    # SPEC §4: a failing filter is redaction_failed with the number of the failing line.
    lines = '{"text": "first"}\n\n{"text": "second"}\n{"text": "third"}\n{"text": "fourth"}\n'
    out = io.StringIO()
    with pytest.raises(RedactionError, match=r"^line 4: filter failed"):
        redact_jsonl(io.StringIO(lines), out, _FailsOnThird(), batch_lines=256)
    assert len(out.getvalue().splitlines()) == 2
