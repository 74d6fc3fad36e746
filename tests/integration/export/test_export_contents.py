"""What leaves in an export, and what never does (R13, R20, R24, R25)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from consentry.bootstrap import App
from consentry.domain.errors import InvalidInput, NotFound
from consentry.domain.policy import NerMode, NerPolicy
from consentry.export import FEEDBACK_SCHEMA, MESSAGE_SCHEMA, read_manifest, verify_export
from consentry.redaction import RedactionError
from consentry.service import runs, sessions, training_export
from consentry.service.retention import sweep_expired
from consentry.service.training_export import export_run

from .conftest import SENSITIVE_FRAGMENTS, Population, everything_in, tree_bytes


def _hmac(secret: str, kind: str, real_id: str) -> str:
    digest = hmac.new(bytes.fromhex(secret), f"{kind}:{real_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _rows(directory: Path, kind: str) -> list[dict[str, object]]:
    manifest = read_manifest(directory)
    rows: list[dict[str, object]] = []
    for shard in manifest["shards"]:
        if not shard["path"].startswith(kind):
            continue
        path = directory / shard["path"]
        if manifest["format"] == "parquet":
            rows.extend(pq.read_table(path).to_pylist())
        else:
            rows.extend(json.loads(line) for line in path.read_text().splitlines())
    return rows


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_ineligible_markers_never_exported_eligible_ones_are_R20_R23(
    app: App, population: Population, tmp_path: Path, fmt: str
) -> None:
    # Eligibility alone (the NER stage has its own tests): the model may read a lone
    # lower-case marker as a name and replace it, which would hide what this test counts.
    ctx = dataclasses.replace(
        app.ctx, policy=dataclasses.replace(app.ctx.policy, ner=NerPolicy(mode=NerMode.OFF))
    )
    run = runs.create_run(ctx, purpose="model_training")
    result = export_run(
        ctx, run_id=run.id, out_dir=str(tmp_path), fmt=fmt, shard_rows=7, batch_rows=3
    )
    directory = Path(result.directory)
    assert verify_export(directory) == []
    content = everything_in(directory)
    leaked = {m: why for m, why in population.ineligible.items() if m in content}
    assert leaked == {}
    missing = [m for m in population.eligible if m not in content]
    assert missing == []
    real = [i for i in population.real_ids if i in content]
    assert real == [], "real ids must never leave (R24)"


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_sensitive_values_never_survive_export_R24(
    app: App, population: Population, tmp_path: Path, fmt: str
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    result = export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), fmt=fmt)
    content = everything_in(Path(result.directory))
    assert [s for s in SENSITIVE_FRAGMENTS if s in content] == []
    assert "[EMAIL_" in content and "[CARD_" in content and "[JWT_" in content


def test_identifiers_are_run_keyed_hmacs_and_feedback_is_delinked_R13_R24(
    app: App, population: Population, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    directory = Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path)).directory)
    manifest = runs.get_manifest(app.ctx, run_id=run.id)
    with app.ctx.uow() as uow:
        members = uow.runs.manifest_sessions(run.id)
    messages = _rows(directory, "messages")
    expected = {
        (
            _hmac(run.pseudonym_secret, "session", m.session_id),
            _hmac(run.pseudonym_secret, "account", m.account_id),
        )
        for m in members
    }
    assert {(r["session"], r["account"]) for r in messages} <= expected
    feedback = _rows(directory, "feedback")
    assert {r["feedback"] for r in feedback} == {
        _hmac(run.pseudonym_secret, "feedback", fid) for fid in manifest.feedback
    }
    assert pq.read_schema(directory / "feedback-00000.parquet").names == [
        "feedback",
        "rating",
        "comment",
        "at",
    ]
    assert pq.read_schema(directory / "messages-00000.parquet").names == MESSAGE_SCHEMA.names

    second = runs.create_run(app.ctx, purpose="model_training")
    other = Path(export_run(app.ctx, run_id=second.id, out_dir=str(tmp_path)).directory)
    assert {r["session"] for r in messages}.isdisjoint(
        {r["session"] for r in _rows(other, "messages")}
    )
    assert {r["account"] for r in messages}.isdisjoint(
        {r["account"] for r in _rows(other, "messages")}
    )


def test_messages_ordered_by_session_then_time_with_seq_per_session(
    app: App, population: Population, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    directory = Path(
        export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), batch_rows=2).directory
    )
    with app.ctx.uow() as uow:
        order = [m.session_id for m in uow.runs.manifest_sessions(run.id)]
    pseudo = [_hmac(run.pseudonym_secret, "session", sid) for sid in order]
    rows = _rows(directory, "messages")
    seen = list(dict.fromkeys(r["session"] for r in rows))
    assert seen == [p for p in pseudo if p in seen]
    for session_p in seen:
        mine = [r for r in rows if r["session"] == session_p]
        assert [r["seq"] for r in mine] == list(range(len(mine)))
        assert [r["at"] for r in mine] == sorted(r["at"] for r in mine)
    assert len(rows) == run.messages


def test_parquet_schema_types_and_pandas_roundtrip(
    app: App, population: Population, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    directory = Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path)).directory)
    table = pq.read_table(directory / "messages-00000.parquet")
    assert table.schema.equals(MESSAGE_SCHEMA)
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("seq").type == pa.int32()
    assert pq.read_table(directory / "feedback-00000.parquet").schema.equals(FEEDBACK_SCHEMA)
    meta = pq.read_metadata(directory / "messages-00000.parquet")
    assert meta.metadata is None or b"ARROW:schema" not in meta.metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    frame = pd.read_parquet(directory / "messages-00000.parquet")
    assert str(frame["at"].dtype) == "datetime64[us, UTC]"
    assert len(frame) == run.messages


def test_jsonl_lines_are_compact_in_schema_order_with_z_times(
    app: App, population: Population, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    directory = Path(
        export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), fmt="jsonl").directory
    )
    first = (directory / "messages-00000.jsonl").read_text().splitlines()[0]
    row = json.loads(first)
    assert list(row) == MESSAGE_SCHEMA.names
    assert first == json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    assert len(row["at"]) == len("2030-09-02T00:00:00.000000Z") and row["at"].endswith("Z")
    fb = json.loads((directory / "feedback-00000.jsonl").read_text().splitlines()[0])
    assert list(fb) == ["feedback", "rating", "comment", "at"]


def test_manifest_is_canonical_and_lists_every_shard_last_R25(
    app: App, population: Population, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    result = export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), shard_rows=4, batch_rows=3)
    directory = Path(result.directory)
    assert directory == tmp_path / run.id
    assert result.files[-1].path == str(directory / "manifest.json")
    assert all(Path(f.path).is_absolute() for f in result.files)
    raw = (directory / "manifest.json").read_bytes()
    manifest = json.loads(raw)
    assert raw == (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    assert manifest["complete"] is True
    assert manifest["ledger_head"] == run.ledger_head
    assert manifest["policy_digest"] == run.policy_digest
    assert manifest["counts"] == {
        "sessions": run.sessions,
        "messages": run.messages,
        "feedback": run.feedback,
    }
    assert manifest["unavailable"] == {"sessions": 0, "messages": 0, "feedback": 0}
    names = [s["path"] for s in manifest["shards"]]
    assert names[0] == "messages-00000.parquet" and names[-1].startswith("feedback-")
    assert [s["rows"] for s in manifest["shards"] if s["path"].startswith("messages")][:-1] == [
        4
    ] * (len([n for n in names if n.startswith("messages")]) - 1)
    for shard, file in zip(manifest["shards"], result.files, strict=False):
        assert (
            hashlib.sha256((directory / shard["path"]).read_bytes()).hexdigest()
            == shard["sha256"]
            == file.sha256
        )
    assert sorted(p.name for p in directory.iterdir()) == sorted([*names, "manifest.json"])


def test_rerun_gives_the_same_bytes_R25(app: App, population: Population, tmp_path: Path) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    first = tree_bytes(
        Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path / "a")).directory)
    )
    population.advance(days=3)
    again = tree_bytes(
        Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path / "b")).directory)
    )
    assert first == again
    over = tree_bytes(
        Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path / "a")).directory)
    )
    assert over == first


def test_empty_run_has_one_empty_shard_per_kind(app: App, tmp_path: Path) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    directory = Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path)).directory)
    assert verify_export(directory) == []
    assert pq.read_table(directory / "messages-00000.parquet").num_rows == 0
    assert pd.read_parquet(directory / "feedback-00000.parquet").empty


def test_bad_format_and_unknown_run_are_refused(app: App, tmp_path: Path) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    with pytest.raises(InvalidInput):
        export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), fmt="csv")
    with pytest.raises(NotFound):
        export_run(app.ctx, run_id="run_nope", out_dir=str(tmp_path))
    with pytest.raises(InvalidInput):
        export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), shard_rows=0)


def test_content_purged_after_the_run_is_counted_unavailable(
    app: App, population: Population, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    with app.ctx.uow() as uow:
        members = uow.runs.manifest_sessions(run.id)
    victim, owner = members[0].session_id, members[0].account_id
    lost = len(sessions.get_session(app.ctx, account_id=owner, session_id=victim).messages)
    sessions.delete_session(app.ctx, account_id=owner, session_id=victim)
    population.advance(days=31)
    sweep_expired(app.ctx)
    result = export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path))
    directory = Path(result.directory)
    assert verify_export(directory) == []
    manifest = read_manifest(directory)
    assert manifest["counts"]["messages"] == run.messages
    assert manifest["unavailable"] == {"sessions": 1, "messages": lost, "feedback": 0}
    assert result.unavailable.messages == lost
    assert len(_rows(directory, "messages")) == run.messages - lost


def test_filter_failure_aborts_without_manifest_R24(
    app: App, population: Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    calls = {"n": 0}
    from consentry.redaction import Redactor

    real = Redactor.redact

    def flaky(self: Redactor, text: str):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise RedactionError("boom")
        return real(self, text)

    monkeypatch.setattr(Redactor, "redact", flaky)
    with pytest.raises(RedactionError):
        export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), shard_rows=2, batch_rows=1)
    directory = tmp_path / run.id
    assert not (directory / "manifest.json").exists()
    assert verify_export(directory) == ["incomplete: manifest.json is missing"]
    assert not [p for p in directory.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("divisor", [1, 1000])
def test_bytes_do_not_depend_on_how_the_store_is_paged(
    app: App,
    population: Population,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    divisor: int,
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    reference = tree_bytes(
        Path(
            export_run(
                app.ctx, run_id=run.id, out_dir=str(tmp_path / "ref"), batch_rows=3
            ).directory
        )
    )
    # Windows of 3 sessions paged 3 messages at a time, or one session per window.
    monkeypatch.setattr(training_export, "SESSIONS_PER_PAGE_DIVISOR", divisor)
    paged = export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path / "paged"), batch_rows=3)
    assert tree_bytes(Path(paged.directory)) == reference


def test_memory_sink_fake_gets_the_same_files_as_a_directory(
    app: App, population: Population, tmp_path: Path
) -> None:
    from consentry.export import MemorySink, encoder_for
    from consentry.service.training_export import write_export

    run = runs.create_run(app.ctx, purpose="model_training")
    on_disk = tree_bytes(Path(export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path)).directory))
    sink = MemorySink()
    with sink:
        write_export(
            app.ctx,
            run=run,
            sink=sink,
            encoder=encoder_for("parquet"),
            shard_rows=50_000,
            batch_rows=5_000,
        )
    assert sink.files == on_disk


def test_a_message_written_at_the_cutoff_instant_after_the_run_stays_out_R20_R25(
    app: App, tmp_path: Path
) -> None:
    """With a frozen clock a message can share the run's cutoff instant yet come after it:
    it is not in the run's past, so the export leaves it out (and does not refuse)."""
    from consentry.service import accounts

    ctx = app.ctx
    user = accounts.sign_up(ctx, plan="pro", training="on").account_id
    sid = sessions.start_session(ctx, account_id=user, kind="chat").session.id
    sessions.add_message(ctx, account_id=user, session_id=sid, role="user", content="before")
    run = runs.create_run(ctx, purpose="model_training")
    sessions.add_message(ctx, account_id=user, session_id=sid, role="user", content="after")
    assert run.messages == 1
    result = export_run(ctx, run_id=run.id, out_dir=str(tmp_path), fmt="jsonl")
    texts = [row["text"] for row in _rows(Path(result.directory), "messages")]
    assert texts == ["before"]
    assert result.unavailable.messages == 0
