"""The MongoDB read-model store, on PyMongo's async client (Motor is end-of-life).

Collections mirror the SQL tables: ``rm_event`` (_id = {source, id}), ``rm_position``
(_id = {topic, partition}), ``rm_meta``, ``rm_series`` (_id = {indicator, definition}), ``rm_sum``
(_id = {indicator, definition, part, scope}) and ``indicator_value`` (_id = {scope, indicator, year});
MongoDB refuses arrays as _id, so compound keys are sub-documents with a fixed field order.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from urllib.parse import urlsplit

from ..records import Record
from .base import ReadModelStore, StoreReplaced, SumChanges, SumRow, ValueRow

DEFAULT_DATABASE = "pedgrowth_indicators"
COLLECTIONS = ("rm_event", "rm_position", "rm_meta", "rm_series", "rm_sum", "indicator_value")


class MongoStore(ReadModelStore):
    """A MongoDB database (the URL's path, default pedgrowth_indicators)."""

    def __init__(self, url: str, database: str | None = None):
        self.url = url
        self.database_name = database or urlsplit(url).path.lstrip("/") or DEFAULT_DATABASE
        self.location = f"{url.split('?')[0].rsplit('/', 1)[0]}/{self.database_name}"
        self.client = None
        self.db = None

    async def open(self) -> None:
        from pymongo import AsyncMongoClient

        self.client = AsyncMongoClient(self.url, serverSelectionTimeoutMS=5000, tz_aware=False)
        self.db = self.client[self.database_name]
        await self.db.rm_meta.update_one({"_id": "generation"}, {"$setOnInsert": {"value": uuid.uuid4().hex}},
                                         upsert=True)
        await self.db.indicator_value.create_index([("scope", 1), ("indicator", 1), ("year", 1)])

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False
        return True

    async def generation(self) -> str:
        doc = await self.db.rm_meta.find_one({"_id": "generation"})
        return doc["value"] if doc else "missing"

    async def write(self, records, positions, generation=None, sums: SumChanges | None = None) -> None:
        """Without a replica set there are no multi-document transactions: sums and events go first and the
        positions last, so a write cut short is read again from the old positions (duplicates change nothing)."""
        from pymongo import ReplaceOne, UpdateOne

        if generation is not None and await self.generation() != generation:
            raise StoreReplaced(f"{self.location} was replaced by a rebuild")
        if sums is not None and sums.series:
            await self.db.rm_series.bulk_write(
                [UpdateOne({"_id": {"indicator": i, "definition": d}}, {"$set": {"indicator": i, "definition": d}},
                           upsert=True) for i, d in sums.series], ordered=False)
        if sums is not None and sums.rows:
            await self.db.rm_sum.bulk_write(
                [ReplaceOne({"_id": {"indicator": r.indicator, "definition": r.definition, "part": r.part,
                                     "scope": r.scope}}, {"days": r.days, "totals": r.totals}, upsert=True)
                 for r in sums.rows], ordered=False)
        if records:
            ops = [UpdateOne({"_id": {"source": r.source, "id": r.id}},
                             {"$setOnInsert": {"type": r.type, "time": r.time, "data": r.data}}, upsert=True)
                   for r in records]
            await self.db.rm_event.bulk_write(ops, ordered=False)
        if positions:
            ops = [ReplaceOne({"_id": {"topic": t, "partition": p}}, {"topic": t, "partition": p, "next_offset": o},
                              upsert=True)
                   for (t, p), o in positions.items()]
            await self.db.rm_position.bulk_write(ops, ordered=False)

    async def positions(self) -> dict[tuple[str, int], int]:
        return {(d["topic"], d["partition"]): d["next_offset"] async for d in self.db.rm_position.find()}

    async def series(self) -> list[tuple[str, str]]:
        return [(d["indicator"], d["definition"]) async for d in self.db.rm_series.find()]

    async def sums(self, batch_size: int = 5000) -> AsyncIterator[list[SumRow]]:
        batch = []
        async for d in self.db.rm_sum.find().batch_size(batch_size):
            key = d["_id"]
            batch.append(SumRow(key["indicator"], key["definition"], key["part"], key["scope"], bytes(d["days"]),
                                bytes(d["totals"])))
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def records(self, batch_size: int = 5000, types=None, other_than=()) -> AsyncIterator[list[Record]]:
        batch, query = [], {}
        if types is not None:
            query["type"] = {"$in": list(types)}
        if other_than:
            query.setdefault("type", {})["$nin"] = list(other_than)
        async for d in self.db.rm_event.find(query).sort("_id", 1).batch_size(batch_size):
            batch.append(Record(d["_id"]["source"], d["_id"]["id"], d["type"], d["time"], d["data"]))
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def count(self) -> int:
        return await self.db.rm_event.count_documents({})

    async def save_values(self, rows: list[ValueRow]) -> None:
        from pymongo import ReplaceOne

        if rows:
            await self.db.indicator_value.bulk_write(
                [ReplaceOne({"_id": {"scope": r.scope, "indicator": r.indicator, "year": r.year}}, asdict(r),
                            upsert=True) for r in rows],
                ordered=False)

    async def values(self, scope: str | None = None) -> list[ValueRow]:
        query = {"scope": scope} if scope else {}
        cursor = self.db.indicator_value.find(query, {"_id": 0}).sort([("scope", 1), ("indicator", 1), ("year", 1)])
        return [ValueRow(**d) async for d in cursor]

    def fresh(self) -> MongoStore:
        return MongoStore(self.url, f"{self.database_name}_rebuild")

    async def promote(self) -> None:
        """Move each collection over the live one (dropTarget); the new generation tells readers."""
        await self.db.rm_meta.update_one({"_id": "generation"}, {"$set": {"value": uuid.uuid4().hex}}, upsert=True)
        live = self.database_name.removesuffix("_rebuild")
        existing = set(await self.db.list_collection_names())
        for name in (c for c in COLLECTIONS if c in existing and c != "rm_meta"):
            await self.client.admin.command("renameCollection", f"{self.database_name}.{name}",
                                            to=f"{live}.{name}", dropTarget=True)
        await self.client.admin.command("renameCollection", f"{self.database_name}.rm_meta",
                                        to=f"{live}.rm_meta", dropTarget=True)
        self.database_name = live
        self.db = self.client[live]
