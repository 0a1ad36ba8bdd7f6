"""The CLI shell and configuration: env vars parse, flags override, errors name the variable."""
from pathlib import Path

import pytest

from policykb.cli import build_parser, main
from policykb.config import Config


def test_config_from_env_parses_types():
    cfg = Config.from_env({"POLICYKB_PORT": "9001", "POLICYKB_INDEX_DIR": "/tmp/kb", "POLICYKB_CORPUS": "a:b"})
    assert cfg.port == 9001 and cfg.index_dir == Path("/tmp/kb") and cfg.corpus == ("a", "b")


def test_config_bad_env_value_names_variable():
    with pytest.raises(ValueError, match="POLICYKB_PORT"):
        Config.from_env({"POLICYKB_PORT": "eighty"})


def test_overrides_skip_none():
    cfg = Config().with_overrides(port=None, host="0.0.0.0")
    assert cfg.port == 8000 and cfg.host == "0.0.0.0"


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "policykb" in capsys.readouterr().out


def test_every_config_field_is_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in Config.__dataclass_fields__:
        if name != "extra":
            assert f"POLICYKB_{name.upper()}" in readme, name


def test_every_cli_option_is_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    parser = build_parser(Config())
    for action in parser._subparsers._group_actions:
        for name, sub in action.choices.items():
            assert f"policykb {name}" in readme, f"subcommand {name} missing from README"
            for opt in sub._actions:
                for flag in opt.option_strings:
                    if flag.startswith("--") and flag != "--help":
                        assert flag in readme, f"policykb {name} {flag} missing from README"
