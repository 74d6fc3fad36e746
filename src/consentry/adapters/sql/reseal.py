"""Re-seal the stored secrets under a new master key (``consentry secrets reseal``).

The webhook signing secrets and the runs' pseudonym keys are stored sealed under a
sub-key of the master key (:mod:`consentry.config.sealing`). To change that key (it
leaked, or policy says rotate), the operator configures the *new* key as usual and
gives the old one in a file; every sealed value is opened with the old key and sealed
again with the new one.

* One transaction per batch of rows: an interruption leaves whole batches done and the
  rest untouched, and running the command again carries on. Values the new key already
  opens are left as they are, so a second run (or a resumed one) changes nothing twice.
* A value that opens with neither key is refused with ``wrong_old_key`` before the
  batch that holds it is written (the first batch: before anything is written when the
  old key is simply wrong), naming the row.
* Values stored in clear (before revision 0006, offline upgrades) are sealed too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from consentry.adapters.sql import tables as t
from consentry.config.sealing import SecretBox, SecretUnreadable, is_sealed
from consentry.domain.errors import ConsentryError

SEALED_COLUMNS: tuple[tuple[sa.Table, str, str], ...] = (
    (t.runs, "pseudonym_secret", "runs.pseudonym_secret"),
    (t.webhook_endpoints, "secret", "webhook_endpoints.secret"),
    (t.webhook_endpoints, "previous_secret", "webhook_endpoints.previous_secret"),
)
"""(table, sealed column, what the value is bound to, before ``:<row id>``)."""

DEFAULT_BATCH = 500


class WrongOldKey(ConsentryError):
    """A sealed value opens with neither the old nor the new key (exit 2)."""

    code = "wrong_old_key"


@dataclass
class ResealResult:
    resealed: int = 0
    already: int = 0
    """Values the new key already opened (an earlier, interrupted run; or no change)."""
    batches: int = 0
    per_column: dict[str, int] = field(default_factory=dict)


def reseal_secrets(
    engine: Engine,
    *,
    old: SecretBox,
    new: SecretBox,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[ResealResult], None] | None = None,
) -> ResealResult:
    """Open every sealed value with `old` and seal it with `new`, one batch per
    transaction, in key order; see the module docstring."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = ResealResult()
    for table, column, bound in SEALED_COLUMNS:
        name = f"{table.name}.{column}"
        result.per_column[name] = 0
        after = ""
        while True:
            with engine.begin() as conn:  # one transaction per batch
                rows = conn.execute(
                    sa.select(table.c.id, table.c[column])
                    .where(table.c.id > after)
                    .order_by(table.c.id)
                    .limit(batch_size)
                ).all()
                if not rows:
                    break
                for row_id, stored in rows:
                    if stored is None:  # nullable columns: nothing sealed in this row
                        continue
                    context = f"{bound}:{row_id}"
                    plain = _open_with_old(stored, context, old=old, new=new, result=result)
                    if plain is None:
                        continue
                    conn.execute(
                        sa.update(table)
                        .where(table.c.id == row_id)
                        .values({column: new.seal(plain, context=context)})
                    )
                    result.resealed += 1
                    result.per_column[name] += 1
                after = rows[-1][0]
            result.batches += 1
            if progress is not None:
                progress(result)
    return result


def _open_with_old(
    stored: str, context: str, *, old: SecretBox, new: SecretBox, result: ResealResult
) -> str | None:
    """The value in clear to seal again, or None when the new key already opens it."""
    if not is_sealed(stored):
        return stored  # stored in clear before revision 0006: seal it now
    try:
        new.open(stored, context=context)
    except SecretUnreadable:
        pass
    else:
        result.already += 1
        return None
    try:
        return old.open(stored, context=context)
    except SecretUnreadable:
        raise WrongOldKey(
            f"the stored secret of {context} opens with neither the old key given nor the "
            "configured key: is --old-key-file the key the database was sealed with? "
            "Nothing in this batch was changed."
        ) from None
