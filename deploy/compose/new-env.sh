#!/bin/bash
# Writes .env beside docker-compose.yml with every secret the compose file requires, freshly generated
# (compose reads .env by itself). Refuses to overwrite one: the token secret signs every token handed
# out, and the registry's cipher key can never change once events are stored with it.
#
#   deploy/compose/new-env.sh            # then: docker compose up -d --build
set -euo pipefail
target="${1:-$(dirname "$0")/../../.env}"
if [ -e "$target" ]; then
  echo "new-env: $target exists; keep it (see docs/operations.md before changing any value)" >&2
  exit 1
fi
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
umask 077
{
  echo "PEDGROWTH_TOKEN_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
  echo "REGISTRY_CIPHER_KEY=$(python3 -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())')"
  echo "POSTGRES_PASSWORD=$(secret)"
  echo "GRAFANA_ADMIN_PASSWORD=$(secret)"
  for name in REGISTRY TRAINING MENTORING INDICATORS EXPORTER; do
    echo "KAFKA_${name}_PASSWORD=$(secret)"
  done
} > "$target"
echo "new-env: wrote $target (mode 0600); keep a copy in the machine's secret store" >&2
