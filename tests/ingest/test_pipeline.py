"""The ingest pipeline end to end on small corpora: real embedder, real embedded Chroma.

What a user relies on: every speech is indexed with exact offsets; re-runs embed only what
changed; edits, deletions (--prune) and --rebuild leave Chroma and BM25 agreeing; bad files are
skipped with a reason and never cost what was indexed before; a second writer is turned away.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from ingest.options import ingest_options
from ingest.pipeline import IngestOptions, index_lock, run_ingest
from ingest.sources import read_file_entry
from qa.system import build_stores
from vectorstore.errors import IngestBusy
from vectorstore.index import open_committed_index
from vectorstore.sentence_index import SentencePlan, chunk_sentences
from vectorstore.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ingest_corpus"
MAX_CHUNK = 500  # chunk_document's hard limit on a chunk's length

GBK_SPEECH = """在乡镇便民服务中心建设现场会上的讲话
同志们：
今天我们在这里召开现场会，就是要推广先进乡镇的经验，推动便民服务中心提档升级。
一、把便民服务延伸到群众家门口
各乡镇要把社保、医保、户籍、民政等高频事项下放到便民服务中心办理，村级代办点要配齐帮办代办人员，让群众在村里就能办成事。
二、把服务质量作为检验工作的标准
要推行好差评制度，群众不满意的事项要限期整改，整改情况在便民服务中心公开公示。
"""


def make_corpus(root: Path) -> Path:
    """Return a fresh copy of the fixture corpus under root (tests edit and delete its files)."""
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    return corpus


def make_settings(root: Path, corpus: Path) -> Settings:
    return Settings(index_dir=root / "index", corpus_dir=corpus, chroma_url="")


def ingest(settings: Settings, embedder, paths=None, *, prune=False, rebuild=False, progress=None):
    """Return the report of one run_ingest with stores built as the CLI builds them."""
    stores = build_stores(settings, embedder)
    return run_ingest(paths or [settings.corpus_dir], ingest_options(settings, prune, rebuild),
                      embedder, stores, progress)


def chroma_records(settings: Settings, embedder) -> dict[str, str]:
    """Return id → stored text of every record in the committed index's Chroma collection."""
    index = open_committed_index(settings.index_dir)
    collection = build_stores(settings, embedder).client.get_collection(index.catalog.collection)
    got = collection.get(include=["documents"])
    return dict(zip(got["ids"], got["documents"]))


def chunk_ids(settings: Settings) -> list[str]:
    return [c.id for c in open_committed_index(settings.index_dir).chunks]


def ids_by_source(settings: Settings) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in open_committed_index(settings.index_dir).chunks:
        out.setdefault(c.source, set()).add(c.id)
    return out


def assert_consistent(settings: Settings, embedder) -> None:
    """Chroma holds exactly the committed chunks (text and every field), and every chunk's
    offsets point at its text in its speech."""
    index = open_committed_index(settings.index_dir)
    store = build_stores(settings, embedder).open(index.catalog.collection)
    assert {c.id: c for c in store.all_chunks()} == {c.id: c for c in index.chunks}
    docs = {d.doc_id: d for d in index.documents()}
    for c in index.chunks:
        assert docs[c.doc_id].text[c.start:c.end] == c.text, c.id
    # the sentence vectors are exactly the committed chunks' sentences, in order
    assert index.sentences is not None
    assert index.sentences.keys == tuple(SentencePlan(index.chunks).keys)
    assert index.sentences.vectors.shape == (len(index.sentences.keys), len(embedder.embed_query("窗口")))


@pytest.mark.slow
def test_first_run_indexes_every_speech(tmp_path, embedder):
    settings = make_settings(tmp_path, make_corpus(tmp_path))
    calls = []
    report = ingest(settings, embedder, progress=lambda done, total: calls.append((done, total)))

    index = open_committed_index(settings.index_dir)
    assert report.documents == len(index.documents()) == 3
    assert {d.title for d in index.documents()} == {
        "在全市政务服务工作推进会上的讲话", "在“一网通办”改革动员会上的讲话", "在优化营商环境座谈会上的讲话"}
    assert report.chunks == len(index.chunks) == report.embedded > 3
    assert report.files == 3 and report.unchanged_files == 0 and report.skipped == []
    # one progress over the passages, then their sentences
    total = report.embedded + report.sentences_embedded
    assert report.sentences_embedded > report.embedded
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [t for _, t in calls] == [total] * len(calls)
    assert_consistent(settings, embedder)
    dated = next(d for d in index.documents() if d.title.startswith("在全市"))
    assert dated.date == "2023-05-12" and "发布时间" not in dated.text


@pytest.mark.slow
def test_second_run_embeds_nothing(tmp_path, embedder):
    settings = make_settings(tmp_path, make_corpus(tmp_path))
    first = ingest(settings, embedder)
    ids = chunk_ids(settings)

    again = ingest(settings, embedder)
    assert again.embedded == 0 and again.deleted == 0 and again.sentences_embedded == 0
    assert again.unchanged_files == again.files == 3
    assert (again.documents, again.chunks) == (first.documents, first.chunks)
    assert chunk_ids(settings) == ids
    assert_consistent(settings, embedder)


@pytest.mark.slow
def test_speech_that_loses_its_date_loses_it_in_chroma_too(tmp_path, embedder):
    corpus = make_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus)
    ingest(settings, embedder)
    dated = corpus / "01_政务服务推进会讲话.txt"
    dated.write_text(dated.read_text(encoding="utf-8").replace("发布时间：2023-05-12\n", ""),
                     encoding="utf-8")

    report = ingest(settings, embedder)
    assert report.embedded == 0  # same text, same vectors
    index = open_committed_index(settings.index_dir)
    assert all(c.date is None for c in index.chunks)
    assert_consistent(settings, embedder)


@pytest.mark.slow
def test_changed_file_replaces_only_its_own_chunks(tmp_path, embedder):
    corpus = make_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus)
    ingest(settings, embedder)
    before = ids_by_source(settings)

    edited = corpus / "02_一网通办动员会讲话.txt"
    text = edited.read_text(encoding="utf-8")
    old_par = next(line for line in text.splitlines() if line.startswith("（二）优化办事流程"))
    new_par = ("（二）推行容缺受理。对基本条件具备、主要申请材料齐全的事项，允许申请人在承诺期限内"
               "补齐次要材料，窗口先行受理、同步审查，避免群众因为一份材料来回折腾。")
    edited.write_text(text.replace(old_par, new_par), encoding="utf-8")

    report = ingest(settings, embedder)
    after = ids_by_source(settings)
    name = edited.name
    for source in before:
        if source != name:
            assert after[source] == before[source], source  # other files untouched
    added, gone = after[name] - before[name], before[name] - after[name]
    assert added and gone
    assert report.embedded == len(added)  # only the new passages were embedded
    assert report.deleted == len(gone)
    assert report.unchanged_files == 2
    assert_consistent(settings, embedder)  # old ids gone from Chroma and BM25 alike

    index = open_committed_index(settings.index_dir)
    top = index.bm25.search("容缺受理", 1)[0].chunk
    assert top.id in added and "容缺受理" in top.text
    store = build_stores(settings, embedder).open(index.catalog.collection)
    assert store.query("申请材料不全时可以先受理后补齐吗", 1)[0].chunk.id == top.id
    assert not any("优化办事流程" in c.text for c in index.chunks if c.source == name)


@pytest.mark.slow
def test_edit_that_keeps_offsets_re_embeds_the_passage(tmp_path, embedder):
    corpus = make_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus)
    ingest(settings, embedder)
    ids = chunk_ids(settings)

    edited = corpus / "03_营商环境座谈会讲话.txt"
    old = "开通营商环境投诉热线，做到件件有回音、事事有着落"
    new = "组建首席服务专员队伍，做到企业有呼声、政府有回应"
    assert len(old) == len(new)
    edited.write_text(edited.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    report = ingest(settings, embedder)
    assert chunk_ids(settings) == ids  # same document, same offsets: same ids
    index = open_committed_index(settings.index_dir)
    changed = next(c for c in index.chunks if new in c.text)
    assert report.embedded == 1 and report.sentences_embedded == 1  # the edited sentence only
    assert_consistent(settings, embedder)
    edited_sentence = next(t for t in chunk_sentences(changed) if new in t)
    rows = [i for i, cid in enumerate(index.sentences.chunk_ids) if cid == changed.id]
    fresh_sentence = np.array(embedder.embed_documents([edited_sentence])[0])
    assert max(float(index.sentences.vectors[i] @ fresh_sentence) for i in rows) > 0.9999
    store = build_stores(settings, embedder).open(index.catalog.collection)
    stored = np.array(store.get_embeddings([changed.id])[0])
    fresh = np.array(embedder.embed_documents([changed.text])[0])
    assert float(stored @ fresh) > 0.9999  # the vector is of the new text, not the old one


@pytest.mark.slow
def test_new_speech_repeating_an_indexed_passage_names_it_without_re_embedding(tmp_path, embedder):
    corpus = make_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus)
    ingest(settings, embedder)
    before = open_committed_index(settings.index_dir)
    source = (corpus / "01_政务服务推进会讲话.txt").read_text(encoding="utf-8").splitlines()
    at = source.index("二、清醒认识存在的差距和不足")
    repeated = "\n".join(source[at:at + 2])  # the heading and its paragraph
    (corpus / "04_区县政务服务座谈会讲话.txt").write_text(
        "在区县政务服务座谈会上的讲话\n同志们：\n今天请各区县交流经验，我先讲讲问题。\n"
        f"{repeated}\n三、抓好问题整改\n各区县要对照这些问题逐项整改，月底前报送整改清单。\n",
        encoding="utf-8")

    report = ingest(settings, embedder)
    assert report.merged >= 1
    index = open_committed_index(settings.index_dir)
    shared = next(c for c in index.chunks if "信息孤岛" in c.text)
    assert shared.id in {c.id for c in before.chunks}  # the passage of the first speech stays
    assert shared.also_in == ("在区县政务服务座谈会上的讲话",)
    new_ids = {c.id for c in index.chunks} - {c.id for c in before.chunks}
    assert report.embedded == len(new_ids) > 0  # the repeated passage was not embedded again
    stored = build_stores(settings, embedder).open(index.catalog.collection)
    (hit,) = [h for h in stored.query("数据共享不够充分 信息孤岛", 3) if h.chunk.id == shared.id]
    assert hit.chunk == shared  # Chroma's copy names the new speech too
    assert_consistent(settings, embedder)


@pytest.mark.slow
def test_prune_removes_speeches_of_deleted_files_only_when_asked(tmp_path, embedder):
    corpus = make_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus)
    ingest(settings, embedder)
    deleted = corpus / "03_营商环境座谈会讲话.txt"
    its_ids = ids_by_source(settings)[deleted.name]
    deleted.unlink()

    kept = ingest(settings, embedder)
    assert kept.documents == 3 and kept.pruned == [] and kept.embedded == 0
    assert its_ids <= set(chunk_ids(settings))
    assert its_ids <= set(chroma_records(settings, embedder))

    pruned = ingest(settings, embedder, prune=True)
    assert pruned.pruned == [str(deleted.resolve())]
    assert pruned.documents == 2 and pruned.embedded == 0 and pruned.deleted == len(its_ids)
    assert not its_ids & set(chunk_ids(settings))
    assert deleted.name not in {d.source for d in open_committed_index(settings.index_dir).documents()}
    assert_consistent(settings, embedder)


@pytest.mark.slow
def test_rebuild_starts_over_with_the_same_chunks(tmp_path, embedder):
    settings = make_settings(tmp_path, make_corpus(tmp_path))
    first = ingest(settings, embedder)
    ids = chunk_ids(settings)
    old_collection = open_committed_index(settings.index_dir).catalog.collection

    rebuilt = ingest(settings, embedder, rebuild=True)
    assert rebuilt.chunks == first.chunks and rebuilt.embedded == first.chunks
    assert chunk_ids(settings) == ids
    index = open_committed_index(settings.index_dir)
    assert index.catalog.collection != old_collection
    names = build_stores(settings, embedder).names()
    assert index.catalog.collection in names and old_collection not in names
    assert sorted(p.name for p in (settings.index_dir / "state").iterdir()) == [
        str(index.catalog.generation)]
    assert_consistent(settings, embedder)


def _gbk_and_bad_files(folder: Path) -> dict[str, Path]:
    """Write a GBK speech and four files no speech can be read from; return them by role."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "gbk": folder / "乡镇便民服务_gbk.txt",
        "empty": folder / "空白.txt",
        "random": folder / "乱码.txt",
        "png": folder / "截图.pdf",
        "huge": folder / "无标点.txt",
    }
    files["gbk"].write_bytes(GBK_SPEECH.encode("gbk"))
    files["empty"].write_bytes(b"")
    files["random"].write_bytes(random.Random(3).randbytes(4096))
    files["png"].write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(4).randbytes(2048))
    # 2 MB of one phrase without a single punctuation mark or line break.
    phrase = "深化放管服改革优化政务服务"
    files["huge"].write_text(phrase * (2_000_000 // len(phrase.encode("utf-8")) + 1),
                             encoding="utf-8")
    return files


@pytest.mark.slow
def test_bad_files_are_skipped_with_a_reason_and_the_rest_goes_on(tmp_path, embedder):
    corpus = make_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus)
    files = _gbk_and_bad_files(corpus / "上传")
    assert files["huge"].stat().st_size >= 2_000_000

    report = ingest(settings, embedder)
    reasons = {Path(s["file"]).name: s["reason"] for s in report.skipped}
    assert set(reasons) == {files[k].name for k in ("empty", "random", "png")}
    assert "空文件" in reasons[files["empty"].name]
    assert "二进制文件" in reasons[files["random"].name]
    assert "PDF" in reasons[files["png"].name]
    assert report.documents == 5  # the three good speeches, the GBK one and the 2 MB one

    index = open_committed_index(settings.index_dir)
    by_source = {d.source: d for d in index.documents()}
    gbk = by_source[f"上传/{files['gbk'].name}"]
    assert gbk.title == "在乡镇便民服务中心建设现场会上的讲话"
    assert any("帮办代办人员" in c.text for c in index.chunks if c.doc_id == gbk.doc_id)
    huge = by_source[f"上传/{files['huge'].name}"]
    assert len(huge.text) > 600_000
    huge_chunks = [c for c in index.chunks if c.doc_id == huge.doc_id]
    # One phrase over and over: the 500-character pieces repeat and are kept once each.
    assert huge_chunks and all(0 < len(c.text) <= MAX_CHUNK for c in huge_chunks)
    assert_consistent(settings, embedder)
    ids = chunk_ids(settings)

    # A later run with nothing but bad input, one of them a good file overwritten with junk.
    good = corpus / "01_政务服务推进会讲话.txt"
    good.write_bytes(random.Random(5).randbytes(4096))
    later = ingest(settings, embedder, [files["empty"], files["random"], files["png"], good])
    assert {Path(s["file"]).name for s in later.skipped} == {
        files["empty"].name, files["random"].name, files["png"].name, good.name}
    assert later.embedded == 0 and later.deleted == 0 and later.documents == 5
    assert chunk_ids(settings) == ids  # nothing previously indexed is lost
    assert_consistent(settings, embedder)


def test_unpunctuated_text_of_2mb_is_cut_into_bounded_chunks(tmp_path):
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    path = tmp_path / "无标点随机.txt"
    path.write_text("".join(rng.choice(alphabet) for _ in range(700_000)), encoding="utf-8")
    assert path.stat().st_size >= 2_000_000
    opts = IngestOptions(index_dir=tmp_path / "index", corpus_dir=tmp_path, collection="t",
                         chunk_size=300, chunk_overlap=1)

    entry = read_file_entry(path, "sha", opts)
    (doc,) = entry.documents
    assert all(0 < c.end - c.start <= MAX_CHUNK for c in entry.chunks)
    assert all(doc.text[c.start:c.end] == c.text for c in entry.chunks)
    # Nothing lost: the chunks tile the whole text.
    assert entry.chunks[0].start == 0 and entry.chunks[-1].end == len(doc.text)
    assert all(a.end == b.start for a, b in zip(entry.chunks, entry.chunks[1:]))


def test_second_writer_is_turned_away(tmp_path):
    settings = make_settings(tmp_path, make_corpus(tmp_path))
    with index_lock(settings.index_dir):
        with pytest.raises(IngestBusy, match="另一个导入进程正在写入索引"):
            # The lock is taken before anything else: no embedder or store is touched.
            run_ingest([settings.corpus_dir], ingest_options(settings), None, None)
    assert not (settings.index_dir / "CURRENT").exists()


@pytest.mark.slow
def test_changing_the_embedding_model_re_embeds_into_a_new_collection(tmp_path):
    from vectorstore.errors import IndexCorrupt
    from vectorstore.embeddings import E5_SMALL, M3E_SMALL, Embedder
    from vectorstore.index import open_committed_store

    settings = make_settings(tmp_path, make_corpus(tmp_path))
    m3e, e5 = Embedder(M3E_SMALL), Embedder(E5_SMALL)
    first = ingest(settings, m3e)
    old = open_committed_index(settings.index_dir).catalog
    assert old.signature["embed_model"] == "m3e-small"
    again = ingest(settings, e5)
    index = open_committed_index(settings.index_dir)
    assert again.embedded == again.chunks == first.chunks
    assert index.catalog.collection != old.collection
    assert index.catalog.signature["embed_model"] == "multilingual-e5-small"
    store = open_committed_store(index, build_stores(settings, e5))
    assert {len(v) for v in store.get_embeddings([c.id for c in index.chunks])} == {384}
    assert_consistent(settings, e5)
    with pytest.raises(IndexCorrupt, match="multilingual-e5-small"):  # a reader on another model
        open_committed_store(index, build_stores(settings, m3e))
