"""Issue 26 benchmark: what crypto-shredding costs, CPU time, baseline in the same run.

1. Appends through the service (SQLite, a temporary file): N messages into sessions of
   20 messages, with CONSENTRY_CRYPTO_SHREDDING off and on, alternating rounds.
2. Key destruction: destroying k data keys in a vault holding 10k and 100k keys (O(1) per
   key: the time per key must not grow with the vault).

    .venv/bin/python benchmarks/crypto_shredding.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.adapters.sql.engine import upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.types import Author
from consentry.service import accounts, sessions


def appends(template: Path, work: Path, n: int, shred: bool) -> float:
    db = work / f"bench-{shred}.db"
    shutil.copy(template, db)
    os.environ["CONSENTRY_CRYPTO_SHREDDING"] = "1" if shred else "0"
    os.environ["CONSENTRY_KEK_FILE"] = str(work / "b.kek")
    os.environ["CONSENTRY_KEY_VAULT_URL"] = f"sqlite:///{work / f'keys-{shred}.sqlite'}"
    os.environ["CONSENTRY_PURGE_LOG"] = str(work / "purges.jsonl")
    settings = Settings(
        database_url=f"sqlite:///{db}", secret_key="b" * 40, sqlite_synchronous="NORMAL"
    )
    app = build(settings, migrate=False)
    uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    text = "How do I reverse a list in Python? " * 4
    start = time.process_time()
    sid = ""
    for i in range(n):
        if i % 20 == 0:
            sid = sessions.start_session(app.ctx, account_id=uid, kind="chat").session.id
        sessions.add_message(
            app.ctx, account_id=uid, session_id=sid, role="user", content=text,
            author=Author.ACCOUNT,
        )  # fmt: skip
    spent = time.process_time() - start
    app.engine.dispose()
    return spent


def destruction(work: Path, size: int, k: int) -> float:
    vault = SqlKeyVault.open(f"sqlite:///{work / f'v{size}.sqlite'}", KeyRingFile(work / "d.kek"))
    with vault.engine.begin() as conn:  # fill fast: wrapped bytes need not be real keys here
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < ?) "
            "INSERT INTO data_keys SELECT 'session:s' || i, 'kek-x', randomblob(60) FROM n",
            (size - 1,),
        )
    step = size // k
    start = time.process_time()
    vault.destroy(f"session:s{i}" for i in range(0, size, step))
    spent = time.process_time() - start
    vault.engine.dispose()
    return spent / k


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.db"
        upgrade(f"sqlite:///{template}")
        plain, shred = [], []
        for _ in range(args.rounds):
            plain.append(appends(template, work, args.messages, shred=False))
            shred.append(appends(template, work, args.messages, shred=True))
        p, s = min(plain), min(shred)
        print(
            f"appends {args.messages} msgs CPU s: plain {p:.3f} encrypted {s:.3f} ratio {s / p:.3f}"
        )
        small = destruction(work, 10_000, 1000)
        large = destruction(work, 100_000, 1000)
        print(
            f"destroy per key CPU us: vault 10k {small * 1e6:.1f}, vault 100k {large * 1e6:.1f}, "
            f"ratio {large / small:.2f}"
        )


if __name__ == "__main__":
    main()
