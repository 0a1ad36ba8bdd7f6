"""The `policykb` command: one subcommand per module in policykb/commands (ingest, search, serve, eval…).

Each command module defines `register(subparsers, config)` and sets `run=callable(args, config) -> int`
as the parser default; heavy imports happen inside `run`, so `policykb --help` stays instant.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from policykb import __version__, commands
from policykb.config import Config


def build_parser(config: Config) -> argparse.ArgumentParser:
    """Assemble the parser from every command module found in policykb.commands."""
    parser = argparse.ArgumentParser(
        prog="policykb",
        description="政策知识库: ingest policy documents, search clauses, serve the web app, evaluate retrieval.",
    )
    parser.add_argument("--version", action="version", version=f"policykb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"policykb.commands.{info.name}")
        module.register(sub, config)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    try:
        config = Config.from_env()
    except ValueError as exc:
        print(f"policykb: error: {exc}", file=sys.stderr)
        return 2
    parser = build_parser(config)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args, config) or 0)
    except KeyboardInterrupt:
        print("policykb: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
