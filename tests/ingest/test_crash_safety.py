"""An ingest SIGKILLed at any of five points leaves an index that still answers, from the
committed chunks only, and the next ingest ends exactly where a clean build does.

Each case starts from a committed index of corpus v1 (speeches 01 and 02) and updates it to
v2 (01 edited, 03 added) in a child process whose ingest checkpoint (run_ingest's checkpoint
callback) kills it at one stage. tests/ingest/test_pipeline.py covers plain idempotency; this
file is only the kill-point matrix.
"""
import gc
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.options import ingest_options
from ingest.pipeline import run_ingest
from qa.system import build_answerer, build_stores
from vectorstore.embeddings import Embedder
from vectorstore.index import open_committed_index
from vectorstore.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "hardening_corpus"
EDITED = "01_全市政务服务工作会议讲话.txt"
ADDED = "03_便民热线工作座谈会讲话.txt"
EDIT = ("由四十分钟缩短到十二分钟", "由四十分钟缩短到八分钟")
HOTLINE_Q = "热线紧急诉求多长时间内响应？"
APPROVAL_Q = "企业开办时间压缩到几个工作日？"

# stage → generation a reader sees right after the kill (1 = the v1 index, 2 = v2 committed)
KILL_POINTS = {
    "loading": 1,
    "embedding:0.2": 1,
    "embedding:0.7": 1,
    "commit": 1,  # everything embedded, nothing committed yet
    "committed": 2,  # committed, stale vectors of the edited speech not yet deleted
}

CHILD = ("import sys; from tests.ingest.test_crash_safety import ingest_then_die; "
         "ingest_then_die(sys.argv[1])")


def ingest_then_die(kill_at: str) -> None:
    """Ingest the corpus the environment names and SIGKILL this process at kill_at: a stage
    ("commit"), or a stage and the share of it done ("embedding:0.2")."""
    stage, _, share = kill_at.partition(":")

    def checkpoint(reached: str, done: float) -> None:
        if reached == stage and done >= float(share or 0):
            os.kill(os.getpid(), signal.SIGKILL)

    settings = Settings()
    embedder = Embedder(settings.embed_model or None, batch_size=settings.embed_batch_size)
    stores = build_stores(settings, embedder)
    stores.batch_size = 1  # one chunk per batch, so that 20% and 70% are different moments
    run_ingest([settings.corpus_dir], ingest_options(settings), embedder, stores,
               checkpoint=checkpoint)


def clean_environ() -> dict:
    """Return this process's environment without its ZWQA_ settings, for a child process."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ZWQA_")}


def child_env(index_dir: Path, corpus: Path) -> dict:
    return {**clean_environ(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "ZWQA_INDEX_DIR": str(index_dir), "ZWQA_CORPUS_DIR": str(corpus), "ZWQA_CHROMA_URL": ""}


@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    """The shared corpus folder (left in its v2 state), a committed v1 index of it to copy, and
    the chunks of a clean v2 build.

    Every case uses the same corpus folder because the catalog keys files by absolute path."""
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in (EDITED, "02_行政审批制度改革推进会讲话.txt"):
        shutil.copy(FIXTURE / name, corpus / name)
    template = root / "v1-index"
    # Built in a child process: no Chroma client of this process may hold a folder we copy.
    run = subprocess.run([sys.executable, "-m", "ui.cli", "ingest"], cwd=ROOT,
                         env=child_env(template, corpus), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    v1 = open_committed_index(template).chunks

    text = (corpus / EDITED).read_text(encoding="utf-8")
    assert EDIT[0] in text
    (corpus / EDITED).write_text(text.replace(*EDIT), encoding="utf-8")
    shutil.copy(FIXTURE / ADDED, corpus / ADDED)

    clean_dir = root / "v2-clean"
    settings = Settings(index_dir=clean_dir, corpus_dir=corpus, chroma_url="")
    run_ingest([corpus], ingest_options(settings), embedder, build_stores(settings, embedder))
    v2 = open_committed_index(clean_dir).chunks
    return {"corpus": corpus, "template": template, "v1": v1, "v2": v2}


@pytest.mark.parametrize("stage", list(KILL_POINTS))
def test_kill_at_stage_then_resume(stage, world, tmp_path, embedder):
    v1_ids = [c.id for c in world["v1"]]
    v2_ids = [c.id for c in world["v2"]]
    new_ids = set(v2_ids) - set(v1_ids)
    stale_ids = set(v1_ids) - set(v2_ids)
    assert new_ids and stale_ids  # the update both adds and removes passages

    index_dir = tmp_path / "index"
    shutil.copytree(world["template"], index_dir)
    killed = subprocess.run([sys.executable, "-c", CHILD, stage], cwd=ROOT,
                            env=child_env(index_dir, world["corpus"]),
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    # The index still answers, from what is committed and nothing else.
    committed = open_committed_index(index_dir)
    expected_gen = KILL_POINTS[stage]
    assert committed.catalog.generation == expected_gen
    assert [c.id for c in committed.chunks] == (v1_ids if expected_gen == 1 else v2_ids)
    settings = Settings(index_dir=index_dir, corpus_dir=world["corpus"], chroma_url="")
    stores = build_stores(settings, embedder)
    answerer = build_answerer(settings, embedder, stores)
    committed_by_id = {c.id: c for c in committed.chunks}
    for question in (HOTLINE_Q, APPROVAL_Q):
        answer = answerer.answer(question, mode="extractive")
        # Vectors the killed run added are never returned before they are committed.
        assert all(committed_by_id.get(h.chunk.id) == h.chunk for h in answer.retrieved)
    approval = answerer.answer(APPROVAL_Q, mode="extractive")
    assert not approval.refused and "企业开办时间压缩到一个工作日" in approval.text
    hotline = answerer.answer(HOTLINE_Q, mode="extractive")
    cites_hotline = any(c.chunk.source == ADDED for c in hotline.citations)
    assert cites_hotline == (expected_gen == 2)

    # This process's readers let go of their generation first: an ingest removes an earlier
    # generation only once no reader holds it (vectorstore.leases).
    del answerer, committed
    gc.collect()
    # The next ingest ends exactly where a clean build does.
    report = run_ingest([world["corpus"]], ingest_options(settings), embedder, stores)
    after = open_committed_index(index_dir)
    assert report.chunks == len(v2_ids)
    assert after.chunks == world["v2"]
    store = stores.open_existing(after.catalog.collection)
    assert store.ids() == set(v2_ids)  # stale and uncommitted vectors are gone
    assert stores.names() == [after.catalog.collection]
    assert [p.name for p in (index_dir / "state").iterdir()] == [str(after.catalog.generation)]
    # Work the killed run finished is not redone.
    if stage == "loading":
        assert report.embedded == len(new_ids)
    elif stage.startswith("embedding"):
        assert 0 < report.embedded < len(new_ids)
    else:
        assert report.embedded == 0
    if stage == "committed":
        assert report.deleted == len(stale_ids)
    hotline = build_answerer(settings, embedder, stores).answer(HOTLINE_Q, mode="extractive")
    assert hotline.citations and hotline.citations[0].chunk.source == ADDED
