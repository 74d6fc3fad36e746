"""The R28 export as users know it from the large assistants (issue 23 item 6, P17-P18).

A ZIP with four files: ``data.json`` (the R28 document, exactly what
``GET /v1/me/export`` answers), ``chats.html`` (every session readable offline: one
self-contained page, no script, no outside asset, every user-written text escaped),
``receipts.json`` (the account's consent receipts with their ledger proofs, as
``GET /v1/me/consent-receipts`` answers) and ``README.txt``. The archive is written into a
spooled temporary file (in memory up to :data:`SPOOL_BYTES`, then on disk), so the
entries are compressed as they are written and the answer can be streamed from it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html import escape
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from consentry.domain.clock import iso
from consentry.service import data_export, ledger
from consentry.service.context import Context

SPOOL_BYTES = 8 * 1024 * 1024
"""The archive stays in memory up to this size, then moves to a temporary file."""
CHUNK_BYTES = 64 * 1024
ENTRIES = ("README.txt", "data.json", "chats.html", "receipts.json")
"""The archive's files, in the order they are written (P17)."""


@dataclass
class Archive:
    """A finished ZIP: `filename` for the download, `chunks()` to stream it once."""

    filename: str
    file: IO[bytes]
    size: int

    def chunks(self) -> Iterator[bytes]:
        """The archive's bytes in pieces of :data:`CHUNK_BYTES`; closes the file at the end."""
        try:
            self.file.seek(0)
            while chunk := self.file.read(CHUNK_BYTES):
                yield chunk
        finally:
            self.file.close()

    def read(self) -> bytes:
        return b"".join(self.chunks())


def export_archive(ctx: Context, *, account_id: str) -> Archive:
    """P17: the account's data as a ZIP; never filtered (R28): every session, message,
    choice and run of `data.json` is also in the page and the receipts."""
    document = data_export.export_account(ctx, account_id=account_id)
    in_document = {item["receipt"]["record_id"] for item in document["consent_history"]}
    # Receipts are read after the document; an event recorded in between is left out
    # so that the three files describe one moment.
    receipts = [
        r for r in ledger.receipts(ctx, account_id=account_id) if r.get("record_id") in in_document
    ]
    now = ctx.clock.now()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    spool: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            _write_text(zf, "README.txt", now, _readme(document, now, len(receipts)))
            with _entry(zf, "data.json", now) as out:
                json.dump(document, out, indent=2, ensure_ascii=False)
            with _entry(zf, "chats.html", now) as out:
                write_chats_html(out, document, exported_at=now)
            with _entry(zf, "receipts.json", now) as out:
                json.dump(receipts, out, indent=2, ensure_ascii=False)
        size = spool.tell()
    except BaseException:
        spool.close()
        raise
    return Archive(f"consentry-export-{account_id}-{stamp}.zip", spool, size)


def _info(name: str, now: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


class _entry:  # a context manager used like a function
    """A text entry of the archive, compressed as it is written (UTF-8)."""

    def __init__(self, zf: zipfile.ZipFile, name: str, now: datetime) -> None:
        self._raw = zf.open(_info(name, now), "w", force_zip64=True)
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8", newline="\n")

    def __enter__(self) -> io.TextIOWrapper:
        return self._text

    def __exit__(self, *exc: object) -> None:
        self._text.close()  # flushes and closes the entry


def _write_text(zf: zipfile.ZipFile, name: str, now: datetime, text: str) -> None:
    zf.writestr(_info(name, now), text.encode("utf-8"))


def _readme(document: dict[str, Any], now: datetime, receipts: int) -> str:
    account = document["account"]
    sessions = document["sessions"]
    messages = sum(len(s["messages"]) for s in sessions)
    return (
        "Your data from consentry\n"
        "========================\n\n"
        f"Account: {account['account_id']} (plan {account['plan']})\n"
        f"Exported: {iso(now)}\n\n"
        "This archive holds everything the service keeps about your account:\n\n"
        f"  chats.html     Every chat and coding session ({len(sessions)} sessions, {messages}\n"
        "                 messages), your consent history, feedback and the training runs\n"
        "                 that used your data. Open it in any web browser; it works offline\n"
        "                 and loads nothing from the internet.\n"
        "  data.json      The same data as one machine-readable JSON document (UTF-8), the\n"
        "                 document GET /v1/me/export answers: account, privacy, consent_history\n"
        "                 (each choice with its ISO/IEC TS 27560 receipt), sessions with\n"
        "                 messages, feedback, training_runs (with membership proofs).\n"
        f"  receipts.json  Your {receipts} consent receipts, each with its ledger entry and an\n"
        "                 inclusion proof into the consent ledger (GET /v1/me/consent-receipts).\n"
        "  README.txt     This file.\n\n"
        "Times are UTC (ISO 8601). Nothing is left out: deleted sessions are not in the\n"
        "archive because the service no longer holds them (you deleted them).\n"
        "To change your training choice or delete your account, open your privacy settings.\n"
    )


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:48rem;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
nav ol{padding-left:1.25rem}
.session{border-top:2px solid #ccc;margin-top:2rem}
.meta{color:#555;font-size:.9rem}
.message{border:1px solid #ddd;border-radius:.5rem;padding:.5rem .75rem;margin:.75rem 0}
.message.user{background:#eef4ff}.message.assistant{background:#f6f6f6}
.role{font-weight:600}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0 0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}
@media print{.message{break-inside:avoid}}
"""


def write_chats_html(out: IO[str], document: dict[str, Any], *, exported_at: datetime) -> None:
    """P18: the document as one offline page: every session with its messages, the consent
    history, feedback and runs. Every value is escaped; the page has no script and no
    reference to anything outside itself (its style is inline)."""
    account = document["account"]
    sessions = document["sessions"]
    e = _e
    out.write(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>Your chats - {e(account['account_id'])}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        "<h1>Your data from consentry</h1>\n"
        f'<p class="meta">Account {e(account["account_id"])}, plan {e(account["plan"])}; '
        f"exported {e(iso(exported_at))}. "
        f"Training choice: {e(document['privacy'].get('training'))}.</p>\n"
    )
    out.write('<nav aria-labelledby="toc"><h2 id="toc">Contents</h2><ol>\n')
    for n, s in enumerate(sessions, 1):
        out.write(f'<li><a href="#s{n}">{e(_session_title(s))}</a></li>\n')
    out.write(
        '<li><a href="#history">Consent history</a></li>'
        '<li><a href="#feedback">Feedback</a></li>'
        '<li><a href="#runs">Training runs that used your data</a></li></ol></nav>\n'
    )
    if not sessions:
        out.write("<p>You have no sessions.</p>\n")
    for n, s in enumerate(sessions, 1):
        _write_session(out, n, s)
    _write_history(out, document["consent_history"])
    _write_feedback(out, document["feedback"])
    _write_runs(out, document["training_runs"])
    out.write("</main>\n</body>\n</html>\n")


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _session_title(s: dict[str, Any]) -> str:
    kind = "Coding session" if s["kind"] == "code" else "Chat"
    extra = ", incognito" if s["incognito"] else ""
    return f"{kind} on {s['surface']}{extra}, {s['created_at'][:10]}"


def _write_session(out: IO[str], n: int, s: dict[str, Any]) -> None:
    e = _e
    out.write(
        f'<section class="session" id="s{n}" aria-labelledby="s{n}-title">\n'
        f'<h2 id="s{n}-title">{e(_session_title(s))}</h2>\n'
        f'<p class="meta">Session {e(s["session_id"])}; started {e(s["created_at"])}; '
        f"{'used for training where you allowed it' if s['covered'] else 'not covered'}; "
        f"kept until {e(s['retain_until'])}.</p>\n"
    )
    if not s["messages"]:
        out.write("<p>No messages.</p>\n")
    for m in s["messages"]:
        role = "You" if m["role"] == "user" else "Assistant"
        css = "user" if m["role"] == "user" else "assistant"
        out.write(
            f'<article class="message {css}"><p class="role">{role} '
            f'<time class="meta" datetime="{e(m["at"])}">{e(m["at"])}</time></p>'
            f'<div class="text">{e(m["content"])}</div></article>\n'
        )
    out.write("</section>\n")


def _table(
    out: IO[str], anchor: str, title: str, head: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    e = _e
    out.write(f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{e(title)}</h2>\n')
    if not rows:
        out.write("<p>None.</p></section>\n")
        return
    out.write("<table><thead><tr>")
    out.write("".join(f'<th scope="col">{e(h)}</th>' for h in head))
    out.write("</tr></thead><tbody>\n")
    for row in rows:
        out.write("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>\n")
    out.write("</tbody></table></section>\n")


def _write_history(out: IO[str], history: list[dict[str, Any]]) -> None:
    rows: list[tuple[object, ...]] = [
        (h["at"], h["type"], h["value"] or "", h["source"] or "", h["terms_version"])
        for h in history
    ]
    _table(out, "history", "Consent history", ("Time", "Event", "Choice", "How", "Terms"), rows)


def _write_feedback(out: IO[str], feedback: list[dict[str, Any]]) -> None:
    rows: list[tuple[object, ...]] = [
        (f["at"], f["rating"], f["comment"] or "", f["session_id"]) for f in feedback
    ]
    _table(out, "feedback", "Feedback", ("Time", "Rating", "Comment", "Session"), rows)


def _write_runs(out: IO[str], runs: list[dict[str, Any]]) -> None:
    rows: list[tuple[object, ...]] = [(r["run_id"], r["purpose"], r["cutoff"]) for r in runs]
    _table(out, "runs", "Training runs that used your data", ("Run", "Purpose", "Cutoff"), rows)
