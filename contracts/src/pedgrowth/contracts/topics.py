"""Kafka topics, consumer groups and dead-letter headers: the names services meet on."""

SERVICES: tuple[str, ...] = ("registry", "training", "mentoring", "indicators")


def _known(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; services are {', '.join(SERVICES)}")
    return service


def events_topic(service: str) -> str:
    """Where a service publishes the events it recorded; kept forever."""
    return f"{_known(service)}.events"


def inbox_topic(service: str) -> str:
    """Where outside systems send a service CloudEvents to validate and record."""
    return f"{_known(service)}.inbox"


def dlq_topic(service: str) -> str:
    """Where a service puts inbox messages it could not accept, with the reason in headers."""
    return f"{inbox_topic(service)}.dlq"


def inbox_group(service: str) -> str:
    """The consumer group a service reads its inbox with."""
    return f"{_known(service)}-inbox"


REGISTRY_EVENTS = events_topic("registry")
TRAINING_EVENTS = events_topic("training")
MENTORING_EVENTS = events_topic("mentoring")
INDICATORS_EVENTS = events_topic("indicators")

REGISTRY_INBOX = inbox_topic("registry")
TRAINING_INBOX = inbox_topic("training")
MENTORING_INBOX = inbox_topic("mentoring")
INDICATORS_INBOX = inbox_topic("indicators")

REGISTRY_DLQ = dlq_topic("registry")
TRAINING_DLQ = dlq_topic("training")
MENTORING_DLQ = dlq_topic("mentoring")
INDICATORS_DLQ = dlq_topic("indicators")

PROJECTION_GROUP = "indicators"
PROJECTION_TOPICS: tuple[str, ...] = tuple(events_topic(s) for s in SERVICES)

DLQ_REASON_HEADER = "pedgrowth-reason"
DLQ_REASON_CODE_HEADER = "pedgrowth-reason-code"
DLQ_FIELD_HEADER = "pedgrowth-field"
DLQ_ORIGIN_HEADER = "pedgrowth-origin"
DLQ_REASON_CODES: tuple[str, ...] = (
    "invalid_json", "schema", "business_rule", "processing_error", "unresolved_reference",
)
"""processing_error: the message failed repeatedly while the store answered (a poison message);
unresolved_reference: the fact named something that was not recorded within the waiting time."""


def dlq_origin(topic: str, partition: int, offset: int) -> str:
    """The origin header value: where the rejected message was read."""
    return f"{topic}/{partition}/{offset}"


def dlq_headers(
    *, code: str, reason: str, origin: str, field: str | None = None
) -> dict[str, str]:
    """The headers of a dead letter; the value is the original message bytes, unchanged."""
    if code not in DLQ_REASON_CODES:
        raise ValueError(f"unknown reason code {code!r}; codes are {', '.join(DLQ_REASON_CODES)}")
    headers = {DLQ_REASON_CODE_HEADER: code, DLQ_REASON_HEADER: reason, DLQ_ORIGIN_HEADER: origin}
    if field is not None:
        headers[DLQ_FIELD_HEADER] = field
    return headers
