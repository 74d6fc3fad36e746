"""The crypto adapter's bounded, expiring cache (issue 26): the vault keeps unwrapped data
keys in one and the sessions' key scopes in another, so what it forgets and when is part
of R17 (a destroyed key is evicted at once; a restored database is re-read within the
TTL)."""

from __future__ import annotations

import pytest

from consentry.adapters.crypto import memo
from consentry.adapters.crypto.memo import TtlCache


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    return clock


def test_an_entry_is_trusted_for_its_ttl_then_forgotten_R17(now: list[float]) -> None:
    cache: TtlCache[str] = TtlCache(size=4, ttl_s=10)
    cache.put("s", "pool:a")
    now[0] += 9.9
    assert cache.get("s") == "pool:a"
    now[0] += 0.2
    assert cache.get("s") is None
    assert "s" not in cache  # the expired entry went, not only hidden


def test_the_oldest_entry_goes_first_and_a_hit_does_not_keep_it(now: list[float]) -> None:
    cache: TtlCache[int] = TtlCache(size=2, ttl_s=10)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("a") is None and cache.get("b") == 2 and cache.get("c") == 3
    cache.put("b", 20)  # a put renews the entry and makes it the newest
    cache.put("d", 4)
    assert cache.get("c") is None and cache.get("b") == 20


def test_pop_forgets_at_once(now: list[float]) -> None:
    cache: TtlCache[str] = TtlCache(size=4, ttl_s=10)
    cache.put("k", "key bytes")
    cache.pop("k")
    assert cache.get("k") is None and cache.values() == []
