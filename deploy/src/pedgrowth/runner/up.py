"""`pedgrowth up`: the whole system on one machine — Tansu (unless a broker is given), four services."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx

from pedgrowth.kit.auth import Role, Tokens, new_secret

from .processes import SERVICES, Supervisor, service_child, tansu_child, wait_for_port



def token_secret(data_dir: Path) -> str:
    """The signing secret kept in the data dir, so tokens survive restarts."""
    path = data_dir / "token-secret"
    if not path.exists():
        path.write_text(new_secret())
        path.chmod(0o600)
    return path.read_text().strip()


def service_env(name: str, port: int, data_dir: Path, bootstrap: str, idempotence: bool, secret: str) -> dict:
    prefix = name.upper()
    env = dict(os.environ)
    env.update({
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_ENABLE_IDEMPOTENCE": "true" if idempotence else "false",
        "KAFKA_SESSION_TIMEOUT_MS": env.get("KAFKA_SESSION_TIMEOUT_MS", "10000" if idempotence else "2000"),
        "PEDGROWTH_TOKEN_SECRET": secret,
        f"{prefix}_DATA_DIR": str(data_dir),
        f"{prefix}_HTTP_HOST": "127.0.0.1",
        f"{prefix}_HTTP_PORT": str(port),
    })
    return env


def wait_ready(timeout: float, supervisor: Supervisor, ports: dict[str, int]) -> list[str]:
    """Names of services not ready when the time is up (empty when all are)."""
    deadline = time.monotonic() + timeout
    pending = dict(ports)
    with httpx.Client(timeout=2.0) as client:
        while pending and time.monotonic() < deadline:
            if supervisor.dead():
                return supervisor.dead()
            for name, port in list(pending.items()):
                try:
                    if client.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                        pending.pop(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    return list(pending)


def up(data_dir: Path, demo: bool, port_base: int = 8000, broker_port: int = 9092, timeout: float = 60.0) -> int:
    """Start everything, print where it is, and keep it running until SIGINT/SIGTERM."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    supervisor = Supervisor()
    ports = {name: port_base + offset for name, offset in SERVICES.items()}
    try:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower() in ("1", "true", "yes")
        if not bootstrap:
            bootstrap, idempotence = f"127.0.0.1:{broker_port}", False
            supervisor.start(tansu_child(broker_port, data_dir))
            if not wait_for_port("127.0.0.1", broker_port, 20):
                print(f"Tansu did not start on {bootstrap}; see {data_dir / 'tansu.log'}", file=sys.stderr)
                return 1
        secret = token_secret(data_dir)
        for name, port in ports.items():
            env = service_env(name, port, data_dir, bootstrap, idempotence, secret)
            supervisor.start(service_child(name, env, data_dir))
        not_ready = wait_ready(timeout, supervisor, ports)
        if not_ready:
            print(f"not ready: {', '.join(not_ready)}; logs in {data_dir}", file=sys.stderr)
            return 1
        admin = Tokens(secret).issue("pedgrowth-up", Role.ADMIN)
        (data_dir / "admin-token").write_text(admin)
        if demo:
            from .demo import publish_demo

            count = publish_demo(bootstrap, idempotence)
            print(f"demo: {count} events published to the inboxes (recorded and projected within a minute)")
        announce(bootstrap, data_dir, admin, time.monotonic() - started, ports)
        while not stopping.is_set():
            if supervisor.dead():
                print(f"stopped unexpectedly: {', '.join(supervisor.dead())}; logs in {data_dir}", file=sys.stderr)
                return 1
            stopping.wait(1.0)
        return 0
    finally:
        print("stopping…", flush=True)
        supervisor.stop()


def announce(bootstrap: str, data_dir: Path, admin: str, seconds: float, ports: dict[str, int]) -> None:
    print(f"\npedgrowth is up in {seconds:.1f} s (broker {bootstrap}, data {data_dir})")
    print(f"  dashboard   http://127.0.0.1:{ports['indicators']}/login (sign in with the admin token below)")
    for name, port in ports.items():
        print(f"  {name:<11} http://127.0.0.1:{port}/docs")
    print(f"  admin token {admin}")
    print("  (also in", data_dir / "admin-token", ") — Ctrl-C stops everything\n", flush=True)
