#!/usr/bin/env bash
# Optional system tools some tests use; each test skips with a reason when its tool is missing.
# chromium: the dashboard's browser test; prometheus (promtool): alert-rule and metrics checks;
# kubernetes-client (kubectl): `kubectl kustomize` of deploy/k8s.
set -u
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v promtool >/dev/null 2>&1 || want+=(prometheus)
command -v kubectl >/dev/null 2>&1 || want+=(kubernetes-client)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${want[*]} (optional test tools)"
  (apt-get install -y -q --no-install-recommends "${want[@]}" >/tmp/pedgrowth-apt.log 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "${want[@]}" >>/tmp/pedgrowth-apt.log 2>&1; }) \
    || echo "could not install ${want[*]}: the tests that need them will be skipped (see /tmp/pedgrowth-apt.log)"
  # Debian's prometheus package starts a server; the tests need only promtool.
  command -v systemctl >/dev/null 2>&1 || pkill -x prometheus 2>/dev/null || true
else
  echo "not root or no apt-get: tests needing ${want[*]} will be skipped"
fi
exit 0
