"""evaluation/compare_models.py over the session index: the packaged model, twice, gives two identical rows."""
import pytest

from evaluation import compare_models
from index.ranking.ltr import DATA


def test_same_model_twice_gives_the_same_row(kb_dir, tmp_path, capsys):
    out = tmp_path / "cmp.md"
    assert compare_models.main(["--index", str(kb_dir), "--model", f"a={DATA}", "--model", f"b={DATA}",
                                "--sets", "dev", "--out", str(out)]) == 0
    rows = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| dev |")]
    assert len(rows) == 2 and rows[0].replace("| a |", "| b |") == rows[1]
    assert float(rows[0].split("|")[4]) > 0.5  # R@5 on dev, which the model was trained on


def test_another_model_gives_another_row(kb_dir, tmp_path):
    import shutil

    other = tmp_path / "lexical"  # the model for BM25-only indexes, under the names --model reads
    other.mkdir()
    shutil.copy(DATA / "ltr_lexical.txt", other / "ltr.txt")
    shutil.copy(DATA / "ltr_lexical.json", other / "ltr.json")
    out = tmp_path / "cmp.md"
    assert compare_models.main(["--index", str(kb_dir), "--model", f"a={DATA}", "--model", f"b={other}",
                                "--sets", "dev", "--out", str(out)]) == 0
    rows = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| dev |")]
    assert rows[0].split("|")[3:7] != rows[1].split("|")[3:7]  # --model is what ranks


def test_a_model_folder_without_files_is_refused(kb_dir, tmp_path):
    with pytest.raises(SystemExit, match="has no ltr.txt"):
        compare_models.main(["--index", str(kb_dir), "--model", f"x={tmp_path}", "--sets", "dev"])
    with pytest.raises(SystemExit, match="unknown set"):
        compare_models.main(["--index", str(kb_dir), "--model", f"x={DATA}", "--sets", "nope"])
