"""`pedgrowth up`: the whole system on one machine — Tansu (unless a broker is given), four services."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx

from pedgrowth.contracts import dlq_topic, events_topic, inbox_topic
from pedgrowth.contracts.topics import SERVICES as TOPIC_SERVICES
from pedgrowth.kit.auth import Role, Tokens, check_dev_token, new_secret
from pedgrowth.kit.config import ServiceSettings
from pedgrowth.kit.kafka import ensure_topics

from .keys import ADMIN_TOKEN, TOKEN_SECRET, kept_secret, private_dir, registry_cipher_key, replace_private
from .ports import describe_taken
from .processes import BROKER, SERVICES, Supervisor, service_child, tansu_child, wait_for_port

log = logging.getLogger("pedgrowth.runner")


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
    """Names of services not ready when the time is up or a child was given up (empty when all are ready)."""
    deadline = time.monotonic() + timeout
    pending = dict(ports)
    with httpx.Client(timeout=2.0) as client:
        while pending and time.monotonic() < deadline:
            supervisor.tend()
            if supervisor.given_up():
                return sorted(set(pending) | set(supervisor.given_up()))
            for name, port in list(pending.items()):
                try:
                    if client.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                        pending.pop(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    return list(pending)


def create_topics(bootstrap: str) -> None:
    """Every service's topics, created as the services would, before any publisher can write to them.

    Tansu accepts a produce to a topic that does not exist yet; creating the topic afterwards resets
    its offsets under the stored batches, and that inbox then stalls. So, on the embedded broker,
    the topics exist before the services (and publishers who wait for them) start.
    """
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap)
    topics = [name for service in TOPIC_SERVICES for name in (inbox_topic(service), dlq_topic(service),
                                                                events_topic(service))]
    asyncio.run(ensure_topics(settings, topics, unlimited={events_topic(service) for service in TOPIC_SERVICES}))


def ports_taken(ports: dict[str, int]) -> list[str]:
    """A sentence for each port (of those the runner needs) that something else holds."""
    return [text for name, port in ports.items() if (text := describe_taken("127.0.0.1", port, name))]


def tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "".join(f"\n      {line}" for line in text)


def say_on_stderr() -> None:
    """The runner's own log lines (restarts, warnings) go to stderr with the time."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s pedgrowth up: %(message)s", datefmt="%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def up(data_dir: Path, demo: bool, port_base: int = 8000, broker_port: int = 9092, timeout: float = 60.0) -> int:
    """Start everything, print where it is, keep it running (restarting what dies) until SIGINT/SIGTERM/SIGHUP."""
    say_on_stderr()
    os.umask(0o077)  # whatever the children write (stores, logs) is the owner's only
    data_dir = private_dir(data_dir.resolve())
    started = time.monotonic()
    ports = {name: port_base + offset for name, offset in SERVICES.items()}
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower() in ("1", "true", "yes")
    needed = ports if bootstrap else {BROKER: broker_port, **ports}
    try:
        if check_dev_token(os.environ.get("PEDGROWTH_DEV_TOKEN"), os.environ.get("PEDGROWTH_ENV", "development")):
            log.warning("PEDGROWTH_DEV_TOKEN is set: every service takes it as an admin token that never expires; "
                        "unset it unless you are developing")
    except ValueError as error:  # the services would refuse it at every restart; say it once, start nothing
        print(f"pedgrowth up: {error}; nothing started", file=sys.stderr)
        return 2
    taken = ports_taken(needed)
    if taken:
        for text in taken:
            print(f"pedgrowth up: {text}", file=sys.stderr)
        print("pedgrowth up: nothing started; stop that process or choose other ports "
              "(--http-port-base, --broker-port)", file=sys.stderr)
        return 2
    stopping = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda *_: stopping.set())
    supervisor = Supervisor()
    try:
        if not bootstrap:
            bootstrap, idempotence = f"127.0.0.1:{broker_port}", False
            supervisor.broker_up = lambda: create_topics(bootstrap)
            supervisor.start(tansu_child(broker_port, data_dir))
            if not wait_for_port("127.0.0.1", broker_port, 20):
                print(f"Tansu did not start on {bootstrap}; see {data_dir / 'tansu.log'}{tail(data_dir / 'tansu.log')}",
                      file=sys.stderr)
                return 1
            create_topics(bootstrap)
        secret = kept_secret(data_dir / TOKEN_SECRET, new_secret)
        cipher_key = registry_cipher_key(data_dir, dict(os.environ))
        for name, port in ports.items():
            env = service_env(name, port, data_dir, bootstrap, idempotence, secret)
            if name == "indicators":  # its pages send uploads to, and read names from, the owning services
                env.update({f"INDICATORS_{peer.upper()}_URL": f"http://127.0.0.1:{ports[peer]}"
                            for peer in ("registry", "training", "mentoring")})
            if name == "registry" and cipher_key:
                env["REGISTRY_CIPHER_KEY"] = cipher_key
            supervisor.start(service_child(name, env, data_dir, port))
        not_ready = wait_ready(timeout, supervisor, ports)
        if not_ready:
            print(f"not ready: {', '.join(not_ready)}; logs in {data_dir}", file=sys.stderr)
            for name in not_ready:
                child = supervisor.child(name)
                print(f"  {name}: {child.state()}; the end of {child.log_path}:{tail(child.log_path)}",
                      file=sys.stderr)
            return 1
        admin = Tokens(secret).issue("pedgrowth-up", Role.ADMIN)
        replace_private(data_dir / ADMIN_TOKEN, admin)
        if demo:
            from .demo import publish_demo

            count = publish_demo(bootstrap, idempotence)
            print(f"demo: {count} events published to the inboxes (recorded and projected within a minute)")
        announce(bootstrap, data_dir, time.monotonic() - started, ports)
        if demo:  # names go to the registry the way a school sends them, after the events are recorded
            threading.Thread(target=name_demo, args=(f"http://127.0.0.1:{ports['registry']}", admin),
                             daemon=True).start()
        while not stopping.is_set():
            supervisor.tend()
            stopping.wait(0.2)
        return 1 if supervisor.given_up() else 0
    finally:
        print("stopping…", flush=True)
        supervisor.stop()


def name_demo(registry_url: str, admin: str) -> None:
    """Load the demo staff's synthetic ФИО through each school's staff import (in the background)."""
    from .demo import DemoTown, demo_events
    from .demo_names import name_demo_staff

    published = sum(1 for service, _ in demo_events() if service == "registry")
    try:
        named = name_demo_staff(registry_url, admin, [*DemoTown().schools, "demo-umiic"], published)
    except httpx.HTTPError as error:
        print(f"demo: staff names not loaded ({error})", file=sys.stderr, flush=True)
        return
    print(f"demo: {named} staff named through the registry's staff import", flush=True)


def announce(bootstrap: str, data_dir: Path, seconds: float, ports: dict[str, int]) -> None:
    token_file = data_dir / ADMIN_TOKEN
    print(f"\npedgrowth is up in {seconds:.1f} s (broker {bootstrap}, data {data_dir})")
    print(f"  dashboard   http://127.0.0.1:{ports['indicators']}/login (sign in with the admin token)")
    for name, port in ports.items():
        print(f"  {name:<11} http://127.0.0.1:{port}/docs")
    print(f"  admin token in {token_file} (readable by you only): paste its contents into «Вход»,")
    print(f"              or send it as a header: -H \"Authorization: Bearer $(cat {token_file})\"")
    print("  a child that dies is restarted; Ctrl-C stops everything\n", flush=True)
