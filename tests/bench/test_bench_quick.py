"""Smoke test of the benchmarks: a tiny region through phases 0-2 writes well-formed results.

Benchmarks are never asserted on speed; this only checks that `python -m bench.run` still works.
"""

from __future__ import annotations

import json

from bench.run import main


def test_a_tiny_bench_run_writes_its_results(tmp_path, monkeypatch):
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)  # its own broker, topics of its own
    stem = tmp_path / "smoke"
    assert main(["--staff", "100", "--skip-services", "--out", str(stem)]) == 0
    results = json.loads(stem.with_suffix(".json").read_text())
    for key in ("staff", "events", "projection_events_per_s", "baseline_events_per_s", "ratio", "rebuild_s",
                "machine", "goals"):
        assert key in results, key
    assert results["projection"]["read"] == results["events"] == results["baseline"]["read"]
    assert results["rebuild"]["stored"] == results["events"]
    assert "## Goals" in stem.with_suffix(".md").read_text()
