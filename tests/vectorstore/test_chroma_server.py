"""Chroma server mode (ZWQA_CHROMA_URL): `zwqa ingest` writes its vectors to a `chroma run`
server, answers come back through the HTTP client, and a reader pointed at a server without
the index's collection is told to rebuild instead of answering from nothing."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qa.system import build_answerer, build_stores
from vectorstore.errors import REBUILD_HINT, IndexCorrupt
from vectorstore.index import open_committed_index
from vectorstore.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "hardening_corpus"
CHROMA_CLI = Path(sys.executable).parent / "chroma"
QUESTION = "热线紧急诉求多长时间内响应？"
HOTLINE_SOURCE = "03_便民热线工作座谈会讲话.txt"


def clean_environ() -> dict:
    """Return this process's environment without its ZWQA_ settings, for a child process."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ZWQA_")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path):
    """Start `chroma run` on a free port; return (process, url) once it answers heartbeats."""
    port = free_port()
    log = open(folder.parent / f"{folder.name}.log", "wb")
    proc = subprocess.Popen(
        [str(CHROMA_CLI), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}: "
                               f"{(folder.parent / f'{folder.name}.log').read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma run did not answer its heartbeat within 60 s")


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("chroma-server") / "db")
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """A second server that never saw an ingest: as if a reader's ZWQA_CHROMA_URL were wrong
    or the team's server had been replaced."""
    proc, url = start_server(tmp_path_factory.mktemp("chroma-empty") / "db")
    yield url
    stop_server(proc)


def zwqa(*args: str, index_dir: Path, chroma_url: str) -> subprocess.CompletedProcess:
    env = {**clean_environ(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "ZWQA_INDEX_DIR": str(index_dir), "ZWQA_CORPUS_DIR": str(CORPUS),
           "ZWQA_CHROMA_URL": chroma_url}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def ingested(server, tmp_path_factory):
    """The index folder of an ingest of the fixture corpus into the server, and its report."""
    index_dir = tmp_path_factory.mktemp("server-index") / "index"
    run = zwqa("ingest", "--json", index_dir=index_dir, chroma_url=server)
    assert run.returncode == 0, run.stderr
    return index_dir, json.loads(run.stdout)


def test_ingest_puts_vectors_on_the_server_only(ingested, server, embedder):
    index_dir, report = ingested
    assert report["documents"] == 3
    assert report["embedded"] == report["chunks"] > 0
    # BM25 and the catalog stay on the ingesting machine; no embedded Chroma folder is made.
    assert (index_dir / "CURRENT").is_file()
    assert not (index_dir / "chroma").exists()

    index = open_committed_index(index_dir)
    stores = build_stores(Settings(index_dir=index_dir, chroma_url=server), embedder)
    assert stores.names() == [index.catalog.collection]
    store = stores.open_existing(index.catalog.collection)
    # The HNSW configuration survives the HTTP round trip.
    assert store.collection.configuration["hnsw"]["space"] == "cosine"
    assert store.collection.configuration["hnsw"]["ef_search"] == 256
    # Paging over HTTP (pages smaller than the collection) returns every chunk, field for field.
    assert store.ids() == {c.id for c in index.chunks}
    key = lambda c: (c.source, c.doc_id, c.start)  # noqa: E731
    assert store.all_chunks(page_size=3) == sorted(index.chunks, key=key)


def test_answer_through_the_server_cites_the_fixture(ingested, server, embedder):
    index_dir, _ = ingested
    settings = Settings(index_dir=index_dir, chroma_url=server)
    answerer = build_answerer(settings, embedder, build_stores(settings, embedder))
    answer = answerer.answer(QUESTION, mode="extractive")

    assert not answer.refused
    committed = {c.id: c for c in open_committed_index(index_dir).chunks}
    top = answer.citations[0].chunk
    assert committed[top.id] == top
    assert top.source == HOTLINE_SOURCE
    assert "紧急诉求两小时内响应" in answer.text
    # The dense side really came from the server (not only BM25).
    assert any(h.dense_rank is not None for h in answer.retrieved)


def test_zwqa_ask_uses_the_server(ingested, server):
    index_dir, _ = ingested
    run = zwqa("ask", QUESTION, "--json", index_dir=index_dir, chroma_url=server)
    assert run.returncode == 0, run.stderr
    line = json.loads(run.stdout)
    assert line["refused"] is False
    assert "紧急诉求两小时内响应" in line["citations"][0]["text"]


def test_reader_on_a_server_without_the_collection_is_told_to_rebuild(ingested, empty_server,
                                                                      embedder):
    index_dir, _ = ingested
    settings = Settings(index_dir=index_dir, chroma_url=empty_server)
    stores = build_stores(settings, embedder)
    with pytest.raises(IndexCorrupt, match="zwqa ingest --rebuild") as err:
        build_answerer(settings, embedder, stores)
    assert empty_server in str(err.value)
    assert stores.names() == []  # the reader did not create an empty collection

    for args in (("ask", QUESTION), ("list",)):
        run = zwqa(*args, index_dir=index_dir, chroma_url=empty_server)
        assert run.returncode == 2
        assert REBUILD_HINT in run.stderr
        assert "Traceback" not in run.stderr


def test_unreachable_server_gives_a_clear_message(ingested):
    index_dir, _ = ingested
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for args in (("ask", QUESTION), ("list",), ("ingest",)):
        run = zwqa(*args, index_dir=index_dir, chroma_url=url)
        assert run.returncode == 2, run.stderr
        assert "无法连接 Chroma 服务器" in run.stderr
        assert "Traceback" not in run.stderr
