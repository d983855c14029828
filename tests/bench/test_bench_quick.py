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


def test_a_tiny_national_run_writes_its_results(tmp_path):
    out = tmp_path / "national.json"
    done = subprocess.run([sys.executable, "-m", "bench.national", "--staff", "200", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text())
    for key in ("staff", "events", "build_s", "peak_rss_mb", "region_eval_ms"):
        assert results[key] is not None, key
    assert results["staff"] == 200 and results["events"] > 200 * 10
    assert set(results["goals"]) == {"peak_rss_mb", "build_s", "region_eval_ms"}


def test_the_read_goals_are_ratios_to_the_floor_of_the_same_run():
    from bench.run import read_ratios

    closed = {"requests_per_s": 450.0, "all": {"p99_ms": 150.0}}
    paced = {"all": {"p99_ms": 12.5}}
    floor = {"requests_per_s": 500.0, "p99_ms": 100.0}
    assert read_ratios(closed, paced, floor) == {"read_closed_ratio": 0.9, "read_closed_p99_ratio": 1.5,
                                                 "read_paced_p99_ms": 12.5}


def test_the_bulk_load_sends_every_employment_with_its_organisation_in_shuffled_order():
    from pedgrowth.contracts import decode

    from bench.ingestion import region_start

    facts = [decode(m.value) for m in region_start(400, 40)]
    kinds = [f.data.type_suffix for f in facts]
    assert kinds.count("employment_started") == 400 and kinds.count("organization_registered") == 10
    assert kinds != sorted(kinds, key=lambda k: k != "organization_registered")  # not all schools first
    orgs = {f.data.org_id for f in facts if f.data.type_suffix == "organization_registered"}
    assert {f.data.org_id for f in facts if f.data.type_suffix == "employment_started"} == orgs


def test_the_ingestion_goals_read_the_keys_of_latest_json():
    from bench.ingestion import freshness_keys, goals

    results = {"recording_ratio": 0.05, "recording_pg_replicas_speedup": 1.8, "two_hop_p99_ms": 50.0,
               "bulk_load_s": 30.0, "bulk_load_dlq": 0, **freshness_keys({"200": {"p99_ms": 250.0}})}
    assert results["freshness_200_p99_ms"] == 250.0
    assert [g["met"] for g in goals(results)] == [False, True, True, True]
