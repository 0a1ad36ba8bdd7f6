"""The stages import one way, down the pipeline: the import-linter contracts in setup.cfg hold."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "lint-imports (import-linter, a dev dependency) is not installed"
    run = subprocess.run([exe, "--config", str(REPO / "setup.cfg")], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_the_ranking_contract_names_every_index_module():
    """A new index module must be placed below ranking in setup.cfg, or the contract would not cover it."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    listed = {m.strip() for line in cfg["importlinter:contract:ranking"]["layers"].splitlines()
              for m in line.split(":") if m.strip()}
    modules = {p.stem for p in (REPO / "index").glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in (REPO / "index").iterdir() if (p / "__init__.py").is_file()}
    assert modules <= listed, f"add to setup.cfg [importlinter:contract:ranking]: {sorted(modules - listed)}"
