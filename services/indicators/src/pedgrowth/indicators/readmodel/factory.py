"""The read-model store the settings ask for."""

from __future__ import annotations

from pathlib import Path

from .base import ReadModelStore


def store_for(url: str | None, data_dir: Path) -> ReadModelStore:
    """sqlite:///path, postgresql://…?schema=…, mongodb://…/db; none → SQLite at <data_dir>/indicators-read.sqlite."""
    if not url:
        from .sql import SqliteStore
        return SqliteStore(Path(data_dir) / "indicators-read.sqlite")
    if url.startswith("sqlite:///"):
        from .sql import SqliteStore
        return SqliteStore(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        from .sql import PostgresStore
        return PostgresStore(url)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from .mongo import MongoStore
        return MongoStore(url)
    raise ValueError(f"read_model_url: unsupported store {url.split(':')[0]!r}; "
                     "use sqlite:///…, postgresql://… or mongodb://…")
