"""Propagating every change: the transactional outbox, its change feed, signed webhooks
and an optional Redis Stream (issue 7).

Each use case writes one ``outbox`` row in the same transaction as its change
(:meth:`consentry.adapters.sql.store.SqlStore.publish`), so a change is published iff it
is committed. Everything here only *reads* the outbox:

    feed.py          ordered, resumable reads up to a safe horizon (no skipped commits)
    registry.py      webhook endpoints and their deliveries (admin API, CLI)
    signing.py       ``Consentry-Signature: t=<unix>,v1=<hex>`` and its verification
    delivery.py      fan-out to deliveries, claiming, one HTTP attempt, retry schedule
    redis_stream.py  XADD to ``consentry:events`` behind a cursor
    worker.py        the loop that runs all of it, in a thread or its own process

The admin routes and the ``webhooks`` / ``deliver`` commands belong to the entry points
(``entrypoints/api/outbox.py``, ``entrypoints/cli_outbox.py``); this package imports none
of them (issue 20).
"""
