"""Dead letters an operator can act on: publish them, read them back with the reason in Russian, replay them.

The DLQ topic ``<service>.inbox.dlq`` is the store of dead letters: the original bytes
under the original key, the reason in headers. Reading it back needs no state of its
own; a replay sends the original bytes through the inbox again, so the (source, id)
receipt makes it idempotent: recorded once however often it is replayed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pedgrowth.contracts import (
    DLQ_FIELD_HEADER,
    DLQ_ORIGIN_HEADER,
    DLQ_REASON_CODE_HEADER,
    DLQ_REASON_HEADER,
    ContractViolation,
    dlq_headers,
)

from .kafka import as_client_options, topic_partitions
from .waiting import UNRESOLVED_REFERENCE, suffix_of

if TYPE_CHECKING:
    from .inbox import EventResult, Inbox

REASONS_RU = {
    "invalid_json": "сообщение не является корректным JSON",
    "schema": "сообщение не соответствует контракту",
    "business_rule": "нарушено правило учёта",
    "processing_error": "ошибка обработки повторялась, сообщение отложено",
    UNRESOLVED_REFERENCE: "ссылка не разрешилась за отведённое время",
}


async def publish_letter(producer: AIOKafkaProducer, topic: str, *, value: bytes | None, key: bytes | None,
                         code: str, reason: str, origin: str, field: str | None) -> None:
    """Publish the original bytes, under the original key, with the reason in headers; wait for the ack."""
    headers = dlq_headers(code=code, reason=reason, origin=origin, field=field)
    await producer.send_and_wait(topic, value=value, key=key, headers=[(k, v.encode()) for k, v in headers.items()])


@dataclass(frozen=True)
class Letter:
    """One dead letter as read from the DLQ topic."""

    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    reason_code: str
    reason: str
    field: str | None
    origin: str

    @property
    def id(self) -> str:
        return f"{self.partition}-{self.offset}"

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    @property
    def envelope(self) -> dict | None:
        try:
            parsed = json.loads(self.value)
        except (ValueError, UnicodeDecodeError):
            return None
        return parsed if isinstance(parsed, dict) else None

    @property
    def data(self) -> dict:
        data = (self.envelope or {}).get("data")
        return data if isinstance(data, dict) else {}

    def value_at(self, field: str | None) -> Any:
        """The payload's value at a dotted field such as data.org_id (None when absent)."""
        node: Any = self.envelope
        for part in (field or "").split(".") if field else []:
            node = node.get(part) if isinstance(node, dict) else None
        return node if isinstance(node, (str, int, float)) else None

    @property
    def payload_text(self) -> str:
        return self.value.decode("utf-8", errors="replace")


def header_map(headers: Iterable[tuple[str, bytes]] | None) -> dict[str, str]:
    found = {}
    for name, raw in headers or ():
        try:
            found[name] = raw.decode()
        except (UnicodeDecodeError, AttributeError):
            continue
    return found


def to_letter(record) -> Letter:
    headers = header_map(record.headers)
    return Letter(partition=record.partition, offset=record.offset, timestamp_ms=record.timestamp,
                  key=record.key, value=record.value or b"", reason_code=headers.get(DLQ_REASON_CODE_HEADER, ""),
                  reason=headers.get(DLQ_REASON_HEADER, ""), field=headers.get(DLQ_FIELD_HEADER),
                  origin=headers.get(DLQ_ORIGIN_HEADER, ""))


async def read_letters(bootstrap_servers: str | Mapping, topic: str, fetch_max_wait_ms: int = 50) -> list[Letter]:
    """Every letter on the DLQ topic now, in partition and offset order (reads up to the end offsets)."""
    consumer = AIOKafkaConsumer(**as_client_options(bootstrap_servers), enable_auto_commit=False,
                                fetch_max_wait_ms=fetch_max_wait_ms)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(await topic_partitions(consumer, topic))]
        if not partitions:
            return []
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        letters: list[Letter] = []
        pending = {tp for tp in partitions if ends[tp] > 0}
        for tp in partitions:
            if tp in pending and await consumer.position(tp) >= ends[tp]:
                pending.discard(tp)
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=500, max_records=1000)
            for tp, records in batch.items():
                letters.extend(to_letter(r) for r in records if r.offset < ends[tp])
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        return sorted(letters, key=lambda letter: (letter.partition, letter.offset))
    finally:
        await consumer.stop()


@dataclass(frozen=True)
class Filter:
    """Which letters an operator asks for."""

    org_id: str | None = None
    reason: str | None = None
    since: date | None = None
    ids: frozenset[str] | None = None


class DeadLetters:
    """The dead letters of one service, as operators see them and replay them."""

    def __init__(self, inbox: Inbox, bootstrap_servers: str | Mapping, topic: str, fetch_max_wait_ms: int = 50):
        self.inbox = inbox
        self.app = inbox.app
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.fetch_max_wait_ms = fetch_max_wait_ms

    async def letters(self, wanted: Filter, visible=lambda place: True) -> list[Letter]:
        """The letters matching the filter that the caller may see (``visible(org_id, municipality_id)``)."""
        found = []
        for letter in await read_letters(self.bootstrap_servers, self.topic, self.fetch_max_wait_ms):
            org_id, _ = self.place(letter)
            if wanted.ids is not None and letter.id not in wanted.ids:
                continue
            if wanted.org_id is not None and org_id != wanted.org_id:
                continue
            if wanted.reason is not None and letter.reason_code != wanted.reason:
                continue
            if wanted.since is not None and letter.time.date() < wanted.since:
                continue
            if visible(self.place(letter)):
                found.append(letter)
        return found

    def place(self, letter: Letter) -> tuple[str | None, str | None]:
        """The organisation and municipality a letter belongs to, as far as the service knows."""
        try:
            fact = self.inbox.validate(letter.value)
        except ContractViolation:
            data = letter.data
            org_id = data.get("org_id") if isinstance(data.get("org_id"), str) else None
            municipality = data.get("municipality_id") if isinstance(data.get("municipality_id"), str) else None
            return org_id, municipality or (self.app.municipality_of(org_id) if org_id else None)
        return self.app.place_of(fact.data)

    def reason_ru(self, letter: Letter) -> str:
        """The reason in Russian: the kind of failure, what is missing for an unresolved reference, the field."""
        text = REASONS_RU.get(letter.reason_code, letter.reason_code or "причина не указана")
        if letter.reason_code == UNRESOLVED_REFERENCE:
            event_type = str((letter.envelope or {}).get("type", ""))
            reference = self.app.waiting.reference_for(event_type, letter.field)
            key = reference and reference.key_of_values(suffix_of(event_type), letter.value_at)
            if key:
                text = f"{text}: {reference.missing(key, 'ru')}"
        if letter.field:
            text = f"{text} (поле {letter.field})"
        return text

    def recorded(self, letter: Letter) -> bool:
        """Whether the letter's (source, id) has been recorded since (by a replay or a later delivery)."""
        from .recording import receipt_id

        envelope = letter.envelope or {}
        source, event_id = envelope.get("source"), envelope.get("id")
        if not isinstance(source, str) or not isinstance(event_id, str):
            return False
        return self.app.exists(receipt_id(source, event_id))

    def describe(self, letter: Letter) -> dict:
        """A letter as plain data for operators (blocking: asks the store whether it was recorded since)."""
        envelope = letter.envelope or {}
        org_id, municipality_id = self.place(letter)
        return {
            "id": letter.id, "time": letter.time.isoformat(), "reason_code": letter.reason_code,
            "reason": letter.reason, "reason_ru": self.reason_ru(letter), "field": letter.field,
            "origin": letter.origin, "event_id": envelope.get("id"), "event_type": envelope.get("type"),
            "source": envelope.get("source"), "org_id": org_id, "municipality_id": municipality_id,
            "recorded": self.recorded(letter), "payload": letter.payload_text,
        }

    def replay(self, letters: list[Letter]) -> list[tuple[Letter, EventResult]]:
        """Send each letter through the inbox again (blocking); each letter with its event's result."""
        return [(letter, self.inbox.process(letter.value, "replay", origin=letter.origin or f"dlq/{letter.id}"))
                for letter in letters]
