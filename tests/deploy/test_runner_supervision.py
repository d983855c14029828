"""The runner's supervisor with real (tiny) child processes: restarts with back-off, gives up at the limit,
logs each death with its exit code or signal; and the port check that names the process holding a port."""

from __future__ import annotations

import logging
import os
import socket
import sys
import time

from pedgrowth.runner.ports import describe_taken
from pedgrowth.runner.processes import BROKER, Child, Restarts, Supervisor, exit_text


def child(name: str, code: str, tmp_path, port: int = 0) -> Child:
    return Child(name, [sys.executable, "-c", code], dict(os.environ), tmp_path / f"{name}.log", port)


def tend_until(supervisor: Supervisor, done, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        supervisor.tend()
        time.sleep(0.01)
    assert done()


def test_a_child_that_keeps_dying_is_restarted_with_back_off_then_given_up(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pedgrowth.runner")
    supervisor = Supervisor(Restarts(first_s=0.01, max_s=0.04, limit=3, window_s=60))
    flaky = supervisor.start(child("training", "raise SystemExit(3)", tmp_path))
    steady = supervisor.start(child("mentoring", "import time; time.sleep(60)", tmp_path))
    try:
        tend_until(supervisor, lambda: supervisor.given_up() == ["training"])
        assert len(flaky.restarts) == 3
        deaths = [r.getMessage() for r in caplog.records if r.getMessage().startswith("training died")]
        assert len(deaths) == 4 and all("(exit code 3)" in line for line in deaths)
        assert "giving up on it" in deaths[3] and "the other children keep running" in deaths[3]
        assert steady.alive() and steady.restarts == []
        assert "given up after 3 restarts, last exit code 3" == flaky.state()
    finally:
        supervisor.stop(timeout=5)


def test_back_off_doubles_up_to_its_ceiling():
    policy = Restarts()
    assert [policy.delay(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_killed_service_is_restarted_and_the_broker_left_alone(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pedgrowth.runner")
    supervisor = Supervisor(Restarts(first_s=0.01))
    broker = supervisor.start(child(BROKER, "import time; time.sleep(60)", tmp_path))
    service = supervisor.start(child("registry", "import time; time.sleep(60)", tmp_path))
    broker_pid, first_pid = broker.process.pid, service.process.pid
    try:
        service.process.kill()
        service.process.wait()
        tend_until(supervisor, lambda: service.alive() and service.process.pid != first_pid)
        assert broker.process.pid == broker_pid and broker.alive()
        assert any("registry died (signal 9 (SIGKILL))" in r.getMessage() for r in caplog.records)
        assert any(f"registry restarted (pid {service.process.pid})" in r.getMessage() for r in caplog.records)
    finally:
        supervisor.stop(timeout=5)


def test_a_dead_broker_is_announced_as_a_loss_and_the_services_follow_it(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pedgrowth.runner")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    listen = f"import socket, time; s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(); time.sleep(60)"
    supervisor = Supervisor(Restarts(first_s=0.01))
    broker = supervisor.start(child(BROKER, listen, tmp_path, port))
    service = supervisor.start(child("training", "import time; time.sleep(60)", tmp_path))
    service_pid = service.process.pid
    try:
        broker.process.kill()
        broker.process.wait()
        tend_until(supervisor, lambda: broker.alive() and service.alive() and service.process.pid != service_pid)
        said = " ".join(r.getMessage() for r in caplog.records)
        assert "the embedded broker lost everything it held" in said
        assert "training started again after the broker" in said
        assert service.restarts == [], "a restart caused by the broker does not count against the service"
    finally:
        supervisor.stop(timeout=5)


def test_exit_text_names_the_signal():
    assert exit_text(-9) == "signal 9 (SIGKILL)"
    assert exit_text(1) == "exit code 1"


def test_a_taken_port_is_described_with_its_pid_and_command_line():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        text = describe_taken("127.0.0.1", port, "registry")
    assert text.startswith(f"port {port} (registry) is in use: pid {os.getpid()} (")
    assert text.endswith("listening")


def test_the_local_end_of_an_outgoing_connection_counts_as_taken():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server_port = server.getsockname()[1]
        with socket.create_connection(server.getsockname()) as outgoing:
            local = outgoing.getsockname()[1]
            text = describe_taken("127.0.0.1", local, "training")
    assert f"pid {os.getpid()}" in text and f"connected to port {server_port}" in text


def test_a_free_port_is_not_described():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert describe_taken("127.0.0.1", port, "x") is None
