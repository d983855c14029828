#!/bin/bash
# Kafka users (SASL/SCRAM-SHA-512) and ACLs of docker-compose.yml (docs/operations.md, "Kafka access").
#
#   kafka-access.sh setup                  users and ACLs of the four services and the exporter
#                                          (passwords from KAFKA_<NAME>_PASSWORD); run by the kafka-topics job
#   kafka-access.sh school-system NAME     a user for one school system that may only write the inboxes;
#                                          the password is KAFKA_USER_PASSWORD if set, else generated and printed once
#   kafka-access.sh remove NAME            delete a user's SCRAM credential and its ACLs
#
# It talks to the broker's in-container listener (localhost:9091, PLAINTEXT, reachable only from the
# broker's own network namespace: the job runs with network_mode "service:kafka"), whose principal
# is the broker's super user. Every other listener takes SASL only.
set -euo pipefail
BOOTSTRAP="${ADMIN_BOOTSTRAP:-localhost:9091}"
BIN="${KAFKA_BIN:-/opt/kafka/bin}"
MECHANISM=SCRAM-SHA-512
SERVICES="registry training mentoring indicators"

scram_user() {  # name password
  if ! [[ "$2" =~ ^[A-Za-z0-9._~-]{16,}$ ]]; then  # kafka-configs parses ',', '=' and ']' itself
    echo "kafka-access: the password of $1 must be 16 or more of A-Z a-z 0-9 . _ ~ -" >&2
    exit 1
  fi
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type users --entity-name "$1" \
    --add-config "$MECHANISM=[iterations=8192,password=$2]" >/dev/null
}

allow() {  # principal operation... -- resource options
  local principal="$1"; shift
  local operations=()
  while [ "$1" != "--" ]; do operations+=(--operation "$1"); shift; done
  shift
  "$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --add --force --allow-principal "User:$principal" \
    "${operations[@]}" "$@" >/dev/null
}

password_of() {  # the KAFKA_<NAME>_PASSWORD variable, which compose requires
  local variable="KAFKA_$(echo "$1" | tr '[:lower:]-' '[:upper:]_')_PASSWORD"
  local value="${!variable:-}"
  if [ -z "$value" ]; then
    echo "kafka-access: $variable is not set" >&2
    exit 1
  fi
  printf '%s' "$value"
}

service_acls() {  # service: its inbox (read, group), its dead letters and events (write; read: replay, relay checks)
  local s="$1"
  allow "$s" Read Describe -- --topic "$s.inbox"
  allow "$s" Read -- --group "$s-inbox"
  allow "$s" Write Read Describe -- --topic "$s.inbox.dlq"  # read: pedgrowth dlq list/replay
  allow "$s" Write Read Describe -- --topic "$s.events"
  allow "$s" IdempotentWrite -- --cluster
}

setup() {
  for s in $SERVICES; do
    scram_user "$s" "$(password_of "$s")"
    service_acls "$s"
  done
  for follower in training mentoring; do  # workplaces and the directory follow the registry
    allow "$follower" Read Describe -- --topic registry.events
  done
  for s in $SERVICES; do  # the projection and its rebuild read every *.events topic
    allow indicators Read Describe -- --topic "$s.events"
  done
  allow indicators Read -- --group indicators --resource-pattern-type prefixed
  scram_user exporter "$(password_of exporter)"
  allow exporter Describe DescribeConfigs -- --topic '*'
  allow exporter Describe -- --group '*'
  allow exporter Describe -- --cluster
  echo "kafka-access: users and ACLs of: $SERVICES exporter"
}

school_system() {  # name: may write the four inboxes, nothing else (no reads, no *.events, no dead letters)
  local name="$1" password="${KAFKA_USER_PASSWORD:-}"
  case "$name" in
    registry|training|mentoring|indicators|exporter|"") echo "kafka-access: '$name' is not a school system name" >&2; exit 2 ;;
  esac
  if [ -z "$password" ]; then
    password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    echo "password for $name (shown once): $password"
  fi
  scram_user "$name" "$password"
  for s in $SERVICES; do
    allow "$name" Write Describe -- --topic "$s.inbox"
  done
  allow "$name" IdempotentWrite -- --cluster
  echo "kafka-access: $name may write ${SERVICES// /.inbox, }.inbox"
}

remove() {  # name: a school system's credential and the ACLs school-system gave it
  local name="$1" s
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type users --entity-name "$name" \
    --delete-config "$MECHANISM" >/dev/null
  for s in $SERVICES; do
    "$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --remove --force --principal "User:$name" \
      --topic "$s.inbox" >/dev/null
  done
  "$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --remove --force --principal "User:$name" --cluster >/dev/null
  echo "kafka-access: removed $name"
}

case "${1:-}" in
  setup) setup ;;
  school-system) school_system "${2:-}" ;;
  remove) remove "${2:?name}" ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
