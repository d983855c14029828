"""Who may run the relay: one publisher per service, however many replicas run."""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Mapping

log = logging.getLogger(__name__)


class AlwaysHeld:
    """A SQLite store has one writing process: its relay always publishes."""

    def held(self) -> bool:
        return True

    def release(self) -> None:
        pass


class PostgresLease:
    """A PostgreSQL advisory lock on a connection of its own.

    Several replicas of a service share one event store; the one holding the lock
    publishes, the others wait and take over when its connection goes away (the
    server releases the lock with it). Checked at most every ``recheck_seconds``.
    """

    def __init__(self, env: Mapping[str, str], name: str, recheck_seconds: float = 1.0):
        self.env = env
        self.key = zlib.crc32(f"pedgrowth-relay:{env.get('POSTGRES_SCHEMA', '')}:{name}".encode())
        self.recheck_seconds = recheck_seconds
        self.conn = None
        self.checked_at = 0.0
        self.is_held = False

    def held(self) -> bool:
        """Whether this process holds the lock now (blocking: call it in a thread)."""
        if time.monotonic() - self.checked_at < self.recheck_seconds:
            return self.is_held
        self.checked_at = time.monotonic()
        import psycopg

        try:
            if self.conn is None or self.conn.closed:
                self.conn = psycopg.connect(
                    dbname=self.env["POSTGRES_DBNAME"], host=self.env["POSTGRES_HOST"],
                    port=self.env["POSTGRES_PORT"], user=self.env["POSTGRES_USER"],
                    password=self.env.get("POSTGRES_PASSWORD") or None, connect_timeout=5, autocommit=True)
                self.is_held = False
            if self.is_held:
                self.conn.execute("SELECT 1")
            else:
                self.is_held = bool(self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0])
        except psycopg.Error as error:
            log.warning("relay lease: %r; not publishing until the store answers", error)
            self.release()
        return self.is_held

    def release(self) -> None:
        """Give the lock back at once (closing alone frees it only when the server notices)."""
        if self.conn is not None:
            try:
                if self.is_held:
                    self.conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
                self.conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone either way
                pass
            self.conn = None
        self.is_held = False


def lease_for(env: Mapping[str, str], name: str) -> AlwaysHeld | PostgresLease:
    """The relay's lease for this store."""
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return PostgresLease(env, name)
    return AlwaysHeld()
