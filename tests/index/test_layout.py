"""Index folder leases: a folder a reader holds is never deleted by a rebuild; the next build, or the last
reader, removes it once free."""
from __future__ import annotations

from index.build import build_index
from index.kb import KnowledgeBase
from index.layout import FolderLease, remove_if_unused, remove_stale
from tests.conftest import generated_law, write


def test_a_leased_folder_survives_the_swap_and_goes_once_released(small_corpus, tmp_path):
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    first = index_dir.resolve()
    reader = KnowledgeBase.open(index_dir)
    write(small_corpus, "规范性文件/示例新规定(2024-05-01).md", generated_law("示例新规定", 3))
    build_index([small_corpus], index_dir, embedder="none")
    assert index_dir.resolve() != first and first.is_dir()  # still held: kept
    assert reader.search("安全座椅", k=1, mode="bm25")  # and the reader still answers from it
    assert remove_stale(index_dir) == [] and first.is_dir()  # a later build's sweep leaves it too
    reader.close()
    assert remove_stale(index_dir) == [first] and not first.exists()  # released: gone
    assert KnowledgeBase.open(index_dir).count_documents() == 3  # 2 current + the new one


def test_remove_if_unused_respects_every_holder(tmp_path):
    folder = tmp_path / ".kb.x"
    folder.mkdir()
    (folder / "f").write_text("x")
    a, b = FolderLease(folder), FolderLease(folder)
    assert not remove_if_unused(folder)
    a.close()
    assert not remove_if_unused(folder)
    b.close()
    assert remove_if_unused(folder) and not folder.exists()
    assert remove_if_unused(folder)  # already gone is fine
