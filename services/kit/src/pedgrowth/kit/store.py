"""Event-store persistence chosen by settings: a SQLite file by default, PostgreSQL when configured."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from .config import ServiceSettings


def eventsourcing_env(settings: ServiceSettings, cipher_key: str | None = None) -> dict[str, str]:
    """The eventsourcing environment for a service's Application."""
    env = sqlite_env(settings) if not settings.database_url else postgres_env(settings.database_url)
    if cipher_key:
        env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
        env["CIPHER_KEY"] = cipher_key
        env["COMPRESSOR_TOPIC"] = "eventsourcing.compressor:ZlibCompressor"
    return env


def sqlite_env(settings: ServiceSettings) -> dict[str, str]:
    """A SQLite file under the data directory, one per service."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / f"{settings.service}.sqlite"
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


def postgres_env(url: str) -> dict[str, str]:
    """PostgreSQL from a URL such as ``postgresql://user:pw@host:5432/db?schema=training``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"database_url: unsupported scheme {parts.scheme!r}, expected postgresql://")
    query = parse_qs(parts.query)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "5",
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    return env


def ensure_postgres_schema(env: dict[str, str]) -> None:
    """Create the configured PostgreSQL schema when it does not exist yet."""
    schema = env.get("POSTGRES_SCHEMA")
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres" or not schema:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=5, autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
