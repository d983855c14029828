#!/bin/bash
# One-shot job of docker-compose.yml: create every pedgrowth topic before the services start,
# with the partitions the services expect. `*.events` keep everything (the replayable history);
# inboxes and dead-letter topics keep the broker's default retention.
set -euo pipefail
BOOTSTRAP="${BOOTSTRAP:-kafka:9092}"
PARTITIONS="${PARTITIONS:-3}"
REPLICATION="${REPLICATION:-1}"
TOPICS=/opt/kafka/bin/kafka-topics.sh

EVENTS_TOPICS="registry.events training.events mentoring.events indicators.events"
INBOX_TOPICS="registry.inbox training.inbox mentoring.inbox indicators.inbox"
DLQ_TOPICS="registry.inbox.dlq training.inbox.dlq mentoring.inbox.dlq indicators.inbox.dlq"

create() {
  local topic="$1"; shift
  "$TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION" "$@"
}

for topic in $EVENTS_TOPICS; do
  create "$topic" --config retention.ms=-1 --config retention.bytes=-1
done
for topic in $INBOX_TOPICS; do
  create "$topic"
done
for topic in $DLQ_TOPICS; do
  create "$topic" --config retention.ms=2592000000
done
"$TOPICS" --bootstrap-server "$BOOTSTRAP" --describe --exclude-internal | grep -E '^Topic:' || true
