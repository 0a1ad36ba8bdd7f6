"""Fusing ranked lists from several retrievers: reciprocal-rank fusion (default) or weighted normalised scores."""
from __future__ import annotations

from dataclasses import dataclass, field

RRF_K = 60


@dataclass(frozen=True)
class FusionConfig:
    """How hybrid search combines retrievers: `rrf` (k) or `weighted` (min-max normalised scores × weights)."""

    method: str = "rrf"
    rrf_k: int = RRF_K
    weights: dict = field(default_factory=lambda: {"bm25": 1.0, "dense": 1.0})

    def __post_init__(self) -> None:
        if self.method not in ("rrf", "weighted"):
            raise ValueError(f"fusion method {self.method!r}: use rrf or weighted")
        if self.rrf_k <= 0:
            raise ValueError(f"fusion rrf_k={self.rrf_k}: must be positive")


Ranked = list[tuple[int, float]]  # (passage row, raw score), best first


def rrf(lists: dict[str, Ranked], k: int = RRF_K, weights: dict | None = None) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: score(u) = sum over retrievers of w / (k + rank), rank starting at 1."""
    fused: dict[int, float] = {}
    for name, ranked in lists.items():
        w = (weights or {}).get(name, 1.0)
        for rank, (row, _) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def weighted(lists: dict[str, Ranked], weights: dict | None = None) -> list[tuple[int, float]]:
    """Weighted sum of min-max normalised scores; a unit missing from a list scores 0 there."""
    fused: dict[int, float] = {}
    for name, ranked in lists.items():
        if not ranked:
            continue
        w = (weights or {}).get(name, 1.0)
        scores = [s for _, s in ranked]
        lo, hi = min(scores), max(scores)
        span = hi - lo
        for row, s in ranked:
            norm = (s - lo) / span if span > 0 else 1.0
            fused[row] = fused.get(row, 0.0) + w * norm
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def fuse(lists: dict[str, Ranked], config: FusionConfig | None = None) -> list[tuple[int, float]]:
    """Combine the retrievers' lists as the config says."""
    config = config or FusionConfig()
    if config.method == "weighted":
        return weighted(lists, config.weights)
    return rrf(lists, config.rrf_k, config.weights)
