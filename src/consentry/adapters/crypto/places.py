"""Where the crypto-shredding files live, beside the service's secret key file.

For a SQLite database ``app.db`` (secret key ``app.db.key``): the KEK ring ``app.db.kek``,
the data-key vault ``app.db.keys.sqlite`` and the purge log ``app.db.purges.jsonl``. For
PostgreSQL, the same names with ``consentry`` in the working directory. Each can be set:
``CONSENTRY_KEK_FILE``, ``CONSENTRY_KEY_VAULT_URL`` (several machines: one PostgreSQL
database of its own, never the content database) and ``CONSENTRY_PURGE_LOG``.
None of them is ever inside the content database or its backups (docs/retention.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.purge_log import PurgeLog
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.config.secret_key import key_file_path
from consentry.config.settings import Settings, env_whole


@dataclass(frozen=True)
class KeyPlaces:
    kek_file: Path
    vault_url: str
    purge_log: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyPlaces:
        key = key_file_path(settings)
        base = key.with_name(key.name.removesuffix(".key"))
        env = os.environ
        return cls(
            kek_file=Path(env.get("CONSENTRY_KEK_FILE") or f"{base}.kek"),
            vault_url=env.get("CONSENTRY_KEY_VAULT_URL") or f"sqlite:///{base}.keys.sqlite",
            purge_log=Path(env.get("CONSENTRY_PURGE_LOG") or f"{base}.purges.jsonl"),
        )

    def open_vault(self) -> SqlKeyVault:
        """The vault, with the key pool's size and maximum age from
        ``CONSENTRY_KEY_POOL_SIZE`` and ``CONSENTRY_KEY_POOL_MAX_AGE_S`` when set."""
        pool: dict[str, int] = {}
        for name, env in (
            ("pool_size", "CONSENTRY_KEY_POOL_SIZE"),
            ("pool_max_age_s", "CONSENTRY_KEY_POOL_MAX_AGE_S"),
        ):
            value = env_whole(env, minimum=1)
            if value is not None:
                pool[name] = value
        return SqlKeyVault.open(self.vault_url, KeyRingFile(self.kek_file), **pool)

    def open_purge_log(self) -> PurgeLog:
        return PurgeLog(self.purge_log)
