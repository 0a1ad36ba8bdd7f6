"""Subcommands of the `policykb` CLI; every module here is one command (see policykb/cli.py)."""
