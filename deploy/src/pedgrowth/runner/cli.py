"""`pedgrowth`: the operator's command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pedgrowth.kit.auth import Role, TokenError, Tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pedgrowth", description="pedgrowth operator commands")
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start the whole system on this machine")
    up.add_argument("--demo", action="store_true", help="publish the demo data set through the inboxes")
    up.add_argument("--data-dir", type=Path, default=Path("var"), help="where the stores live (default ./var)")
    up.add_argument("--http-port-base", type=int, default=8000,
                    help="indicators on this port, registry +1, training +2, mentoring +3 (default 8000)")
    up.add_argument("--broker-port", type=int, default=9092, help="Tansu's port when no broker is given")

    token = commands.add_parser("token", help="issue an access token")
    token.add_argument("action", choices=["issue"])
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--subject", default="operator", help="who the token is for (kept in the token)")
    token.add_argument("--org", dest="org_id")
    token.add_argument("--municipality", dest="municipality_id")
    token.add_argument("--region", dest="region_id")
    token.add_argument("--days", type=int, default=365)
    token.add_argument("--data-dir", type=Path, default=Path("var"),
                       help="read the secret from DIR/token-secret when PEDGROWTH_TOKEN_SECRET is unset")

    from .dlq import add_dlq_command
    from .plans import add_plans_command

    add_plans_command(commands)
    add_dlq_command(commands)

    args = parser.parse_args(argv)
    if args.command == "dlq":
        from .dlq import run_dlq_command

        return run_dlq_command(args)
    if args.command == "plans":
        from .plans import run_plans_command

        return run_plans_command(args)
    if args.command == "up":
        from .up import up as run_up

        return run_up(args.data_dir, args.demo, port_base=args.http_port_base, broker_port=args.broker_port)
    return issue_token(args)


def issue_token(args: argparse.Namespace) -> int:
    secret = os.environ.get("PEDGROWTH_TOKEN_SECRET")
    secret_file = args.data_dir / "token-secret"
    if not secret and secret_file.exists():
        secret = secret_file.read_text().strip()
    try:
        print(Tokens(secret).issue(args.subject, Role(args.role), days=args.days, org_id=args.org_id,
                                   municipality_id=args.municipality_id, region_id=args.region_id))
    except TokenError as error:
        print(f"pedgrowth token: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
