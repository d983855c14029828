"""`pedgrowth dlq list|show|replay`: a service's dead letters for the operator on call, through its HTTP API."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from .keys import ADMIN_TOKEN
from .processes import SERVICES


def add_dlq_command(commands: Any) -> None:
    """The `dlq` subcommand and its options."""
    dlq = commands.add_parser("dlq", help="list, show or replay a service's dead letters (reasons in Russian)")
    dlq.add_argument("action", choices=["list", "show", "replay"])
    dlq.add_argument("ids", nargs="*", metavar="ID", help="letter ids (partition-offset) for show and replay")
    dlq.add_argument("--service", required=True, choices=sorted(SERVICES))
    dlq.add_argument("--org", dest="org_id", help="only this organisation's letters")
    dlq.add_argument("--reason", help="only this reason code (business_rule, unresolved_reference, schema…)")
    dlq.add_argument("--since", help="only letters from this day on (YYYY-MM-DD)")
    dlq.add_argument("--all", action="store_true", help="replay: every letter (after the cause is fixed)")
    dlq.add_argument("--json", action="store_true", help="print the service's answer as JSON")
    dlq.add_argument("--url", help="the service's URL (default http://127.0.0.1:<base + the service's offset>)")
    dlq.add_argument("--http-port-base", type=int, default=8000, help="as given to `pedgrowth up` (default 8000)")
    dlq.add_argument("--token", help="an admin's or the municipality operator's token "
                                     "(default: $PEDGROWTH_TOKEN, else DATA_DIR/admin-token)")
    dlq.add_argument("--data-dir", type=Path, default=Path("var"), help="where `pedgrowth up` keeps admin-token")


def run_dlq_command(args: argparse.Namespace) -> int:
    """Ask the service; print what it answered. 0 when it answered, 1 when it refused or did not answer."""
    token = args.token or os.environ.get("PEDGROWTH_TOKEN")
    if not token and (args.data_dir / ADMIN_TOKEN).exists():
        token = (args.data_dir / ADMIN_TOKEN).read_text().strip()
    if not token:
        print("pedgrowth dlq: no token (--token, $PEDGROWTH_TOKEN or DATA_DIR/admin-token)", file=sys.stderr)
        return 2
    if args.action == "show" and len(args.ids) != 1:
        print("pedgrowth dlq show: give one letter id (partition-offset, as `list` prints it)", file=sys.stderr)
        return 2
    if args.action == "replay" and not (args.ids or args.org_id or args.reason or args.since or args.all):
        print("pedgrowth dlq replay: give letter ids, a filter (--org, --reason, --since) or --all", file=sys.stderr)
        return 2
    url = args.url or f"http://127.0.0.1:{args.http_port_base + SERVICES[args.service]}"
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60.0) as client:
            response = request(client, args)
    except httpx.HTTPError as error:
        print(f"pedgrowth dlq: {args.service} at {url} did not answer: {error}", file=sys.stderr)
        return 1
    if response.status_code >= 400:
        print(f"pedgrowth dlq: {args.service} answered {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    answer = response.json()
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    elif args.action == "list":
        print_letters(args.service, answer["letters"])
    elif args.action == "show":
        print_letter(answer)
    else:
        print_replay(args.service, answer)
    return 0


def request(client: httpx.Client, args: argparse.Namespace) -> httpx.Response:
    filters = {k: v for k, v in (("org_id", args.org_id), ("reason", args.reason), ("since", args.since)) if v}
    if args.action == "list":
        return client.get("/api/v1/dead-letters", params=filters)
    if args.action == "show":
        return client.get(f"/api/v1/dead-letters/{args.ids[0]}")
    return client.post("/api/v1/dead-letters/replay", json={"ids": args.ids or None, "all": args.all, **filters})


def print_letters(service: str, letters: list[dict]) -> None:
    """One block per letter: id, time, the reason in Russian and in English, the event."""
    print(f"{service}: мёртвых писем — {len(letters)} / dead letters: {len(letters)}")
    for letter in letters:
        state = "учтено после повтора" if letter["recorded"] else "не учтено"
        print(f"{letter['id']}  {letter['time'][:19]}  {letter['reason_code']}  [{state}]")
        print(f"    причина: {letter['reason_ru']}")
        print(f"    reason:  {letter['reason']}")
        print(f"    событие: {letter['event_type'] or '—'} id={letter['event_id'] or '—'} "
              f"source={letter['source'] or '—'} org={letter['org_id'] or '—'}")


def print_letter(letter: dict) -> None:
    for name, value in letter.items():
        if name != "payload":
            print(f"{name}: {value}")
    print("payload:")
    try:
        print(json.dumps(json.loads(letter["payload"]), ensure_ascii=False, indent=2))
    except ValueError:
        print(letter["payload"])


OUTCOMES_RU = {"accepted": "учтено", "duplicate": "уже учтено", "waiting": "ждёт ссылки", "rejected": "отклонено"}


def print_replay(service: str, answer: dict) -> None:
    print(f"{service}: повторено писем — {answer['replayed']} / replayed: {answer['replayed']}")
    for outcome in answer["outcomes"]:
        line = f"{outcome['id']}  {OUTCOMES_RU.get(outcome['outcome'], outcome['outcome'])} ({outcome['outcome']})"
        if outcome.get("reason"):
            line += f": {outcome['reason']}"
        print(line)
