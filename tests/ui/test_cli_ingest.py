"""`zwqa ingest` and `zwqa list` as a user runs them: the console script in a child process.

The bundled corpus is ingested once per session (tests/conftest.py, bundled_index); the other
tests use the small fixture corpus in tests/data/ingest_corpus.
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from ingest.options import ingest_options
from ingest.pipeline import index_lock, run_ingest
from ingest.sources import read_file_entry
from qa.system import build_stores
from vectorstore.chroma_store import UPSERT_BATCH
from vectorstore.index import open_committed_index, open_committed_store
from vectorstore.settings import Settings

TESTS = Path(__file__).resolve().parents[1]
FIXTURE_CORPUS = TESTS / "data" / "ingest_corpus"
BUNDLED_CORPUS = TESTS.parent / "data" / "corpus"
NUMERALS = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()
REPORT_KEYS = {"documents", "chunks", "merged", "skipped", "seconds"}


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# --- the bundled corpus -----------------------------------------------------------------------


@pytest.mark.slow
def test_ingest_json_report(bundled_ingest_report):
    report = bundled_ingest_report
    assert REPORT_KEYS <= set(report)
    assert report["documents"] >= 24
    assert report["chunks"] > report["documents"]
    assert report["merged"] > 0  # the corpus repeats passages across speeches
    assert report["skipped"] == []
    assert report["embedded"] == report["chunks"]  # a fresh index embeds everything
    assert report["seconds"] > 0


@pytest.mark.slow
def test_list_json_names_every_speech(bundled_index, bundled_ingest_report, zwqa_cli):
    proc = zwqa_cli.run(["list", "--json"], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr
    rows = json_lines(proc.stdout)
    index = open_committed_index(bundled_index.index_dir)
    assert len(rows) == len(index.documents()) == bundled_ingest_report["documents"]
    assert [r["doc_id"] for r in rows] == [d.doc_id for d in index.documents()]
    corpus_files = {p.name for p in BUNDLED_CORPUS.glob("*.txt")}
    for row in rows:
        assert {"title", "date", "source", "chunks"} <= set(row)
        assert row["title"] and row["source"] in corpus_files
        assert row["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"])
        assert row["chunks"] >= 1, row["title"]
    titles = {r["title"] for r in rows}
    bundle = [f"在县政务服务中心工作会议上讲话（篇{n}）" for n in NUMERALS]
    assert set(bundle) <= titles


@pytest.mark.slow
def test_list_plain_text_has_a_line_per_speech(bundled_index, zwqa_cli):
    proc = zwqa_cli.run(["list"], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    index = open_committed_index(bundled_index.index_dir)
    assert len(lines) == len(index.documents())
    assert all(line.startswith(d.title) and line.endswith("段")
               for line, d in zip(lines, index.documents()))


@pytest.mark.slow
def test_list_chunks_are_clean_exact_slices(bundled_index, bundled_ingest_report, zwqa_cli):
    proc = zwqa_cli.run(["list", "--chunks", "--json"], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert not any(ad in line for ad in ("笔杆儿网", "新文秘网", "www.")), line[:200]
    chunks = json_lines(proc.stdout)
    assert len(chunks) == bundled_ingest_report["chunks"]
    assert len({c["id"] for c in chunks}) == len(chunks)
    index = open_committed_index(bundled_index.index_dir)
    for c in chunks:
        doc = index.document(c["doc_id"])
        assert doc is not None, c["id"]
        assert doc.text[c["start"]:c["end"]] == c["text"], c["id"]
        assert c["title"] == doc.title and c["source"] == doc.source
    # Every speech of the bundle has chunks of its own.
    titles = {c["title"] for c in chunks}
    assert all(f"在县政务服务中心工作会议上讲话（篇{n}）" in titles for n in NUMERALS)


@pytest.mark.slow
def test_chroma_bm25_and_report_agree(bundled_index, bundled_ingest_report, embedder):
    index = open_committed_index(bundled_index.index_dir)
    stores = build_stores(bundled_index, embedder)
    collection = stores.client.get_collection(index.catalog.collection)
    assert collection.count() == len(index.bm25) == bundled_ingest_report["chunks"]
    assert set(collection.get(include=[])["ids"]) == {c.id for c in index.chunks}


# --- small corpora ----------------------------------------------------------------------------


@pytest.mark.slow
def test_list_without_an_index_says_so(tmp_path, zwqa_cli):
    proc = zwqa_cli.run(["list", "--json"], tmp_path / "index")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "尚未建立索引" in proc.stderr and "zwqa ingest" in proc.stderr


@pytest.mark.slow
def test_second_ingest_on_a_busy_index_is_turned_away(tmp_path, zwqa_cli):
    index_dir = tmp_path / "index"
    with index_lock(index_dir):
        proc = zwqa_cli.run(["ingest", "--json"], index_dir, FIXTURE_CORPUS)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "另一个导入进程正在写入索引" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (index_dir / "CURRENT").exists()


class StderrWatch:
    """Collects a child's stderr in a thread, so the test can wait for text to appear."""

    def __init__(self, proc: subprocess.Popen):
        self.text = ""
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(proc.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for block in iter(lambda: stream.read1(4096), b""):
            with self._lock:
                self.text += block.decode("utf-8", "replace")

    def wait_for(self, pattern: str, proc: subprocess.Popen, timeout: float) -> re.Match | None:
        """Return the first match of pattern in stderr, or None when the child ended or
        timeout passed first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            with self._lock:
                m = re.search(pattern, self.text)
            if m:
                return m
            time.sleep(0.05)
        return None


@pytest.mark.slow
def test_killed_ingest_keeps_the_previous_index_and_the_next_run_recovers(
        tmp_path, zwqa_cli, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "空白.txt").write_text("", encoding="utf-8")
    index_dir = tmp_path / "index"

    first = zwqa_cli.run(["ingest"], index_dir, corpus)
    assert first.returncode == 0, first.stderr
    assert "完成：3 篇讲话" in first.stdout
    assert re.search(r"跳过 \S*空白\.txt：空文件", first.stdout)
    before = open_committed_index(index_dir)
    before_ids = [c.id for c in before.chunks]

    # New files with real embedding work: more than one batch, so that the run can be killed
    # after its first batch of vectors is stored and before it commits.
    opts = ingest_options(Settings(index_dir=index_dir, corpus_dir=corpus, chroma_url=""))
    new_chunks = 0
    for p in sorted(BUNDLED_CORPUS.glob("*.txt"), key=lambda p: p.stat().st_size):
        if new_chunks >= UPSERT_BATCH + 10:
            break
        shutil.copy(p, corpus / p.name)
        new_chunks += len(read_file_entry(corpus / p.name, "", opts).chunks)
    proc = zwqa_cli.popen(["ingest", "--json"], index_dir, corpus,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        watch = StderrWatch(proc)
        # tqdm's "32/81": the first batch of new vectors is in Chroma, the commit is not done.
        progress = watch.wait_for(r"嵌入段落与句子:[^\r\n]*? ([1-9]\d*)/(\d+) \[", proc, timeout=300)
        assert progress is not None, watch.text[-2000:]
        assert int(progress.group(1)) < int(progress.group(2))
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    # The previous index is what readers get, dense search included.
    after_kill = open_committed_index(index_dir)
    assert after_kill.catalog.generation == before.catalog.generation
    assert [c.id for c in after_kill.chunks] == before_ids
    settings = Settings(index_dir=index_dir, corpus_dir=corpus, chroma_url="")
    stores = build_stores(settings, embedder)
    raw = stores.open(after_kill.catalog.collection)
    assert raw.count() > len(before_ids)  # the killed run did leave vectors behind
    hits = open_committed_store(after_kill, stores).query("政务服务", len(before_ids))
    assert len(hits) == len(before_ids) and {h.chunk.id for h in hits} == set(before_ids)

    recovered = run_ingest([corpus], ingest_options(settings), embedder, stores)
    assert recovered.unchanged_files == 3 and recovered.documents > 3
    # What the killed run embedded is reused, the rest is embedded now.
    assert 0 < recovered.embedded <= recovered.chunks - len(before_ids) - UPSERT_BATCH
    index = open_committed_index(index_dir)
    recovered_ids = [c.id for c in index.chunks]
    assert stores.open(index.catalog.collection).count() == len(recovered_ids)

    rebuilt = run_ingest([corpus], ingest_options(settings, rebuild=True), embedder, stores)
    assert rebuilt.chunks == recovered.chunks and rebuilt.documents == recovered.documents
    index = open_committed_index(index_dir)
    assert [c.id for c in index.chunks] == recovered_ids
    assert stores.open(index.catalog.collection).count() == len(recovered_ids)
