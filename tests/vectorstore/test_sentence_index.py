"""The sentence vectors of the indexed chunks (vectorstore.sentence_index): which sentences get
a vector, a chunk scored by its best sentence, vectors reused across generations, the file."""
from __future__ import annotations

import numpy as np
import pytest

from vectorstore.records import Chunk
from vectorstore.sentence_index import SentenceIndex, SentencePlan, chunk_sentences

# A stand-in embedder: one axis per topic word, so which sentence is nearest is known.
AXES = ("审批", "热线", "党员", "窗口")


def embed(texts):
    out = []
    for t in texts:
        v = np.array([t.count(w) for w in AXES], dtype=np.float32) + 0.01
        out.append(list(v / np.linalg.norm(v)))
    return out


class CountingEmbed:
    def __init__(self):
        self.texts: list[str] = []

    def __call__(self, texts):
        self.texts.extend(texts)
        return embed(texts)


def chunk(cid: str, text: str) -> Chunk:
    return Chunk(id=cid, doc_id="d", title="讲话", section_path="", paragraph=0, start=0,
                 end=len(text), text=text)


A = chunk("a", "同志们：\n一是深化审批制度改革，审批时限压缩一半。二是开通政务服务热线。")
B = chunk("b", "三是党员带头上窗口，党员示范岗覆盖全部窗口。")


def test_short_pieces_get_no_vector():
    assert chunk_sentences(A) == ["一是深化审批制度改革，审批时限压缩一半。", "二是开通政务服务热线。"]


def test_a_chunk_scores_as_its_best_sentence():
    index = SentencePlan([A, B]).embed(embed)
    assert len(index) == 3 and index.chunk_ids == ("a", "a", "b")
    (hotline,) = embed(["热线"])
    found = index.nearest(hotline, 2)
    assert [cid for cid, _ in found] == ["a", "b"]  # a's second sentence is about the hotline
    assert found[0][1] == pytest.approx(max(index.vectors[:2] @ np.array(hotline)))
    assert index.nearest(hotline, 1, keep=lambda cid: cid != "a")[0][0] == "b"
    assert index.nearest(hotline, 0) == []
    best = index.best_of(hotline, ["b", "a", "missing"])
    assert best[1] > best[0] and best[2] is None


def test_unchanged_sentences_keep_their_vectors_and_only_new_ones_are_embedded(tmp_path):
    first = SentencePlan([A, B]).embed(embed)
    edited = chunk("b", "三是党员带头上窗口，党员示范岗覆盖全部窗口。四是热线工单当天转办。")
    counting = CountingEmbed()
    plan = SentencePlan([A, edited], previous=first)
    assert plan.pending == 1
    second = plan.embed(counting)
    assert counting.texts == ["四是热线工单当天转办。"]
    assert second.keys[:3] == first.keys and len(second) == 4
    assert np.array_equal(second.vectors[:3], first.vectors)
    # the same text under another chunk id is another sentence of the index
    assert SentencePlan([chunk("c", A.text)], previous=first).pending == 2


def test_progress_follows_the_batches():
    many = [chunk(f"c{i}", f"第{i}个窗口的审批事项已经全部进驻。") for i in range(150)]
    calls = []
    SentencePlan(many).embed(embed, lambda done, total: calls.append((done, total)))
    assert calls == [(64, 150), (128, 150), (150, 150)]


def test_saved_and_loaded_unchanged(tmp_path):
    index = SentencePlan([A, B]).embed(embed)
    path = tmp_path / "sentences.npz"
    index.save(path)
    loaded = SentenceIndex.load(path)
    assert loaded.keys == index.keys and loaded.chunk_ids == index.chunk_ids
    assert np.array_equal(loaded.vectors, index.vectors)
    path.write_bytes(b"not a numpy file")
    with pytest.raises(ValueError):
        SentenceIndex.load(path)


def test_no_chunks_no_rows():
    index = SentencePlan([]).embed(embed)
    assert len(index) == 0 and index.nearest(embed(["审批"])[0], 3) == []


def test_a_damaged_file_is_a_value_error(tmp_path):
    path = tmp_path / "sentences.npz"
    SentencePlan([A, B]).embed(embed).save(path)
    path.write_bytes(path.read_bytes()[:200])  # cut short
    with pytest.raises(ValueError):
        SentenceIndex.load(path)


def test_the_headings_a_chunk_repeats_get_no_vector():
    text = "二、清醒认识“四强”党支部建设的薄弱环节\n（一）政治功能与业务融合不够深入\n部分党支部存在重业务轻党建倾向。"
    c = Chunk(id="h", doc_id="d", title="讲话", paragraph=0, start=0, end=len(text), text=text,
              section_path="二、清醒认识“四强”党支部建设的薄弱环节 > （一）政治功能与业务融合不够深入")
    assert chunk_sentences(c) == ["部分党支部存在重业务轻党建倾向。"]
