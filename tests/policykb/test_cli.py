"""The CLI shell and configuration: env vars parse, flags override, errors name the variable."""
from pathlib import Path

import pytest

from policykb.cli import main
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
