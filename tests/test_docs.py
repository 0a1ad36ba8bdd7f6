"""The README documents every setting and every CLI flag (a reader never meets an undocumented one)."""
from __future__ import annotations

from pathlib import Path

from policykb.cli import build_parser
from policykb.config import Config

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_config_field_is_documented():
    readme = README.read_text(encoding="utf-8")
    for name in Config.__dataclass_fields__:
        if name != "extra":
            assert f"POLICYKB_{name.upper()}" in readme, name


def test_every_cli_option_is_documented():
    readme = README.read_text(encoding="utf-8")
    parser = build_parser(Config())
    for action in parser._subparsers._group_actions:
        for name, sub in action.choices.items():
            assert f"policykb {name}" in readme, f"subcommand {name} missing from README"
            for opt in sub._actions:
                for flag in opt.option_strings:
                    if flag.startswith("--") and flag != "--help":
                        assert flag in readme, f"policykb {name} {flag} missing from README"
