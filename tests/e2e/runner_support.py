"""A `pedgrowth up` process for tests, on ports outside the ephemeral range, and what it leaves behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from tests.support.infra import can_listen, server_ports

UP_WITHIN_S = 150
"""How long a start may take before it counts as hung (a loaded 2-core machine took 63 s with the demo)."""


def pedgrowth_cli() -> str:
    return str(Path(sys.executable).with_name("pedgrowth"))


class Runner:
    """One `pedgrowth up` process: HTTP ports base..base+3, the broker on base+4."""

    def __init__(self, data_dir: Path, demo: bool = False):
        self.data_dir, self.demo = data_dir, demo
        self.base = server_ports(5)
        self.broker = self.base + 4
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"up-{uuid.uuid4().hex[:6]}.out"

    @property
    def ports(self) -> list[int]:
        return [self.base + offset for offset in range(5)]

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker}"

    def launch(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [pedgrowth_cli(), "up", *(["--demo"] if self.demo else []), "--data-dir", str(self.data_dir),
                 "--http-port-base", str(self.base), "--broker-port", str(self.broker)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        return self.process

    def start(self) -> float:
        """Seconds until it said it is up."""
        started = time.monotonic()
        mark = len(self.output())
        self.launch()
        while "is up in" not in self.output()[mark:]:
            if self.process.poll() is not None:
                raise AssertionError(f"pedgrowth up exited:\n{self.output()}")
            if time.monotonic() - started > UP_WITHIN_S:
                self.stop()
                raise AssertionError(f"not up in time:\n{self.output()}")
            time.sleep(0.2)
        return time.monotonic() - started

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)

    def url(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.base + offset}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {(self.data_dir / 'admin-token').read_text().strip()}"}

    def children(self) -> dict[str, int]:
        """The runner's live children by name (tansu, or the service in their command line)."""
        found = {}
        for pid in live_pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) != self.process.pid:
                continue
            name = re.search(r"pedgrowth\.(\w+)\.entrypoints", cmdline)
            found["tansu" if "tansu" in cmdline else name.group(1) if name else cmdline] = pid
        return found

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until every service answers /ready with 200 (the runner may be restarting some)."""
        deadline = time.monotonic() + timeout
        pending = set(range(4))
        while pending and time.monotonic() < deadline:
            for offset in list(pending):
                try:
                    if httpx.get(f"{self.url(offset)}/ready", timeout=2).status_code == 200:
                        pending.discard(offset)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        assert not pending, f"not ready again: {sorted(self.base + o for o in pending)}\n{self.output()[-3000:]}"


def live_pids() -> list[int]:
    """Processes that are running (zombies excluded: they hold no port and run nothing)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            pids.append(int(proc.name))
    return pids


def leftovers(data_dir: Path, broker_port: int) -> list[str]:
    """Processes still running that belong to this runner (by environment or broker port)."""
    found = []
    for pid in live_pids():
        proc = Path(f"/proc/{pid}")
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if str(data_dir).encode() in environ or f"127.0.0.1:{broker_port}".encode() in cmdline:
            found.append(f"{pid}: {cmdline.decode(errors='replace')[:120]}")
    return found


def ports_in_use(ports: list[int]) -> list[int]:
    return [port for port in ports if not can_listen(port)]
