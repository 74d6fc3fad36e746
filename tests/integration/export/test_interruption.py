"""Interrupted exports (R25): never mistaken for complete; a rerun gives the same bytes."""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.export import DirectorySink, ShardEncoder, encoder_for, verify_export
from consentry.export.sink import StoredFile
from consentry.service import runs, training_export
from consentry.service.training_export import export_run

from .conftest import Population, populate, tree_bytes

SHARD_ROWS, BATCH_ROWS = 5, 2


class Interrupted(Exception):
    pass


class FlakyEncoder:
    """Delegates to a real encoder and dies after `limit` batches in all."""

    def __init__(self, inner: ShardEncoder, limit: int) -> None:
        self.inner, self.limit, self.seen = inner, limit, 0
        self.name, self.extension = inner.name, inner.extension

    def encode(self, stream: BinaryIO, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        def counted() -> Iterable[pa.RecordBatch]:
            for batch in batches:
                if self.seen >= self.limit:
                    raise Interrupted(f"after {self.seen} batches")
                self.seen += 1
                yield batch

        return self.inner.encode(stream, schema, counted())


def _export(app: App, run_id: str, out: Path, fmt: str = "parquet") -> Path:
    result = export_run(
        app.ctx,
        run_id=run_id,
        out_dir=str(out),
        fmt=fmt,
        shard_rows=SHARD_ROWS,
        batch_rows=BATCH_ROWS,
    )
    return Path(result.directory)


def _dying_sink(survive: int) -> type[DirectorySink]:
    """A directory sink that dies right after its file number `survive` is in place."""

    class DyingSink(DirectorySink):
        puts = 0

        def put(self, name: str, write):  # type: ignore[no-untyped-def]
            stored: StoredFile = super().put(name, write)
            DyingSink.puts += 1
            if DyingSink.puts > survive:
                raise Interrupted(f"after {name}")
            return stored

    return DyingSink


def _assert_readable(directory: Path) -> None:
    frame = pd.read_parquet(directory / "messages-00000.parquet")
    assert not frame.empty
    assert pq.read_table(directory / "feedback-00000.parquet").num_rows >= 1


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_interrupted_after_any_batch_then_rerun_is_identical_R25(
    app: App, population: Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    reference = tree_bytes(_export(app, run.id, tmp_path / "reference", fmt))
    out = tmp_path / "out"
    _export(app, run.id, out, fmt)  # a complete earlier export, overwritten by each attempt
    total = sum(1 for _ in range(run.messages + run.feedback))
    limits = list(range(0, total // BATCH_ROWS + 3))
    for limit in limits:
        monkeypatch.setattr(
            training_export, "encoder_for", lambda f, n=limit: FlakyEncoder(encoder_for(f), n)
        )
        try:
            _export(app, run.id, out, fmt)
        except Interrupted:
            assert verify_export(out / run.id) != [], f"partial export passed after {limit} batches"
            assert not (out / run.id / "manifest.json").exists()
        else:
            assert tree_bytes(out / run.id) == reference
        monkeypatch.undo()
        assert tree_bytes(_export(app, run.id, out, fmt)) == reference
    assert verify_export(out / run.id) == []


def test_interrupted_between_shards_and_before_manifest_then_rerun_is_identical_R25(
    app: App, population: Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    reference = tree_bytes(_export(app, run.id, tmp_path / "reference"))
    out = tmp_path / "out"
    for fail_at in range(len(reference)):
        DyingSink = _dying_sink(fail_at)

        monkeypatch.setattr(training_export, "DirectorySink", DyingSink)
        with pytest.raises(Interrupted):
            _export(app, run.id, out)
        problems = verify_export(out / run.id)
        if fail_at < len(reference) - 1:
            assert problems != [], f"partial export passed after {fail_at} files"
        monkeypatch.undo()
        directory = _export(app, run.id, out)
        assert tree_bytes(directory) == reference
        _assert_readable(directory)


ZYGOTE = """
import os, sys
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.service.training_export import export_run
from consentry.redaction import Redactor
Redactor(pseudonym_key=b"warm").redact("warm up a@b.com")
url, run_id = sys.argv[1], sys.argv[2]
print("ready", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        app = build(Settings(database_url=url), migrate=False)
        export_run(app.ctx, run_id=run_id, out_dir=line.strip(), shard_rows=%d, batch_rows=%d)
        os._exit(0)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("killed" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9 else f"status {status}",
          flush=True)
""".replace("%d, batch_rows=%d", f"{SHARD_ROWS}, batch_rows={BATCH_ROWS}")


def _written_since(directory: Path, since_ns: int) -> int:
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0
    count = 0
    for entry in entries:
        with contextlib.suppress(FileNotFoundError):
            if not entry.name.startswith(".") and entry.stat().st_mtime_ns >= since_ns:
                count += 1
    return count


class Zygote:
    """A warm interpreter that forks one exporter per request, so each of many real
    SIGKILLs costs a fork rather than an interpreter start."""

    def __init__(self, url: str, run_id: str) -> None:
        self.run_id = run_id
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, url, run_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def kill_export_after(self, out: Path, files: int, jitter: float) -> str:
        """Start an export into `out`; SIGKILL it `jitter` seconds after it has
        renamed `files` files into place (or right away for 0)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        directory = out / self.run_id
        since = time.time_ns()
        self.proc.stdin.write(f"{out}\n")
        self.proc.stdin.flush()
        pid = int(self._line())
        while _written_since(directory, since) < files:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.002)
            if ready:
                return self._line()  # it finished first
        time.sleep(jitter)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return self._line()

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


def test_sigkilled_exports_rerun_complete_and_identical_R25(
    sqlite_url: str, tmp_path: Path
) -> None:
    """24 real SIGKILLs at random points (after a random number of files plus a random
    jitter), in two directories at once; after each,
    the directory is either verified complete and identical or reported incomplete,
    and a rerun always ends complete and byte-identical."""
    app = build(
        Settings(database_url=sqlite_url),
        migrate=False,
        clock=TestClock(datetime(2025, 9, 1, tzinfo=UTC)),
    )
    population = populate(app, app.ctx.clock)  # type: ignore[arg-type]
    on = population.user()
    for i in range(4):
        population.chat(on, *(f"bulk {i}.{j} " * 40 for j in range(12)))
    run = runs.create_run(app.ctx, purpose="model_training")
    started = time.perf_counter()
    reference = tree_bytes(_export(app, run.id, tmp_path / "reference"))
    took = time.perf_counter() - started
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes: list[str] = []
    states: list[str] = []
    errors: list[str] = []

    def lane(index: int) -> None:
        out = tmp_path / f"lane{index}"
        directory = out / run.id
        zygote = Zygote(sqlite_url, run.id)
        try:
            for n in range(12):
                files, jitter = rng.randrange(len(reference)), rng.uniform(0, 0.01)
                outcomes.append(zygote.kill_export_after(out, files, jitter))
                problems = verify_export(directory) if directory.exists() else ["absent"]
                shards = list(directory.glob("messages-*")) if directory.exists() else []
                states.append("complete" if not problems else "partial" if shards else "empty")
                if not problems and tree_bytes(directory) != reference:
                    errors.append(f"seed {seed} lane {index} kill {n}: complete, different bytes")
                # Rerun to completion now and then; otherwise kill again first.
                if n % 3 == 2 and tree_bytes(_export(app, run.id, out)) != reference:
                    errors.append(f"seed {seed} lane {index} kill {n}: rerun differs")
        finally:
            zygote.close()
        if tree_bytes(_export(app, run.id, out)) != reference:
            errors.append(f"seed {seed} lane {index}: final rerun differs")

    threads = [threading.Thread(target=lane, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.engine.dispose()
    assert errors == []
    assert len(outcomes) == 24
    print(f"seed {seed} reference {took:.3f}s states {states}")
    assert states.count("partial") >= 5, states  # most kills land mid-export
    assert outcomes.count("killed") >= 20, outcomes
    for lane_dir in [tmp_path / "lane0", tmp_path / "lane1"]:
        assert verify_export(lane_dir / run.id) == []
        _assert_readable(lane_dir / run.id)
