"""docs/operations.md: every alert has a runbook line, and the commands it gives work."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys

import pytest
import yaml
from pedgrowth.runner.cli import main as cli_main

from .support import PROMETHEUS_DIR, ROOT

DOC = ROOT / "docs" / "operations.md"


def doc() -> str:
    return DOC.read_text()


def test_every_alert_has_a_line_in_the_runbook():
    alerts = {rule["alert"] for path in (PROMETHEUS_DIR / "rules").glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]}
    assert {alert for alert in alerts if f"`{alert}`" not in doc()} == set()


TOKEN_COMMAND = re.compile(r"^\.venv/bin/pedgrowth (token issue .*)$", re.MULTILINE)


@pytest.mark.parametrize("command", TOKEN_COMMAND.findall(DOC.read_text()))
def test_token_commands_in_the_doc_issue_a_token(command, monkeypatch, capsys):
    # The CLI reads the secret from the environment, as the doc tells the operator to give it.
    monkeypatch.setenv("PEDGROWTH_TOKEN_SECRET", "a-test-secret-for-the-doc-commands-only")
    assert cli_main(shlex.split(command)) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip().count(".") == 2, "expected one JWT on stdout"


def test_the_rebuild_command_the_doc_gives_exists():
    assert "python -m pedgrowth.indicators.rebuild" in doc()
    if importlib.util.find_spec("pedgrowth.indicators.rebuild") is None:
        pytest.skip("pedgrowth.indicators.rebuild is not written yet (issue 6)")
    done = subprocess.run([sys.executable, "-m", "pedgrowth.indicators.rebuild", "--help"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
