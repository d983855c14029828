"""The SQL read-model store: SQLite (embedded default) and PostgreSQL (production).

Tables (stable, documented in docs/indicators.md): ``rm_event`` (the facts, one row per
event), ``rm_position`` (next offset per topic partition), ``rm_meta`` (the generation),
``rm_series`` and ``rm_sum`` (the engine's published sums, written with each batch) and
``indicator_value`` (per scope × indicator × year, for BI tools).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..records import Record
from .base import ReadModelStore, ShardSumRow, StoreReplaced, SumChanges, SumRow, ValueRow

log = logging.getLogger(__name__)

DEFAULT_SCHEMA = "indicators_read"

TABLES = [
    """CREATE TABLE IF NOT EXISTS rm_event (
        source TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL,
        data {json} NOT NULL, PRIMARY KEY (source, id))""",
    """CREATE TABLE IF NOT EXISTS rm_position (
        topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset BIGINT NOT NULL,
        PRIMARY KEY (topic, partition))""",
    "CREATE TABLE IF NOT EXISTS rm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS rm_series (
        indicator TEXT NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (indicator, definition))""",
    """CREATE TABLE IF NOT EXISTS rm_sum (
        indicator TEXT NOT NULL, definition TEXT NOT NULL, part TEXT NOT NULL, scope TEXT NOT NULL,
        days {blob} NOT NULL, totals {blob} NOT NULL, PRIMARY KEY (indicator, definition, part, scope))""",
    """CREATE TABLE IF NOT EXISTS indicator_value (
        scope TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_name TEXT NOT NULL, indicator TEXT NOT NULL,
        year INTEGER NOT NULL, as_of TEXT NOT NULL, value DOUBLE PRECISION, numerator INTEGER,
        denominator INTEGER, target DOUBLE PRECISION, status TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, indicator, year))""",
]
INSERT_EVENT = ("INSERT INTO rm_event (source, id, type, time, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (source, id) DO NOTHING")
UPSERT_POSITION = ("INSERT INTO rm_position (topic, partition, next_offset) VALUES (?, ?, ?) "
                   "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset")
UPSERT_VALUE = (
    "INSERT INTO indicator_value (scope, scope_kind, scope_name, indicator, year, as_of, value, numerator, "
    "denominator, target, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (scope, indicator, year) DO UPDATE SET scope_kind = excluded.scope_kind, "
    "scope_name = excluded.scope_name, as_of = excluded.as_of, value = excluded.value, "
    "numerator = excluded.numerator, denominator = excluded.denominator, target = excluded.target, "
    "status = excluded.status, updated_at = excluded.updated_at")
INSERT_SERIES = "INSERT INTO rm_series (indicator, definition) VALUES (?, ?) ON CONFLICT DO NOTHING"
UPSERT_SUM = ("INSERT INTO rm_sum (indicator, definition, part, scope, days, totals) VALUES (?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (indicator, definition, part, scope) DO UPDATE SET days = excluded.days, "
              "totals = excluded.totals")
SELECT_VALUES = ("SELECT scope, indicator, year, as_of, value, numerator, denominator, target, status, updated_at, "
                 "scope_kind, scope_name FROM indicator_value")


def type_filter(types: tuple[str, ...] | None, other_than: tuple[str, ...]) -> tuple[str, tuple]:
    """The WHERE clause (after another condition) and its arguments for ``records``."""
    where, args = "", ()
    if types is not None:
        where += f" AND type IN ({', '.join('?' * len(types))})" if types else " AND 1 = 0"
        args += tuple(types)
    if other_than:
        where += f" AND type NOT IN ({', '.join('?' * len(other_than))})"
        args += tuple(other_than)
    return where, args


def _record_row(r: Record) -> tuple:
    return (r.source, r.id, r.type, r.time, json.dumps(r.data, ensure_ascii=False, separators=(",", ":")))


class SqlStore(ReadModelStore):
    """Shared SQL; subclasses connect and say how parameters and JSON are written."""

    json_type = "TEXT"
    blob_type = "BLOB"

    def __init__(self) -> None:
        self.conn = None
        self.lock = threading.Lock()
        self.writer = False  # this connection holds the store's writer lock (claim_writer)

    def sql(self, text: str) -> str:
        return text

    async def _run(self, fn, *args):
        def locked():
            with self.lock:
                return fn(*args)
        return await asyncio.to_thread(locked)

    def transaction(self):
        return self.conn

    def _create(self) -> None:
        with self.transaction():
            cur = self.conn.cursor()
            for ddl in TABLES:
                cur.execute(ddl.format(json=self.json_type, blob=self.blob_type))
            cur.execute(self.sql("INSERT INTO rm_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"),
                        ("generation", uuid.uuid4().hex))

    async def close(self) -> None:
        if self.conn is not None:
            await self._run(self.conn.close)
            self.conn = None
        self.writer = False

    async def ping(self) -> bool:
        try:
            await self._run(lambda: self.conn.execute("SELECT 1").fetchone())
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False
        return True

    def _generation(self) -> str:
        row = self.conn.execute(self.sql("SELECT value FROM rm_meta WHERE key = ?"), ("generation",)).fetchone()
        return row[0]

    async def generation(self) -> str:
        return await self._run(self._generation)

    def _check_generation(self, generation: str | None) -> None:
        if generation is not None and self._generation() != generation:
            raise StoreReplaced(f"{self.location} was replaced by a rebuild")

    def _write(self, records: list[Record], positions: dict, generation: str | None, sums: SumChanges | None) -> None:
        with self.transaction():
            self._check_generation(generation)
            cur = self.conn.cursor()
            if records:
                cur.executemany(self.sql(INSERT_EVENT), [_record_row(r) for r in records])
            if positions:
                cur.executemany(self.sql(UPSERT_POSITION), [(t, p, o) for (t, p), o in positions.items()])
            if sums is not None and sums.series:
                cur.executemany(self.sql(INSERT_SERIES), sums.series)
            if sums is not None and sums.rows:
                cur.executemany(self.sql(UPSERT_SUM), [(r.indicator, r.definition, r.part, r.scope, r.days, r.totals)
                                                       for r in sums.rows])

    async def write(self, records, positions, generation=None, sums=None) -> None:
        await self._run(self._write, records, positions, generation, sums)

    async def claim_writer(self) -> bool:
        if not self.writer:
            self.writer = await self._run(self._claim)
        return self.writer

    def _claim(self) -> bool:
        raise NotImplementedError

    def write_now(self, records, positions, generation=None, sums=None) -> bool:
        with self.lock:
            self._write(records, positions, generation, sums)
        return True

    async def series(self) -> list[tuple[str, str]]:
        rows = await self._run(lambda: self.conn.execute("SELECT indicator, definition FROM rm_series").fetchall())
        return [(i, d) for i, d in rows]

    def _sum_page(self, after: tuple, size: int) -> list[tuple]:
        return self.conn.execute(self.sql(
            "SELECT indicator, definition, part, scope, days, totals FROM rm_sum "
            "WHERE (indicator, definition, part, scope) > (?, ?, ?, ?) "
            "ORDER BY indicator, definition, part, scope LIMIT ?"), (*after, size)).fetchall()

    async def sums(self, batch_size: int = 5000) -> AsyncIterator[list[SumRow]]:
        after = ("", "", "", "")
        while True:
            rows = await self._run(self._sum_page, after, batch_size)
            if not rows:
                return
            yield [SumRow(i, d, p, s, bytes(a), bytes(b)) for i, d, p, s, a, b in rows]
            after = rows[-1][:4]

    async def positions(self) -> dict[tuple[str, int], int]:
        rows = await self._run(lambda: self.conn.execute(
            "SELECT topic, partition, next_offset FROM rm_position").fetchall())
        return {(t, int(p)): int(o) for t, p, o in rows}

    async def count(self) -> int:
        return (await self._run(lambda: self.conn.execute("SELECT count(*) FROM rm_event").fetchone()))[0]

    def _page(self, after: tuple[str, str], size: int, where: str, args: tuple) -> list[tuple]:
        return self.conn.execute(self.sql(
            f"SELECT source, id, type, time, data FROM rm_event WHERE (source, id) > (?, ?){where} "
            "ORDER BY source, id LIMIT ?"), (after[0], after[1], *args, size)).fetchall()

    async def records(self, batch_size: int = 5000, types=None, other_than=()) -> AsyncIterator[list[Record]]:
        after, (where, args) = ("", ""), type_filter(types, other_than)
        while True:
            rows = await self._run(self._page, after, batch_size, where, args)
            if not rows:
                return
            yield [Record(s, i, t, tm, d if isinstance(d, dict) else json.loads(d)) for s, i, t, tm, d in rows]
            after = (rows[-1][0], rows[-1][1])

    def _save_values(self, rows: list[ValueRow]) -> None:
        with self.transaction():
            self.conn.cursor().executemany(self.sql(UPSERT_VALUE), [
                (r.scope, r.scope_kind, r.scope_name, r.indicator, r.year, r.as_of, r.value, r.numerator,
                 r.denominator, r.target, r.status, r.updated_at) for r in rows])

    async def save_values(self, rows: list[ValueRow]) -> None:
        if rows:
            await self._run(self._save_values, rows)

    async def values(self, scope: str | None = None) -> list[ValueRow]:
        where, args = (" WHERE scope = ?", (scope,)) if scope else ("", ())
        rows = await self._run(lambda: self.conn.execute(
            self.sql(SELECT_VALUES + where + " ORDER BY scope, indicator, year"), args).fetchall())
        return [ValueRow(*row) for row in rows]


class SqliteStore(SqlStore):
    """A SQLite file (WAL, so BI tools can read while the projection writes)."""

    def _page_by_rowid(self, last: int, size: int, where: str, args: tuple) -> list[tuple]:
        """A page in table order: a sequential read, where key order would visit the table at random."""
        return self.conn.execute(
            f"SELECT rowid, source, id, type, time, data FROM rm_event WHERE rowid > ?{where} ORDER BY rowid LIMIT ?",
            (last, *args, size)).fetchall()

    async def records(self, batch_size: int = 5000, types=None, other_than=()) -> AsyncIterator[list[Record]]:
        last, (where, args) = 0, type_filter(types, other_than)
        while True:
            rows = await self._run(self._page_by_rowid, last, batch_size, where, args)
            if not rows:
                return
            last = rows[-1][0]
            yield [Record(s, i, t, tm, json.loads(d)) for _, s, i, t, tm, d in rows]

    def __init__(self, path: Path):
        super().__init__()
        self.path = Path(path)
        self.location = f"sqlite:///{self.path}"

    def _claim(self) -> bool:
        """An exclusive lock on ``<file>.writer`` (released when the file is closed, or the process dies)."""
        handle = open(f"{self.path}.writer", "a+b")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._writer_file = handle
        return True

    async def close(self) -> None:
        await super().close()
        handle, self._writer_file = getattr(self, "_writer_file", None), None
        if handle is not None:
            handle.close()

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: the (source, id) key pages of a large read model
        self._create()

    async def open(self) -> None:
        await self._run(self._connect)

    def fresh(self) -> SqliteStore:
        path = self.path.with_name(self.path.name + ".rebuild")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return SqliteStore(path)

    async def promote(self) -> None:
        """Copy this database over the live one with SQLite's backup API, which takes the live file's
        locks (a file rename under a live WAL database would corrupt it)."""
        live = Path(str(self.path).removesuffix(".rebuild"))

        def copy():
            target = sqlite3.connect(live, timeout=60)
            try:
                self.conn.backup(target)
            finally:
                target.close()
            self.conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        await self._run(copy)
        self.path = live
        self.location = f"sqlite:///{live}"
        await self.open()


SHARED_TABLES = [
    "ALTER TABLE rm_event ADD COLUMN IF NOT EXISTS seq BIGSERIAL",
    "CREATE UNIQUE INDEX IF NOT EXISTS rm_event_seq ON rm_event (seq)",
    """CREATE TABLE IF NOT EXISTS rm_shard (
        shard INTEGER PRIMARY KEY, owner TEXT NOT NULL, seq BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rm_shard_series (
        shard INTEGER NOT NULL, indicator TEXT NOT NULL, definition TEXT NOT NULL,
        PRIMARY KEY (shard, indicator, definition))""",
    """CREATE TABLE IF NOT EXISTS rm_shard_sum (
        shard INTEGER NOT NULL, indicator TEXT NOT NULL, definition TEXT NOT NULL, part TEXT NOT NULL,
        scope TEXT NOT NULL, days BYTEA NOT NULL, totals BYTEA NOT NULL, version BIGINT NOT NULL,
        PRIMARY KEY (shard, indicator, definition, part, scope))""",
    "CREATE INDEX IF NOT EXISTS rm_shard_sum_version ON rm_shard_sum (version)",
    "CREATE SEQUENCE IF NOT EXISTS rm_shard_version",
]
"""What instances sharing a PostgreSQL store add (docs/operations.md, "Several indicators instances"):
``rm_event.seq`` orders the facts every instance follows; ``rm_shard`` says who computes each shard and up to
which fact; ``rm_shard_sum`` holds each shard's sums (the total is their sum), ``version`` in the order written."""

UPSERT_SHARD_SUM = (
    "INSERT INTO rm_shard_sum (shard, indicator, definition, part, scope, days, totals, version) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (shard, indicator, definition, part, scope) "
    "DO UPDATE SET days = excluded.days, totals = excluded.totals, version = excluded.version")


class ShardLost(StoreReplaced):
    """Another instance took a shard this one was writing: load the store again and take what is assigned."""


class PostgresStore(SqlStore):
    """A PostgreSQL schema (``?schema=`` in the URL, default indicators_read)."""

    json_type = "JSONB"
    blob_type = "BYTEA"

    def __init__(self, url: str, schema: str | None = None, shared: bool = False):
        super().__init__()
        parts = urlsplit(url)
        self.base_url = url.split("?")[0]
        self.schema = schema or parse_qs(parts.query).get("schema", [DEFAULT_SCHEMA])[0]
        self.location = f"{self.base_url}?schema={self.schema}"
        self.shared = shared  # several instances share it, each computing its shards (SharedReadModel)

    def _create(self) -> None:
        super()._create()
        if self.shared:
            with self.transaction():
                for ddl in SHARED_TABLES:
                    self.conn.execute(ddl)

    def _lock(self, name: str) -> None:
        """A lock held until the transaction ends: writers of the fact log (of the shards' sums) one at a
        time, so what gets a higher seq (version) commits after what got a lower one and a reader that
        saw up to N never misses an N−1 committed later."""
        live = self.schema.removesuffix("_rebuild")
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"pedgrowth-indicators-{name}:{live}",))

    # -- the shared fact log ---------------------------------------------------------------------------

    def _ingest(self, records: list[Record], positions: dict, generation: str | None) -> None:
        with self.transaction():
            self._check_generation(generation)
            self._lock("log")
            cur = self.conn.cursor()
            if records:
                cur.executemany(self.sql(INSERT_EVENT), [_record_row(r) for r in records])
            if positions:
                cur.executemany(self.sql(UPSERT_POSITION), [(t, p, o) for (t, p), o in positions.items()])

    async def ingest(self, records: list[Record], positions: dict[tuple[str, int], int],
                     generation: str | None = None) -> None:
        """Add a batch's new facts to the shared log with the positions after it (one transaction)."""
        await self._run(self._ingest, records, positions, generation)

    async def last_seq(self) -> int:
        row = await self._run(lambda: self.conn.execute("SELECT coalesce(max(seq), 0) FROM rm_event").fetchone())
        return int(row[0])

    def _facts_page(self, after: int, upto: int | None, size: int) -> list[tuple]:
        bound = "" if upto is None else " AND seq <= %s"
        args = (after,) + (() if upto is None else (upto,)) + (size,)
        return self.conn.execute(f"SELECT seq, source, id, type, time, data FROM rm_event WHERE seq > %s{bound} "
                                 "ORDER BY seq LIMIT %s", args).fetchall()

    async def facts(self, after: int, upto: int | None = None, batch_size: int = 5000
                    ) -> AsyncIterator[tuple[int, list[Record]]]:
        """The facts after ``after`` (up to ``upto``) in the log's order, in batches: (last seq, records)."""
        while True:
            rows = await self._run(self._facts_page, after, upto, batch_size)
            if not rows:
                return
            after = int(rows[-1][0])
            yield after, [Record(s, i, t, tm, d if isinstance(d, dict) else json.loads(d)) for _, s, i, t, tm, d in rows]

    # -- the shards -----------------------------------------------------------------------------------

    def _claim_shard(self, shard: int, owner: str) -> tuple[int, list[tuple[str, str]]]:
        with self.transaction():
            row = self.conn.execute("SELECT seq FROM rm_shard WHERE shard = %s FOR UPDATE", (shard,)).fetchone()
            if row is None:
                self.conn.execute("INSERT INTO rm_shard (shard, owner, seq) VALUES (%s, %s, 0)", (shard, owner))
            else:
                self.conn.execute("UPDATE rm_shard SET owner = %s WHERE shard = %s", (owner, shard))
            series = self.conn.execute("SELECT indicator, definition FROM rm_shard_series WHERE shard = %s",
                                       (shard,)).fetchall()
        return (int(row[0]) if row else 0), [(i, d) for i, d in series]

    async def claim_shard(self, shard: int, owner: str) -> tuple[int, list[tuple[str, str]]]:
        """Make ``owner`` the one that writes ``shard`` (the last owner's next write fails: ``ShardLost``);
        the fact seq its sums were written at, and the series it holds whole."""
        return await self._run(self._claim_shard, shard, owner)

    def _write_shards(self, owner: str, seq: int, rows: dict[int, list[SumRow]], series: dict[int, list],
                      replace: set[int], generation: str | None) -> None:
        with self.transaction():
            self._check_generation(generation)
            self._lock("sums")
            cur = self.conn.cursor()
            for shard in sorted(rows):
                cur.execute("UPDATE rm_shard SET seq = %s WHERE shard = %s AND owner = %s", (seq, shard, owner))
                if cur.rowcount != 1:
                    raise ShardLost(f"{self.location}: shard {shard} is written by another instance now")
                if shard in replace:
                    cur.execute("DELETE FROM rm_shard_sum WHERE shard = %s", (shard,))
                    cur.execute("DELETE FROM rm_shard_series WHERE shard = %s", (shard,))
            version = cur.execute("SELECT nextval('rm_shard_version')").fetchone()[0]
            cur.executemany(UPSERT_SHARD_SUM, [(shard, r.indicator, r.definition, r.part, r.scope, r.days, r.totals,
                                                version) for shard, shard_rows in rows.items() for r in shard_rows])
            cur.executemany("INSERT INTO rm_shard_series (shard, indicator, definition) VALUES (%s, %s, %s) "
                            "ON CONFLICT DO NOTHING",
                            [(shard, i, d) for shard, pairs in series.items() for i, d in pairs])

    def write_shards_now(self, owner: str, seq: int, rows: dict[int, list[SumRow]], series: dict[int, list],
                         replace: set[int] = frozenset(), generation: str | None = None) -> None:
        """Write the owned shards' changed sums as of fact ``seq`` (``replace``: all of the shard's rows),
        from a worker thread; ``ShardLost`` when another instance took one of them."""
        with self.lock:
            self._write_shards(owner, seq, rows, series, set(replace), generation)

    def _shard_page(self, after: int, cursor: tuple | None, size: int) -> list[tuple]:
        where, args = (("version > %s", (after,)) if cursor is None else
                       ("(version, shard, indicator, definition, part, scope) > (%s, %s, %s, %s, %s, %s)", cursor))
        return self.conn.execute(
            "SELECT version, shard, indicator, definition, part, scope, days, totals FROM rm_shard_sum "
            f"WHERE {where} ORDER BY version, shard, indicator, definition, part, scope LIMIT %s",
            (*args, size)).fetchall()

    async def shard_rows(self, after: int = 0, batch_size: int = 5000
                         ) -> AsyncIterator[tuple[int, list[ShardSumRow]]]:
        """The shards' rows written after version ``after``, in the order written: (last version, rows)."""
        cursor = None
        while True:
            rows = await self._run(self._shard_page, after, cursor, batch_size)
            if not rows:
                return
            cursor = tuple(rows[-1][:6])
            yield int(rows[-1][0]), [ShardSumRow(int(shard), SumRow(i, d, p, sc, bytes(a), bytes(b)))
                                     for _, shard, i, d, p, sc, a, b in rows]

    async def last_version(self) -> int:
        row = await self._run(lambda: self.conn.execute("SELECT last_value, is_called FROM rm_shard_version").fetchone())
        return int(row[0]) if row[1] else 0

    async def shard_series(self) -> list[tuple[str, str]]:
        rows = await self._run(lambda: self.conn.execute(
            "SELECT DISTINCT indicator, definition FROM rm_shard_series").fetchall())
        return [(i, d) for i, d in rows]

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    async def close(self) -> None:
        if self.writer and self.conn is not None:  # at once: a closed connection's locks go when its backend ends
            try:
                await self._run(lambda: self.conn.execute("SELECT pg_advisory_unlock_all()"))
            except Exception as error:  # noqa: BLE001 - a broken connection holds no lock any more
                log.info("letting go of the writer lock of %s: %r", self.location, error)
        await super().close()

    def _claim(self) -> bool:
        """A session advisory lock named after the live schema (let go on close, or with the connection)."""
        live = self.schema.removesuffix("_rebuild")
        return bool(self.conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))",
                                      (f"pedgrowth-indicators-writer:{live}",)).fetchone()[0])

    def transaction(self):
        return self.conn.transaction()

    def _connect(self) -> None:
        import psycopg
        from psycopg import sql

        conn = psycopg.connect(self.base_url, connect_timeout=5, autocommit=True)
        try:  # one instance at a time creates what is missing (two CREATE … IF NOT EXISTS at once can collide)
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"pedgrowth-indicators-schema:{self.schema}",))
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            self.conn = conn
            self._create()
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"pedgrowth-indicators-schema:{self.schema}",))
        except BaseException:
            self.conn = None
            conn.close()
            raise

    async def open(self) -> None:
        await self._run(self._connect)

    def fresh(self) -> PostgresStore:
        import psycopg
        from psycopg import sql

        store = PostgresStore(self.base_url, f"{self.schema}_rebuild", shared=self.shared)
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(store.schema)))
        return store

    async def promote(self) -> None:
        from psycopg import sql

        live = self.schema.removesuffix("_rebuild")
        old = f"{live}_old"

        def swap():
            ident = sql.Identifier
            with self.conn.transaction():
                self.conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident(old)))
                exists = self.conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (live,)).fetchone()
                if exists:
                    self.conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(live), ident(old)))
                self.conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(self.schema), ident(live)))
                self.conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident(old)))
            self.conn.execute(sql.SQL("SET search_path TO {}").format(ident(live)))
        await self._run(swap)
        self.schema = live
        self.location = f"{self.base_url}?schema={live}"
