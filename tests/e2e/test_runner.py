"""`pedgrowth up`: ready in time, the same data after a restart, nothing left behind after SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from pedgrowth.contracts.training import ProgramPublished, ProviderRegistered
from tests.support.infra import free_port
from tests.support.services import cloud_event

pytestmark = [pytest.mark.broker, pytest.mark.slow]

READY_WITHIN_S = 60


def pedgrowth_cli() -> str:
    return str(Path(sys.executable).with_name("pedgrowth"))


class Runner:
    """One `pedgrowth up` process on ports of its own."""

    def __init__(self, data_dir: Path, base: int, broker: int):
        self.data_dir, self.base, self.broker = data_dir, base, broker
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"up-{uuid.uuid4().hex[:6]}.out"

    def start(self) -> float:
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        started = time.monotonic()
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [pedgrowth_cli(), "up", "--demo", "--data-dir", str(self.data_dir),
                 "--http-port-base", str(self.base), "--broker-port", str(self.broker)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        while "is up in" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None:
                raise AssertionError(f"pedgrowth up exited:\n{self.log.read_text(errors='replace')}")
            if time.monotonic() - started > READY_WITHIN_S + 30:
                self.stop()
                raise AssertionError(f"not up in time:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.2)
        return time.monotonic() - started

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)

    def url(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.base + offset}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {(self.data_dir / 'admin-token').read_text().strip()}"}


def leftovers(data_dir: Path, broker_port: int) -> list[str]:
    """Processes still running that belong to this runner (by environment or broker port)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if str(data_dir).encode() in environ or f"127.0.0.1:{broker_port}".encode() in cmdline:
            found.append(f"{proc.name}: {cmdline.decode(errors='replace')[:120]}")
    return found


def test_up_is_ready_keeps_data_across_restart_and_leaves_nothing_behind(tmp_path):
    data_dir = tmp_path / "var"
    runner = Runner(data_dir, base=free_port_block(), broker=free_port())
    provider = ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:6]}", name="ИРО", kind="other")
    program = ProgramPublished(program_id=f"prog-{uuid.uuid4().hex[:6]}", provider_id=provider.provider_id,
                               title="Наставничество", kind="advanced_training", hours=72, format="blended",
                               in_federal_registry=False)
    seconds = runner.start()
    try:
        assert seconds < READY_WITHIN_S
        response = httpx.post(f"{runner.url(2)}/api/v1/events", headers=runner.headers(), timeout=10,
                              json=[cloud_event(provider), cloud_event(program)])
        assert response.status_code == 202, response.text
    finally:
        assert runner.stop() == 0
    assert leftovers(data_dir, runner.broker) == []

    runner.start()
    try:
        again = httpx.get(f"{runner.url(2)}/api/v1/programs/{program.program_id}", headers=runner.headers())
        assert again.status_code == 200 and again.json()["hours"] == 72
    finally:
        runner.stop()
    assert leftovers(data_dir, runner.broker) == []


def free_port_block(size: int = 4) -> int:
    """A base port with ``size`` free ports after it."""
    import socket

    for _ in range(50):
        base = free_port()
        sockets = []
        try:
            for offset in range(size):
                s = socket.socket()
                s.bind(("127.0.0.1", base + offset))
                sockets.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free block of ports")
