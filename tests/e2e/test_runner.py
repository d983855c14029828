"""`pedgrowth up`: ready in time, the same data after a restart, nothing left behind after SIGTERM or kill -9,
a taken port named with its process, secrets readable by their owner only, names encrypted at rest."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
import uuid

import httpx
import pytest

from pedgrowth.contracts.registry import OrganizationRegistered
from pedgrowth.contracts.training import ProgramPublished, ProviderRegistered
from tests.e2e.runner_support import Runner, leftovers, pedgrowth_cli, ports_in_use
from tests.support.infra import server_ports
from tests.support.services import cloud_event

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def test_up_is_ready_keeps_data_across_restart_and_leaves_nothing_behind(tmp_path):
    data_dir = tmp_path / "var"
    runner = Runner(data_dir, demo=True)
    provider = ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:6]}", name="ИРО", kind="other")
    program = ProgramPublished(program_id=f"prog-{uuid.uuid4().hex[:6]}", provider_id=provider.provider_id,
                               title="Наставничество", kind="advanced_training", hours=72, format="blended",
                               in_federal_registry=False)
    runner.start()  # bounded by UP_WITHIN_S: a hang fails, speed is not checked here
    try:
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


def test_children_die_with_the_runner_on_kill_9_and_free_their_ports(tmp_path):
    runner = Runner(tmp_path / "var")
    runner.start()
    assert set(runner.children()) == {"tansu", "indicators", "registry", "training", "mentoring"}
    runner.process.kill()
    runner.process.wait(10)
    deadline = time.monotonic() + 10
    while (leftovers(runner.data_dir, runner.broker) or ports_in_use(runner.ports)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers(runner.data_dir, runner.broker) == []
    assert ports_in_use(runner.ports) == []


def test_a_taken_port_is_named_with_its_process_and_nothing_starts(tmp_path):
    base = server_ports(5)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 2))
        squatter.listen()
        done = subprocess.run(
            [pedgrowth_cli(), "up", "--data-dir", str(tmp_path / "var"), "--http-port-base", str(base),
             "--broker-port", str(base + 4)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"port {base + 2} (training) is in use: pid {os.getpid()} (" in done.stderr
    assert "listening" in done.stderr
    assert leftovers(tmp_path / "var", base + 4) == []


def test_a_short_development_token_is_refused_before_anything_starts(tmp_path):
    base = server_ports(5)
    env = {**os.environ, "PEDGROWTH_DEV_TOKEN": "a"}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    done = subprocess.run(
        [pedgrowth_cli(), "up", "--data-dir", str(tmp_path / "var"), "--http-port-base", str(base),
         "--broker-port", str(base + 4)], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    assert "PEDGROWTH_DEV_TOKEN must be at least 32 characters" in done.stderr and "nothing started" in done.stderr
    assert leftovers(tmp_path / "var", base + 4) == []


NAME, PHONE, EMAIL = "Тайнова Секретина Шифровна", "+7 900 555-44-33", "tainova.secret@example.test"


def test_secrets_are_owner_only_from_the_start_and_names_are_encrypted_at_rest(tmp_path):
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    (data_dir / "token-secret").write_text("an-old-secret-written-world-readable")
    (data_dir / "token-secret").chmod(0o644)
    runner = Runner(data_dir)
    runner.start()
    try:
        org = OrganizationRegistered(org_id=f"sch-{uuid.uuid4().hex[:6]}", name="Школа № 1", kind="school",
                                     municipality_id="mun-1", municipality_name="Город", region_id="reg-1",
                                     region_name="Область")
        registered = httpx.post(f"{runner.url(1)}/api/v1/organisations", headers=runner.headers(), timeout=10,
                                json=org.model_dump(mode="json"))
        assert registered.status_code == 201, registered.text
        csv = ("Идентификатор;ФИО;Должность;Дата приёма;Педагогический стаж с;Телефон;Email\n"
               f"p-secret-1;{NAME};Учитель;01.09.2021;01.09.2021;{PHONE};{EMAIL}\n").encode()
        imported = httpx.post(f"{runner.url(1)}/api/v1/organisations/{org.org_id}/staff/import",
                              headers=runner.headers(), files={"file": ("staff.csv", csv, "text/csv")}, timeout=30)
        assert imported.status_code == 200 and imported.json()["accepted"] == 1, imported.text
        person = httpx.get(f"{runner.url(1)}/api/v1/people/p-secret-1", headers=runner.headers(), timeout=10)
        assert NAME in person.text, person.text

        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        for secret in ("token-secret", "registry-cipher-key", "admin-token"):
            assert stat.S_IMODE((data_dir / secret).stat().st_mode) == 0o600, secret
        loose = [p.name for p in data_dir.iterdir() if stat.S_IMODE(p.stat().st_mode) & 0o077]
        assert loose == [], "every file of the data dir is the owner's only"
        assert (data_dir / "token-secret").read_text() == "an-old-secret-written-world-readable"
        assert (data_dir / "admin-token").read_text().strip() not in runner.output()
    finally:
        runner.stop()
    holding = [p.name for p in data_dir.iterdir() if p.is_file()
               and any(text.encode() in p.read_bytes() for text in (NAME, PHONE, EMAIL))]
    assert holding == [], f"personal data in plain text in {holding}"
