"""`policykb user add|token|list|remove`: the accounts of the web app (editors and admins log in; readers need
none unless POLICYKB_READ_LOGIN)."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from policykb.config import Config


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "user",
        help="manage web accounts (editor/admin log-ins, API tokens)",
        description="Accounts live in the users database (POLICYKB_USERS_DB, default users.sqlite beside the index).",
    )
    p.add_argument("--index", type=Path, default=None, help=f"index folder whose users database is meant (default: {config.index_dir})")
    p.add_argument("--users-db", type=Path, default=None, help=f"users database (default: {config.users_path})")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create an account or reset its role and password")
    add.add_argument("name")
    add.add_argument("--role", choices=("reader", "editor", "admin"), default="editor",
                     help="reader (log-in only needed with POLICYKB_READ_LOGIN), editor (uploads), admin (+ audit log)")
    add.add_argument("--token", action="store_true", help="also print a new API token (Authorization: Bearer …)")
    tok = sub.add_parser("token", help="print a new API token for an account (shown once, stored hashed)")
    tok.add_argument("name")
    sub.add_parser("list", help="list accounts")
    rm = sub.add_parser("remove", help="delete an account and its tokens")
    rm.add_argument("name")
    p.set_defaults(run=run)


def _password() -> str:
    """The password: typed twice at a terminal, else the first line of stdin (for scripts)."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ValueError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace, config: Config) -> int:
    from search_app import userdb

    path = config.with_overrides(index_dir=args.index, users_db=args.users_db).users_path
    try:
        if args.action == "add":
            user = userdb.add_user(path, args.name, args.role, _password())
            print(f"user {user.name}: role {user.role}", file=sys.stderr)
            userdb.audit(path, "(cli)", "user.add", user.name, detail=user.role)
            if args.token:
                print(userdb.new_token(path, user.name))
        elif args.action == "token":
            print(userdb.new_token(path, args.name))
            userdb.audit(path, "(cli)", "user.token", args.name)
        elif args.action == "list":
            rows = userdb.list_users(path)
            for r in rows:
                print(f"{r['name']}\t{r['role']}\t{r['created']}\t{r['tokens']} token(s)")
            if not rows:
                print(f"no users in {path}", file=sys.stderr)
        elif args.action == "remove":
            userdb.remove_user(path, args.name)
            userdb.audit(path, "(cli)", "user.remove", args.name)
            print(f"removed user {args.name}", file=sys.stderr)
    except (userdb.UserError, ValueError) as exc:
        print(f"policykb user {args.action}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"policykb user: error: users database {path}: {exc}", file=sys.stderr)
        return 2
    return 0
