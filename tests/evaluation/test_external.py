"""External evaluation contexts: reading their formats, restoring lost breaks, cache keys, indexing."""
import json

import pytest

from evaluation.external import (
    chunk_contexts,
    context_cache_dir,
    context_text,
    index_contexts,
    load_contexts,
)
from vectorstore.errors import ContextsUnreadable


def write_lines(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
                              for r in rows) + "\n", encoding="utf-8")
    return path


def test_one_line_documents_get_their_paragraph_breaks_back():
    # NCP keeps a document on one line, its line breaks collapsed into spaces.
    raw = "农业农村部开展专项法治宣传行动 为切实做好疫情防控工作，启动专项行动。 各地要抓好落实。　联系电话 12345"
    assert context_text(raw).split("\n") == [
        "农业农村部开展专项法治宣传行动", "为切实做好疫情防控工作，启动专项行动。", "各地要抓好落实。",
        "联系电话", "12345"]
    # Word gaps between Latin letters or digits stay.
    assert "Windows 10" in context_text("安装 Windows 10 系统。 然后重启。")
    # Text with line breaks, or without a sentence end followed by a space, is only normalised.
    assert context_text("《战国无双3》是由光荣和ω-force开发的 and 游戏") == "《战国无双3》是由光荣和ω-force开发的 and 游戏"
    assert context_text("第一段。\n第二段 内容") == "第一段。\n第二段内容"


def test_load_contexts_reads_both_formats(tmp_path):
    path = write_lines(tmp_path / "contexts.jsonl", [
        {"context_id": "DEV_0", "title": "战国无双3", "text": "《战国无双3》是由光荣和ω-force开发的游戏。"},
        {"context_id": "abc", "title": "", "text": "北京市出台支持中小企业的措施 为应对疫情，出台以下措施。 一、减免房租。"},
        "{not json",
        {"context_id": "no-text"},
        {"id": "x1", "content": "另一种字段名的段落。"},
        {"context_id": "DEV_0", "title": "重复", "text": "同一编号的第二行被跳过。"},
    ])
    docs = load_contexts(path)
    assert [d.doc_id for d in docs] == ["DEV_0", "abc", "x1"]
    assert docs[0].title == "战国无双3" and docs[0].text.startswith("《战国无双3》")
    # No title: the headline (first line) names the document.
    assert docs[1].title == "北京市出台支持中小企业的措施"
    assert docs[1].text.split("\n")[1] == "为应对疫情，出台以下措施。"
    assert docs[2].title == "另一种字段名的段落。"


def test_a_file_without_usable_lines_is_an_error(tmp_path):
    with pytest.raises(ContextsUnreadable):
        load_contexts(write_lines(tmp_path / "c.jsonl", [{"question": "只有问题"}]))


def test_cache_folder_changes_with_content_and_settings(tmp_path):
    path = write_lines(tmp_path / "contexts.jsonl", [{"context_id": "a", "text": "一段话。"}])
    first = context_cache_dir(tmp_path / "cache", path, 300, 1, "m3e-small")
    assert first == context_cache_dir(tmp_path / "cache", path, 300, 1, "m3e-small")
    assert first != context_cache_dir(tmp_path / "cache", path, 200, 1, "m3e-small")
    assert first != context_cache_dir(tmp_path / "cache", path, 300, 1, "other-model")
    write_lines(path, [{"context_id": "a", "text": "另一段话。"}])
    assert first != context_cache_dir(tmp_path / "cache", path, 300, 1, "m3e-small")
    assert first.parent == tmp_path / "cache"


def test_chunks_index_their_context_text(tmp_path):
    text = "。".join(f"第{i}条措施要求各单位按期落实有关工作" for i in range(40)) + "。"
    path = write_lines(tmp_path / "c.jsonl", [{"context_id": "p1", "text": text},
                                              {"context_id": "p2", "text": "简短的一段。"}])
    docs = load_contexts(path)
    chunks = chunk_contexts(docs, 300, 1)
    by_id = {d.doc_id: d for d in docs}
    assert len([c for c in chunks if c.doc_id == "p1"]) > 1
    for c in chunks:
        assert by_id[c.doc_id].text[c.start:c.end] == c.text


class CountingEmbedder:
    model_name = "fake"

    def __init__(self):
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return [[1.0, float(len(t))] for t in texts]


class MemoryStore:
    def __init__(self, embedder):
        self.embedder = embedder
        self.rows = {}

    def ids(self):
        return set(self.rows)

    def upsert(self, chunks, progress=None):
        vectors = self.embedder.embed_documents([c.text for c in chunks])
        self.rows.update({c.id: (c, v) for c, v in zip(chunks, vectors)})

    def delete_ids(self, ids):
        for i in ids:
            self.rows.pop(i, None)


class MemoryStores:
    def __init__(self, embedder):
        self.embedder = embedder
        self.stores = {}

    def open(self, name):
        return self.stores.setdefault(name, MemoryStore(self.embedder))


def test_indexing_embeds_only_what_the_cache_lacks(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", [{"context_id": f"c{i}", "text": f"第{i}段政务服务内容。"}
                                              for i in range(5)])
    docs = load_contexts(path)
    embedder = CountingEmbedder()
    stores = MemoryStores(embedder)
    first = index_contexts(docs, stores, tmp_path / "idx", 300, 1)
    # Five chunks, then their five sentences, as `zwqa ingest` embeds a corpus.
    assert (first.embedded, first.sentences_embedded, embedder.embedded) == (5, 5, 10)
    assert (tmp_path / "idx" / "bm25.json").is_file()
    assert first.index.bm25.search("第3段", 1)[0].chunk.doc_id == "c3"
    assert sorted(first.index.sentences.chunk_ids) == sorted(c.id for c in first.index.chunks)
    again = index_contexts(docs, stores, tmp_path / "idx", 300, 1)
    assert (again.embedded, again.sentences_embedded, embedder.embedded) == (0, 0, 10)
    assert again.index.sentences.keys == first.index.sentences.keys
    assert [c.id for c in again.index.chunks] == [c.id for c in first.index.chunks]
    assert again.index.catalog.collection == first.index.catalog.collection
    assert [d.doc_id for d in again.index.documents()] == [f"c{i}" for i in range(5)]
    # A vector left by an earlier chunking is dropped.
    store = stores.open(first.index.catalog.collection)
    store.rows["old-chunk"] = (None, [0.0, 0.0])
    index_contexts(docs, stores, tmp_path / "idx", 300, 1)
    assert set(store.rows) == {c.id for c in first.index.chunks}


def test_a_damaged_sentence_cache_is_embedded_again(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", [{"context_id": f"c{i}", "text": f"第{i}段政务服务内容。"}
                                              for i in range(3)])
    docs = load_contexts(path)
    stores = MemoryStores(CountingEmbedder())
    index_contexts(docs, stores, tmp_path / "idx", 300, 1)
    (tmp_path / "idx" / "sentences.npz").write_bytes(b"not a numpy file")
    again = index_contexts(docs, stores, tmp_path / "idx", 300, 1)
    assert (again.embedded, again.sentences_embedded) == (0, 3)
    assert len(again.index.sentences) == 3
