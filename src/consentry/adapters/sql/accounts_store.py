"""The SQL side of :class:`~consentry.service.ports.AccountStore`: account rows and the
current training choice they project (R1–R5, R15).

Every method runs inside the caller's unit of work (:mod:`consentry.adapters.sql.uow`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import DriverStatement
from consentry.domain.types import Plan, Scope, Training
from consentry.service.records import AccountRecord


def account_of_row(m: Mapping[Any, Any]) -> AccountRecord:
    """An account row's record (a row's ``_mapping``, or the account's columns of a join)."""
    return AccountRecord(
        id=m["id"],
        plan=Plan(m["plan"]),
        scope=Scope(m["scope"]),
        created_at=m["created_at"],
        training=Training(m["training"]),
        terms_accepted=m["terms_accepted"],
        choice_at=m["choice_at"],
        deleted_at=m["deleted_at"],
        region=m["region"],
        auto_delete_months=m["auto_delete_months"],
    )


_ACCOUNT_BY_ID = select(t.accounts).where(t.accounts.c.id == bindparam("p_id"))
_ACCOUNT_BY_TOKEN_HASH = select(t.accounts).where(t.accounts.c.token_hash == bindparam("p_hash"))
_a = t.accounts.c
# A choice's projection onto the account: built once and sent as its compiled text
# (issue 22; built per call it was ~8 % of choice change's worker-thread CPU).
_SET_PRIVACY = DriverStatement(
    update(t.accounts)
    .where(_a.id == bindparam("p_id"))
    .values(
        training=bindparam("p_training", type_=_a.training.type),
        terms_accepted=bindparam("p_terms_accepted", type_=_a.terms_accepted.type),
        choice_at=bindparam("p_at", type_=_a.choice_at.type),
    )
)


class SqlAccountStore:
    """Account reads and writes over the unit of work's connection."""

    conn: Connection

    def insert_account(self, account: AccountRecord, token_hash: str) -> None:
        self.conn.execute(
            insert(t.accounts).values(
                id=account.id,
                plan=account.plan.value,
                scope=account.scope.value,
                created_at=account.created_at,
                token_hash=token_hash,
                training=account.training.value,
                terms_accepted=account.terms_accepted,
                choice_at=account.choice_at,
                deleted_at=None,
                region=account.region,
                auto_delete_months=account.auto_delete_months,
            )
        )

    def get_account(self, account_id: str) -> AccountRecord | None:
        row = self.conn.execute(_ACCOUNT_BY_ID, {"p_id": account_id}).first()
        return account_of_row(row._mapping) if row else None

    def account_by_token_hash(self, token_hash: str) -> AccountRecord | None:
        row = self.conn.execute(_ACCOUNT_BY_TOKEN_HASH, {"p_hash": token_hash}).first()
        return account_of_row(row._mapping) if row else None

    def set_privacy(
        self, account_id: str, *, training: Training, terms_accepted: str | None, at: datetime
    ) -> None:
        _SET_PRIVACY.execute(
            self.conn,
            {
                "p_id": account_id,
                "p_training": training.value,
                "p_terms_accepted": terms_accepted,
                "p_at": at,
            },
        )

    def set_auto_delete(self, account_id: str, *, months: int) -> None:
        """P12: the account's auto-delete period in months (0: until the user deletes it)."""
        self.conn.execute(
            update(t.accounts)
            .where(t.accounts.c.id == account_id)
            .values(auto_delete_months=months)
        )

    def mark_account_deleted(self, account_id: str, at: datetime) -> None:
        self.conn.execute(
            update(t.accounts)
            .where(t.accounts.c.id == account_id)
            .values(deleted_at=at, token_hash=None)
        )
