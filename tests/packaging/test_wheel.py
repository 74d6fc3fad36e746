"""consentry as pip users get it (issue 15): the wheel, in fresh virtualenvs, over real processes.

`scripts/build.sh` builds the sdist and the binary wheel; the wheel is installed into a new
virtualenv **with no extras** and driven as a user would: `--help`, `info --json` (the
compiled scan active, RE2 loaded from the wheel itself), `db upgrade` on SQLite and
PostgreSQL, `serve` with sign-up, message, run, start, Parquet export, audit and a webhook
delivered to a receiver on 127.0.0.1, and `redact`. Commands that need an extra must name it
and exit 2 without a traceback; then each extra in its own fresh virtualenv does its work.
Nothing here imports consentry from the source tree: every step is a subprocess of the venv.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, require_or_skip

pytestmark = pytest.mark.timeout(2400)  # builds the wheel (<= 900 s) and fresh venvs
ROOT = Path(__file__).resolve().parents[2]
ADMIN = "smoke-admin-token-" + "x" * 40
# Past every default limit a security setting might add; the receiver is on loopback.
BASE_ENV = {
    "CONSENTRY_WEBHOOK_ALLOW_PRIVATE": "1",
    "CONSENTRY_WEBHOOK_POLL_INTERVAL_S": "0.2",
}


def _run(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")}
    full_env.update(BASE_ENV)
    full_env.update(env or {})
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, env=full_env, timeout=timeout, cwd=cwd
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist() -> Path:
    """The sdist and repaired wheel, built from this checkout by scripts/build.sh."""
    missing = [t for t in ("g++",) if shutil.which(t) is None]
    if not Path("/usr/include/re2/re2.h").exists():
        missing.append("RE2's headers (libre2-dev)")
    require_or_skip(not missing, f"the wheel build ({', '.join(missing)})")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/build.sh")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return ROOT / "dist"


def _wheel(dist: Path) -> Path:
    wheels = sorted(dist.glob("consentry-*-manylinux*.whl"))
    assert len(wheels) == 1, f"expected one repaired wheel in dist/, found {wheels}"
    return wheels[0]


def _venv(where: Path, requirement: str) -> Path:
    """A fresh virtualenv holding ``requirement`` (the wheel, with or without extras)."""
    _ok(_run([sys.executable, "-m", "venv", str(where)]))
    _ok(_run([str(where / "bin/pip"), "install", "-q", "--disable-pip-version-check", requirement]))
    return where / "bin"


@pytest.fixture(scope="module")
def plain(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed with no extras."""
    return _venv(tmp_path_factory.mktemp("plain") / "venv", str(_wheel(dist)))


def test_wheel_holds_every_package_file_and_the_compiled_scan(dist: Path) -> None:
    listing = _ok(_run([sys.executable, "-m", "zipfile", "-l", str(_wheel(dist))]))
    tracked = subprocess.run(
        ["git", "ls-files", "src/consentry"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.split()
    names = {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}
    wanted = {p.removeprefix("src/") for p in tracked if not p.endswith(".cpp")}
    assert not wanted - names, f"missing from the wheel: {sorted(wanted - names)}"
    assert "consentry/adapters/sql/migrations/script.py.mako" in names
    assert any(n.startswith("consentry/redaction/_native.") and n.endswith(".so") for n in names)
    assert any(n.startswith("consentry.libs/libre2") for n in names), "RE2 is not vendored"
    sdist = _ok(_run(["tar", "tzf", str(next(dist.glob("consentry-*.tar.gz")))]))
    assert "src/consentry/redaction/_native.cpp" in sdist
    assert ".so\n" not in sdist


def test_help_and_info_report_the_compiled_scan(plain: Path) -> None:
    assert "Usage" in _ok(_run([str(plain / "consentry"), "--help"]))
    info = json.loads(_ok(_run([str(plain / "consentry"), "info", "--json"])))
    assert info["filter"]["scan"] == "compiled", info["filter"]
    assert info["extras"]["demo"]["installed"] is False
    assert info["extras"]["spark"]["installed"] is False
    assert info["extras"]["lake"]["installed"] is False
    # The RE2 the scan runs is the wheel's own copy, not a system library.
    probe = (
        "import consentry.redaction._native, pathlib;"
        "print([l.split()[-1] for l in pathlib.Path('/proc/self/maps').read_text().splitlines()"
        " if 'libre2' in l][0])"
    )
    loaded = _ok(_run([str(plain / "python"), "-c", probe])).strip()
    assert "consentry.libs" in loaded, loaded


def test_db_upgrade_from_the_wheel_on_sqlite_and_postgres(plain: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    out = _ok(
        _run([str(plain / "consentry"), "db", "upgrade", "--database-url", f"sqlite:///{db}"])
    )
    assert "revision" in out
    name = f"consentry_wheel_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        require_or_skip(False, f"PostgreSQL ({error.__class__.__name__})")
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        assert "revision" in _ok(
            _run([str(plain / "consentry"), "db", "upgrade", "--database-url", url])
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_redact_one_line(plain: Path) -> None:
    line = json.dumps({"text": "write to jana.novak@example.org"})
    result = json.loads(_ok(_run([str(plain / "consentry"), "redact"], stdin=line + "\n")))
    assert result["text"] == "write to [EMAIL]"
    assert [f["type"] for f in result["findings"]] == ["EMAIL"]


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (["demo", "--accounts", "1", "--database-url", "sqlite:////nonexistent/x.db"], "demo"),
        (["spark", "run-create", "--lake", "/nonexistent"], "spark"),
        (["lake", "export", "--lake", "/nonexistent"], "lake"),
    ],
)
def test_missing_extra_is_named_without_a_traceback(
    plain: Path, command: list[str], extra: str
) -> None:
    result = _run([str(plain / "consentry"), *command])
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"pip install 'consentry[{extra}]'" in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stdout + result.stderr


class _Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(plain: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")}
    env.update(BASE_ENV)
    env["CONSENTRY_ADMIN_TOKEN"] = ADMIN
    args = [str(plain / "consentry"), "serve", "--port", str(port)]
    args += ["--database-url", f"sqlite:///{tmp_path / 'served.db'}"]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                break
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert "filter scan compiled" in (tmp_path / "serve.log").read_text()


def test_serve_walk_through_with_export_audit_and_webhook(served: str, receiver: str) -> None:
    admin = {"authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=served, timeout=30) as http:
        hook = http.post("/v1/admin/webhooks", json={"url": receiver}, headers=admin)
        assert hook.status_code == 201, hook.text
        account = http.post("/v1/accounts", json={"plan": "free", "training": "on"})
        assert account.status_code == 201, account.text
        user = {"authorization": f"Bearer {account.json()['token']}"}
        session = http.post("/v1/me/sessions", json={"kind": "chat"}, headers=user).json()
        sid = session["session_id"]
        message = http.post(
            f"/v1/me/sessions/{sid}/messages",
            json={"role": "user", "content": "mail me at jana.novak@example.org"},
            headers=user,
        )
        assert message.status_code == 201, message.text
        time.sleep(0.01)  # the cutoff is after the message (R20)
        run = http.post(
            "/v1/admin/training-runs", json={"purpose": "model_training"}, headers=admin
        )
        assert run.status_code == 201, run.text
        run_id = run.json()["run_id"]
        assert run.json()["counts"]["messages"] == 1
        started = http.post(f"/v1/admin/training-runs/{run_id}/start", headers=admin)
        assert started.status_code == 200, started.text
        exported = http.post(
            f"/v1/admin/training-runs/{run_id}/export", json={"format": "parquet"}, headers=admin
        )
        assert exported.status_code == 200, exported.text
        files = {Path(f["path"]).name: f["path"] for f in exported.json()["files"]}
        manifest = json.loads(Path(files["manifest.json"]).read_text())
        assert manifest["filter"] == {"scan": "compiled", "stages": ["patterns"]}
        shard = next(p for n, p in files.items() if n.startswith("messages-"))
        texts = [str(t) for t in pq.read_table(shard).column("text").to_pylist()]
        assert len(texts) == 1
        assert "jana.novak" not in texts[0]
        assert "[EMAIL" in texts[0]
        audit = http.get(f"/v1/admin/training-runs/{run_id}/audit", headers=admin)
        assert audit.status_code == 200, audit.text
        assert audit.json()["ok"] is True
    deadline = time.monotonic() + 30
    while not _Receiver.received and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _Receiver.received, "no webhook reached the receiver within 30 s"
    assert "type" in json.loads(_Receiver.received[0])


def test_demo_extra_seeds_a_database(dist: Path, tmp_path: Path) -> None:
    bin_ = _venv(tmp_path / "venv", f"{_wheel(dist)}[demo]")
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = _ok(_run([str(bin_ / "consentry"), "demo", "--accounts", "3", "--database-url", db]))
    assert "seeded 3 accounts" in out


def test_spark_extra_runs_the_job(dist: Path, tmp_path: Path) -> None:
    require_or_skip(shutil.which("java") is not None, "Java (for the Spark job)")
    bin_ = _venv(tmp_path / "venv", f"{_wheel(dist)}[spark]")
    db = f"sqlite:///{tmp_path / 'c.db'}"
    lake = str(tmp_path / "lake")
    # cwd: the job keeps its key file in the working directory when it has no database URL.
    _ok(_run([str(bin_ / "consentry"), "db", "upgrade", "--database-url", db], cwd=tmp_path))
    _ok(
        _run(
            [str(bin_ / "consentry"), "lake", "export", "--lake", lake, "--database-url", db],
            cwd=tmp_path,
        )
    )
    created = _ok(
        _run(
            [
                str(bin_ / "consentry"),
                "spark",
                "run-create",
                "--lake",
                lake,
                "--master",
                "local[1]",
            ],
            timeout=600,
            cwd=tmp_path,
        )
    )
    assert json.loads(created[created.index("{") :])["purpose"] == "model_training"
