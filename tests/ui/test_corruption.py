"""A damaged index (truncated BM25 file, garbled or deleted Chroma folder, missing CURRENT
pointer, garbled catalog) gives a clear Chinese message naming `zwqa ingest --rebuild` from
`zwqa list`, `zwqa ask` and build_answerer — never a traceback — and the rebuild recovers."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qa.system
from qa.system import build_answerer, build_stores
from ui.cli import main
from vectorstore.catalog import current_generation, state_dir
from vectorstore.errors import REBUILD_HINT, IndexCorrupt
from vectorstore.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "hardening_corpus"
QUESTION = "热线紧急诉求多长时间内响应？"


def clean_environ() -> dict:
    """Return this process's environment without its ZWQA_ settings, for a child process."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ZWQA_")}


def _generation_file(index_dir: Path, name: str) -> Path:
    return state_dir(index_dir, current_generation(index_dir)) / name


def truncate_bm25(index_dir: Path) -> None:
    path = _generation_file(index_dir, "bm25.json")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def garble_catalog(index_dir: Path) -> None:
    _generation_file(index_dir, "catalog.json").write_text('{"version": 1, "files": [', encoding="utf-8")


def garble_chroma_sqlite(index_dir: Path) -> None:
    (index_dir / "chroma" / "chroma.sqlite3").write_bytes(bytes(range(256)) * 64)


def delete_chroma(index_dir: Path) -> None:
    shutil.rmtree(index_dir / "chroma")


def delete_current(index_dir: Path) -> None:
    (index_dir / "CURRENT").unlink()


DAMAGE = {
    "bm25-truncated": truncate_bm25,
    "catalog-garbled": garble_catalog,
    "chroma-sqlite-garbled": garble_chroma_sqlite,
    "chroma-deleted": delete_chroma,
    "current-missing": delete_current,
}


@pytest.fixture(scope="module")
def clean_index(tmp_path_factory) -> Path:
    """An index of the fixture corpus, built by `zwqa ingest` in its own process so that no
    Chroma client of this process holds the folder when it is copied."""
    index_dir = tmp_path_factory.mktemp("clean") / "index"
    env = {**clean_environ(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "ZWQA_INDEX_DIR": str(index_dir), "ZWQA_CORPUS_DIR": str(CORPUS), "ZWQA_CHROMA_URL": ""}
    run = subprocess.run([sys.executable, "-m", "ui.cli", "ingest"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return index_dir


@pytest.fixture
def cli(monkeypatch, capsys, embedder):
    """Run `zwqa ARGS…` in this process (sharing the test's embedder); return (code, out, err)."""

    def run(index_dir: Path, *args: str):
        monkeypatch.setenv("ZWQA_INDEX_DIR", str(index_dir))
        monkeypatch.setenv("ZWQA_CORPUS_DIR", str(CORPUS))
        monkeypatch.delenv("ZWQA_CHROMA_URL", raising=False)
        monkeypatch.setattr(qa.system, "build_embedder", lambda settings: embedder)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_names_the_rebuild_and_rebuild_recovers(damage, clean_index, tmp_path,
                                                              cli, embedder):
    index_dir = tmp_path / "index"
    shutil.copytree(clean_index, index_dir)
    DAMAGE[damage](index_dir)

    for args in (("list",), ("ask", QUESTION)):
        code, out, err = cli(index_dir, *args)
        assert code == 2, (args, out, err)
        assert REBUILD_HINT in err
        assert err.startswith("错误：")

    settings = Settings(index_dir=index_dir, chroma_url="")
    with pytest.raises(IndexCorrupt, match="zwqa ingest --rebuild"):
        build_answerer(settings, embedder, build_stores(settings, embedder))

    code, out, err = cli(index_dir, "ingest", "--rebuild", "--json")
    assert code == 0, err
    assert json.loads(out)["documents"] == 3

    code, out, err = cli(index_dir, "ask", QUESTION, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert not answer["refused"]
    assert "紧急诉求两小时内响应" in answer["citations"][0]["text"]
    code, out, _ = cli(index_dir, "list")
    assert code == 0 and len(out.strip().splitlines()) == 3


def test_cli_process_prints_no_traceback(clean_index, tmp_path):
    """The same through the installed entry point, in its own process."""
    index_dir = tmp_path / "index"
    shutil.copytree(clean_index, index_dir)
    garble_chroma_sqlite(index_dir)
    env = {**clean_environ(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "ZWQA_INDEX_DIR": str(index_dir), "ZWQA_CHROMA_URL": ""}
    run = subprocess.run([str(Path(sys.executable).parent / "zwqa"), "ask", QUESTION], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert REBUILD_HINT in run.stderr
    assert "Traceback" not in run.stderr
