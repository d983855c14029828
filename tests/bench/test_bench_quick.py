"""Smoke test of the benchmarks: a tiny region through phases 0-2 writes well-formed results.

Benchmarks are never asserted on speed; this only checks that `python -m bench.run` still works.
It runs as the Makefile runs it, in a process of its own with its own broker, stopped if it hangs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_bench_run_writes_its_results(tmp_path):
    stem = tmp_path / "smoke"
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}  # its own broker and topics
    process = subprocess.Popen([sys.executable, "-m", "bench.run", "--staff", "100", "--skip-services",
                                "--out", str(stem)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.terminate()  # the bench stops its broker on SIGTERM
        output, _ = process.communicate(timeout=30)
        raise AssertionError(f"bench.run did not finish in 120 s:\n{output}") from None
    assert process.returncode == 0, output
    results = json.loads(stem.with_suffix(".json").read_text())
    for key in ("staff", "events", "projection_events_per_s", "baseline_events_per_s", "ratio", "rebuild_s",
                "machine", "goals"):
        assert key in results, key
    assert results["projection"]["read"] == results["events"] == results["baseline"]["read"]
    assert results["rebuild"]["stored"] == results["events"]
    assert "## Goals" in stem.with_suffix(".md").read_text()
