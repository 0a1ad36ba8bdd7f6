"""parallel_map: forked workers give the same results, in order, as a plain loop."""
from index.parallel import parallel_map
from index.tokens import _tokenize_chunk, tokenize_passages


def test_parallel_map_matches_a_loop_in_order():
    items = [f"第{i}条" * (i % 7 + 1) for i in range(1200)]
    assert parallel_map(len, items, min_items=1, chunk=100, workers=2) == [len(x) for x in items]
    assert parallel_map(len, items[:3], min_items=10) == [len(x) for x in items[:3]]


def test_tokenize_passages_forked_equals_in_process():
    passages = [["示例条例", f"第{i}条 网信部门负责统筹协调未成年人网络保护工作"] for i in range(50)]
    chunks = [passages[i:i + 10] for i in range(0, 50, 10)]
    forked = [t for part in parallel_map(_tokenize_chunk, chunks, min_items=1, chunk=1, workers=2) for t in part]
    assert forked == tokenize_passages(passages) and "网信部门" in forked[0].split(" ")
