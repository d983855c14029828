"""The goals of issue 7 checked against the results, and the Markdown summary."""

from __future__ import annotations

GOAL_STAFF = 40_000


def _goal(name: str, measured, target: float, higher_is_better: bool, unit: str, note: str = "") -> dict:
    if measured is None:
        return {"goal": name, "target": target, "unit": unit, "measured": None, "met": False,
                "by": "not measured", "note": note}
    met = measured >= target if higher_is_better else measured <= target
    if higher_is_better:
        by = f"{measured / target:.2f}× the target" + ("" if met else f" ({(1 - measured / target) * 100:.0f}% short)")
    else:
        by = f"{measured / target:.2f}× the limit" + ("" if met else f" ({(measured / target - 1) * 100:.0f}% over)")
    return {"goal": name, "target": target, "unit": unit, "measured": measured, "met": met, "by": by, "note": note}


def goals(r: dict) -> list[dict]:
    """The goals of issues 7 and 13, each judged in the run that measured it."""
    at_size = r["staff"] >= GOAL_STAFF
    size_note = "" if at_size else f"measured at {r['staff']} staff, not the goal's {GOAL_STAFF}"
    out = [_goal("projection / baseline ratio ≥ 0.5", r.get("ratio"), 0.5, True, "ratio", size_note)]
    if r.get("rebuild_s") is not None:
        per_million = round(r["rebuild_s"] * 1_000_000 / r["events"], 1)
        out.append(_goal("rebuild of 1 million events ≤ 30 s", per_million, 30.0, False, "s",
                         f"{r['rebuild_s']} s for {r['events']} events, scaled linearly to 1,000,000"))
    out.append(_goal("restart with the million events ready ≤ 5 s", r.get("restart_s"), 5.0, False, "s",
                     size_note if "restart_s" in r else "phase not run"))
    fresh = (r.get("freshness") or {}).get("1000")
    if fresh is None:
        out.append(_goal("freshness p99 ≤ 1 s at 1,000 events/s", None, 1000.0, False, "ms", "phase not run"))
    else:
        measured = fresh["p99_ms"] if not fresh["missing_after_drain"] else None
        note = "" if measured is not None else f"{fresh['missing_after_drain']} events had not arrived after the drain"
        out.append(_goal("freshness p99 ≤ 1 s at 1,000 events/s", measured, 1000.0, False, "ms", note or size_note))
    floor = r.get("read_floor_health") or {}
    out.append(_goal("closed-loop reads ≥ 0.9 × the /health floor's answers/s", r.get("read_closed_ratio"), 0.9,
                     True, "ratio", f"floor {floor.get('requests_per_s')} /s; {size_note}".rstrip("; ")))
    out.append(_goal("closed-loop read p99 ≤ 1.5 × the /health floor's p99", r.get("read_closed_p99_ratio"), 1.5,
                     False, "ratio", f"floor p99 {floor.get('p99_ms')} ms; {size_note}".rstrip("; ")))
    out.append(_goal("paced read p99 ≤ 20 ms", r.get("read_paced_p99_ms"), 20.0, False, "ms", size_note))
    out.append(_goal("indicators RSS ≤ 0.5 GB", r.get("peak_rss_mb"), 512.0, False, "MiB", size_note))
    out.append(_goal("region answer, every indicator, ≤ 1 ms", r.get("region_eval_ms"), 1.0, False, "ms",
                     f"the oracle on the same events: {r.get('old_eval_ms')} ms"))
    return out


def _fmt(x, digits=0) -> str:
    if x is None:
        return "—"
    if isinstance(x, float | int):
        return f"{x:,.{digits}f}".replace(",", " ")
    return str(x)


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"# Benchmark results{' (quick)' if r.get('quick') else ''}",
        "",
        f"{m['date']} · {m['cores']} cores ({m['cpu']}) · {m['memory_gb']} GB · Python {m['python']} · "
        f"commit {m['commit']}"
        + (f" (+ uncommitted changes in {', '.join(m['uncommitted_service_changes'])})"
           if m.get("uncommitted_service_changes") else "")
        + f" · broker: {r.get('broker')} · load average at start {m['load_average_at_start']}",
        "",
        f"Region: {_fmt(r['staff'])} pedagogical staff positions over {r['years']} years "
        f"({r['period'][0]} – {r['period'][1]}), {r['region']['municipalities']} municipalities, "
        f"{_fmt(r['region']['organisations'])} organisations, {r['region']['programmes']} programmes: "
        f"**{_fmt(r['events'])} events** (mean {r['region']['mean_event_bytes']} bytes).",
        "",
        "## Goals",
        "",
        "| goal | measured | met | by |",
        "|---|---|---|---|",
    ]
    for g in r.get("goals", []):
        lines.append(f"| {g['goal']} | {_fmt(g['measured'], 2)} {g['unit']} | {'yes' if g['met'] else '**no**'} | "
                     f"{g['by']}{'; ' + g['note'] if g['note'] else ''} |")
    gen = r["generation"]
    lines += [
        "",
        "## Figures",
        "",
        "| what | value |",
        "|---|---|",
        f"| generation of the facts | {_fmt(gen['facts_per_s'])} /s |",
        f"| encoding (contract validation + CloudEvent JSON) | {_fmt(gen['encode_per_s'])} /s |",
        f"| produce to *.events (acks=all) | {_fmt(r['produce']['events_per_s'])} /s |",
        f"| raw baseline (getmany + json.loads) | **{_fmt(r['baseline_events_per_s'])} /s** |",
        f"| indicators projection (fresh SQLite read model) | **{_fmt(r['projection_events_per_s'])} /s** |",
        f"| ratio projection / baseline | **{r['ratio']}** |",
        f"| rebuild from the topics | **{r['rebuild_s']} s** ({_fmt(r['rebuild'].get('events_per_s'))} /s; "
        f"{r['rebuild'].get('how')}) |",
    ]
    cost = r.get("projection_cost_us_per_event")
    if cost:
        lines.append(f"| per event, no broker ({cost['sample']} sampled) | json.loads {cost['json_loads_us']} µs · "
                     f"contract decode {cost['contract_decode_us']} µs (to Record {cost['to_records_us']} µs) · "
                     f"SQLite write {cost['store_write_us']} µs · engine apply {cost['facts_add_us']} µs |")
    if "service_start" in r:
        lines.append(f"| indicators service start until it answers (loads the read model) | "
                     f"{r['service_start']['indicators_answers_after_s']} s |")
    if "restart_s" in r:
        lines.append(f"| indicators restart on the same store until it answers | **{r['restart_s']} s** |")
    if r.get("read_closed_ratio") is not None:
        lines.append(f"| closed-loop reads over the /health floor: answers/s ratio, p99 ratio | "
                     f"{r['read_closed_ratio']}, {r['read_closed_p99_ratio']} |")
    if "region_eval" in r:
        ev = r["region_eval"]
        lines.append(f"| region answer, every indicator, worst date (server side, nothing cached) | "
                     f"**{ev['region_eval_ms']} ms**; the oracle {_fmt(ev['old_eval_ms'], 1)} ms; "
                     f"equal: {ev['engine_equals_oracle']} |")
    if "compute_ms" in r:
        lines.append("| one uncached evaluation of the 20 indicators | " + ", ".join(
            f"{k} {v} ms" for k, v in r["compute_ms"].items()) + " |")
    if "freshness" in r:
        lines += ["", "## Freshness (training.inbox → indicators read model)", "",
                  "| rate /s | sent | sent /s | arrived | arrived /s | p50 ms | p99 ms | max ms |",
                  "|---|---|---|---|---|---|---|---|"]
        for rate, f in r["freshness"].items():
            lines.append(f"| {rate} | {f['sent']} | {_fmt(f['achieved_send_rate_per_s'])} | {f['arrived']} | "
                         f"{_fmt(f.get('delivered_per_s'))} | "
                         f"{_fmt(f['p50_ms'], 1)} | {_fmt(f['p99_ms'], 1)} | {_fmt(f['max_ms'], 1)} |")
        lines += ["", "Split by the CloudEvent time training gives the event when it records it (same clock):", "",
                  "| rate /s | send → recorded by training p50 / p99 ms | recorded → read model p50 / p99 ms | "
                  "CPU cores used (training, indicators) |", "|---|---|---|---|"]
        for rate, f in r["freshness"].items():
            a, b = f.get("send_to_recorded_by_training", {}), f.get("recorded_to_read_model", {})
            lines.append(f"| {rate} | {_fmt(a.get('p50_ms'), 1)} / {_fmt(a.get('p99_ms'), 1)} | "
                         f"{_fmt(b.get('p50_ms'), 1)} / {_fmt(b.get('p99_ms'), 1)} | {f.get('cpu_cores_used')} |")
        lines += ["", r["freshness_what"]]
        if r.get("broker_hop"):
            lines += ["", "One produce → consume hop on this broker at 50 messages/s: " + "; ".join(
                f"fetch_max_wait_ms={h['fetch_max_wait_ms']}: p50 {_fmt(h['p50_ms'], 1)} ms, p99 {_fmt(h['p99_ms'], 1)} ms"
                for h in r["broker_hop"]) + " (the services' consumers use aiokafka's default, 500)."]
    for key, title in (("reads", "closed loop: each client sends its next request when the last is answered"),
                       ("reads_paced", "paced: each client pauses 0..2×{think} s between requests")):
        if key not in r:
            continue
        rd = r[key]
        lines += ["", f"## Dashboard reads, {title.format(think=rd['think_s'])}", "",
                  f"{rd['clients']} clients, {rd['seconds']} s, {_fmt(rd['requests_per_s'])} requests/s, "
                  f"errors: {rd['errors'] or 'none'}; mean time inside the service (its request-duration "
                  f"histogram): {_fmt(rd.get('server_mean_ms'), 2)} ms.", "",
                  "| scope / date | requests | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|"]
        for k, s in rd["by_class"].items():
            lines.append(f"| {k} | {s['n']} | {_fmt(s['p50_ms'], 1)} | {_fmt(s['p99_ms'], 1)} | {_fmt(s['max_ms'], 1)} |")
        a = rd["all"]
        lines.append(f"| all | {a['n']} | {_fmt(a['p50_ms'], 1)} | {_fmt(a['p99_ms'], 1)} | {_fmt(a['max_ms'], 1)} |")
        if key == "reads":
            h = r["read_floor_health"]
            lines.append(f"| floor: GET /health, same clients ({_fmt(h.get('requests_per_s'))} /s) | {h['n']} | "
                         f"{_fmt(h['p50_ms'], 1)} | {_fmt(h['p99_ms'], 1)} | {_fmt(h['max_ms'], 1)} |")
        lines += ["", f"Past dates: {', '.join(rd['past_dates'])}; current = no as_of (today). Scopes drawn at "
                      f"random from {rd['distinct_keys']}."]
    if "memory" in r:
        mem = r["memory"]
        rss = r["indicators_rss_mb"]
        lines += ["", "## Memory of the indicators process", "",
                  f"- peak RSS at {_fmt(r['staff'])} staff: **{_fmt(r['peak_rss_mb'])} MiB** (after load "
                  f"{_fmt(rss['after_load']['VmRSS'])} MiB, at the end {_fmt(rss['at_end']['VmRSS'])} MiB)",
                  f"- in-memory index: {mem['mb_per_1000_staff']} MiB per 1,000 staff (R² {mem['r2']}; probes "
                  + ", ".join(f"{p['staff']}: {p['rss_mb']} MiB" for p in mem["probes"]) + ")",
                  f"- at {_fmt(mem['national_staff'])} staff: **≈ {_fmt(mem['national_peak_rss_mb_extrapolated'] / 1024, 1)}"
                  f" GiB**, {mem['how']}"]
    if r.get("errors"):
        lines += ["", "## Errors", ""] + [f"- {e}" for e in r["errors"]]
    lines += ["", f"Whole run: {r.get('bench_seconds')} s. Explanations: docs/performance.md.", ""]
    return "\n".join(lines)
