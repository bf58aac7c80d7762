"""Session fixtures shared by the test packages: one jieba word tokenizer, one loaded embedder,
one real index of the bundled corpus built by `zwqa ingest`, one local LLM server, and a runner
for the `zwqa` console script."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"
# Policy terms that the unit tests' own passages use (a real index extracts its terms from its
# corpus): word_tokenizer keeps each of them one token.
TEST_TERMS = ("321608", "跨省通办", "常驻窗口", "进驻", "好差评", "惠企通", "青松办")
# Fixtures that start a `zwqa` process or load a model; a test using one (directly or through
# another fixture) carries @pytest.mark.slow, so that `pytest -m "not slow"` stays quick.
SLOW_FIXTURES = frozenset({"zwqa_cli", "embedder", "_bundled_ingest", "llm_server"})


def pytest_collection_modifyitems(config, items):
    """Refuse to run a test that starts zwqa or loads a model through a fixture unless it is
    marked slow."""
    unmarked = [item.nodeid for item in items
                if SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
                and item.get_closest_marker("slow") is None]
    if unmarked:
        raise pytest.UsageError("these tests start zwqa or load a model and need "
                                "@pytest.mark.slow: " + ", ".join(unmarked))


class ZwqaCli:
    """Runs the `zwqa` console script in a child process on a given index folder."""

    def __init__(self) -> None:
        script = Path(sys.executable).parent / "zwqa"
        self.command = [str(script)] if script.is_file() else [sys.executable, "-m", "ui.cli"]

    def env(self, index_dir: Path, corpus_dir: Path = BUNDLED_CORPUS) -> dict[str, str]:
        """Return the environment of a child: the caller's, without its ZWQA_ settings, with
        the given index and corpus folders and no network access for model loading."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZWQA_")}
        env.update(
            ZWQA_INDEX_DIR=str(index_dir),
            ZWQA_CORPUS_DIR=str(corpus_dir),
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
        )
        return env

    def run(self, args: list[str], index_dir: Path, corpus_dir: Path = BUNDLED_CORPUS,
            timeout: float = 900) -> subprocess.CompletedProcess:
        """Return the finished `zwqa <args>` run (text stdout and stderr captured)."""
        return subprocess.run(
            [*self.command, *args], env=self.env(index_dir, corpus_dir), cwd=PROJECT_ROOT,
            capture_output=True, text=True, timeout=timeout,
        )

    def popen(self, args: list[str], index_dir: Path, corpus_dir: Path = BUNDLED_CORPUS,
              **kwargs) -> subprocess.Popen:
        """Return a started `zwqa <args>` child process."""
        return subprocess.Popen([*self.command, *args], env=self.env(index_dir, corpus_dir),
                                cwd=PROJECT_ROOT, **kwargs)


@pytest.fixture(scope="session")
def zwqa_cli() -> ZwqaCli:
    return ZwqaCli()


@pytest.fixture(scope="session")
def word_tokenizer():
    """One jieba word tokenizer (vectorstore.tokenize.Tokenizer) with TEST_TERMS for the whole
    session: building a jieba dictionary takes seconds, so tests share this one."""
    from vectorstore.tokenize import Tokenizer

    return Tokenizer(TEST_TERMS)


@pytest.fixture(scope="session")
def embedder():
    """The default embedder (multilingual-e5-small), loaded once for the session."""
    from vectorstore.embeddings import Embedder

    emb = Embedder()
    emb.embed_query("政务服务")  # load now, so the first test using it is not charged for it
    return emb


@pytest.fixture(scope="session")
def _bundled_ingest(tmp_path_factory, zwqa_cli):
    """Return (Settings, report dict) of one `zwqa ingest --json` of the bundled corpus."""
    from vectorstore.settings import Settings

    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    proc = zwqa_cli.run(["ingest", "--json"], index_dir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # Explicit values for what the child's environment set, so in-process readers agree with it.
    settings = Settings(index_dir=index_dir, corpus_dir=BUNDLED_CORPUS, chroma_url="")
    return settings, report


@pytest.fixture(scope="session")
def bundled_index(_bundled_ingest):
    """The Settings of a real index of the bundled corpus (built once per session by
    `zwqa ingest` into a temporary folder; treat it as read-only)."""
    return _bundled_ingest[0]


@pytest.fixture(scope="session")
def bundled_ingest_report(_bundled_ingest) -> dict:
    """The JSON report `zwqa ingest --json` printed when bundled_index was built."""
    return _bundled_ingest[1]


@pytest.fixture(scope="session")
def llm_server():
    """The bundled GGUF served by llama.cpp (qa.llm_server), started once for the session and
    stopped at its end (fails with vectorstore.errors.LLMUnavailable when scripts/setup.sh has not run)."""
    from qa.llm_model import start_local_server
    from vectorstore.settings import Settings

    server = start_local_server(Settings(llm_path="", llm_base_url=""))
    yield server
    server.close()


@pytest.fixture(scope="session")
def chat_model(llm_server):
    """A ChatOpenAI client of the session's local server."""
    from qa.llm_model import build_chat_model
    from vectorstore.settings import Settings

    return build_chat_model(Settings(llm_base_url=""), local_url=llm_server.base_url)
