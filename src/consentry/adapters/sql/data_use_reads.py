"""The SQL side of :class:`~consentry.service.ports.DataUseReads`: what the account's
data-use pages show (issue 18): which runs hold a session, which purposes a run made
now would include it for (the run builder's own SELECT, R20/R22), and chat titles.

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.eligible_sql import eligible_sessions
from consentry.adapters.sql.run_catalog import run_of_row
from consentry.config.sealing import SecretBox
from consentry.domain.policy import Policy
from consentry.domain.types import Purpose
from consentry.service.records import RunRecord

s = t.sessions.c


class SqlDataUseReads:
    """Data-use reads over the unit of work's connection."""

    conn: Connection
    box: SecretBox | None

    def runs_with_sessions(self, session_ids: list[str]) -> dict[str, list[RunRecord]]:
        """R21: for each of these sessions, the runs whose manifest holds it, oldest first."""
        rs = t.run_sessions.c
        found: dict[str, list[RunRecord]] = defaultdict(list)
        if not session_ids:
            return found
        rows = self.conn.execute(
            select(t.runs, rs.session_id.label("manifest_session_id"))
            .join(t.run_sessions, rs.run_id == t.runs.c.id)
            .where(rs.session_id.in_(session_ids))
            .order_by(t.runs.c.created_at, t.runs.c.id)
        )
        for row in rows:
            found[row.manifest_session_id].append(run_of_row(row, self.box))
        return found

    def eligible_now(
        self,
        account_id: str,
        session_ids: list[str],
        *,
        purposes: list[Purpose],
        at: datetime,
        policy: Policy,
    ) -> dict[str, list[Purpose]]:
        """The account's own sessions among `session_ids` (deleted ones too), each with
        the purposes a run created at `at` would include it for: the run builder's own
        SELECT (R20/R22), one query per purpose for all of them (issue 18)."""
        if not session_ids:
            return {}
        own = self.conn.execute(
            select(s.id).where(s.id.in_(session_ids), s.account_id == account_id)
        ).scalars()
        found: dict[str, list[Purpose]] = {sid: [] for sid in own}
        for purpose in purposes:
            query = eligible_sessions(purpose=purpose, cutoff=at, policy=policy)
            for sid in self.conn.execute(query.where(s.id.in_(list(found)))).scalars():
                found[sid].append(purpose)
        return found

    def first_user_messages(
        self, session_ids: list[str], *, chars: int, account_id: str | None = None
    ) -> dict[str, str]:
        """The start (`chars` characters) of each session's first user message, for the
        pages to title chats by their first words; with `account_id`, only that
        account's sessions (one query for all of them)."""
        if not session_ids:
            return {}
        m = t.messages.c
        wanted: Any = session_ids
        if account_id is not None:
            wanted = select(s.id).where(s.id.in_(session_ids), s.account_id == account_id)
        first = (
            select(m.session_id, func.min(m.at).label("at"))
            .where(m.session_id.in_(wanted), m.role == "user")
            .group_by(m.session_id)
            .subquery()
        )
        rows = self.conn.execute(
            select(m.session_id, func.substr(m.content, 1, chars).label("start"))
            .join(first, and_(m.session_id == first.c.session_id, m.at == first.c.at))
            .where(m.role == "user")
            .order_by(m.session_id, m.id)
        )
        found: dict[str, str] = {}
        for row in rows:
            found.setdefault(row.session_id, row.start)
        return found
