"""A long-lived reader (`zwqa ask --batch -`, questions fed one at a time) keeps answering
while `zwqa ingest --rebuild` or an incremental ingest runs next to it: no error, every
question answered, and once the reader has moved on nothing of the old generation is left."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from qa.system import build_stores
from vectorstore.index import open_committed_index
from vectorstore.leases import Lease
from vectorstore.settings import Settings

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ingest_corpus"
QUESTIONS = ["政务服务中心进驻部门有多少个？", "一网通办的目标是什么？", "营商环境座谈会讲了什么？"]
ADDED = "04_新增讲话.txt"
ADDED_TEXT = ("在全市数据共享工作会议上的讲话\n发布时间：2024-03-01\n同志们：\n"
              "今天主要讲数据共享。全市已归集政务数据二十三亿条，共享接口调用量同比增长一倍。\n")


def ask_while(zwqa_cli, index_dir: Path, corpus: Path, ingest_args: list[str]) -> tuple[list[dict], str]:
    """Return the answer lines a batch reader gave while (and just after) one ingest ran, and
    what the ingest printed."""
    reader = zwqa_cli.popen(["ask", "--batch", "-"], index_dir, corpus, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    answers = []

    def ask(i: int) -> None:
        reader.stdin.write(json.dumps({"id": str(i), "question": QUESTIONS[i % 3]},
                                      ensure_ascii=False) + "\n")
        reader.stdin.flush()
        line = reader.stdout.readline()
        assert line, f"the reader died: {reader.wait() and reader.stderr.read()[-3000:]}"
        answers.append(json.loads(line))

    ask(0)  # the reader is up and holds the committed generation
    writer = zwqa_cli.popen(["ingest", *ingest_args, str(corpus)], index_dir, corpus,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    i = 1
    while writer.poll() is None:
        ask(i)
        i += 1
    out, err = writer.communicate()
    assert writer.returncode == 0, err[-3000:]
    for _ in range(3):  # after the commit: the reader moves to the new generation
        ask(i)
        i += 1
    reader.stdin.close()
    err = reader.stderr.read()
    assert reader.wait(timeout=120) == 0, err[-3000:]
    assert "Traceback" not in err and "错误" not in err, err[-3000:]
    assert i > 4  # questions were asked while the ingest ran
    return answers, out


def leftovers(index_dir: Path) -> tuple[list[str], list[str], list[str]]:
    """Return (collections, state folders, Chroma segment folders) in the index folder."""
    settings = Settings(index_dir=index_dir, chroma_url="")
    names = sorted(build_stores(settings, None).names())
    states = sorted(p.name for p in (index_dir / "state").iterdir())
    segments = sorted(p.name for p in (index_dir / "chroma").iterdir() if p.is_dir())
    return names, states, segments


@pytest.fixture
def indexed(tmp_path, zwqa_cli):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    index_dir = tmp_path / "index"
    proc = zwqa_cli.run(["ingest", str(corpus)], index_dir, corpus)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return index_dir, corpus


def test_reader_keeps_answering_during_a_rebuild(zwqa_cli, indexed):
    index_dir, corpus = indexed
    answers, printed = ask_while(zwqa_cli, index_dir, corpus, ["--rebuild"])
    assert all(a["answer"] and a["retrieved"] for a in answers)
    # Whether the reader still held generation 1 when the ingest cleaned up (then it removed
    # generation 1 itself when it moved on) depends on the few milliseconds between the commit
    # and the clean-up; either way nothing of generation 1 may be left.
    index = open_committed_index(index_dir)
    assert index.catalog.generation == 2
    names, states, segments = leftovers(index_dir)
    # The reader released generation 1 and removed it: one collection, one state, and the
    # Chroma folders of one collection only (each --rebuild used to leak one).
    assert names == ["speeches-g2"] and states == ["2"]
    assert len(segments) == 1


def test_reader_keeps_answering_during_an_incremental_ingest(zwqa_cli, indexed):
    index_dir, corpus = indexed
    (corpus / ADDED).write_text(ADDED_TEXT, encoding="utf-8")
    edited = corpus / "02_一网通办动员会讲话.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("一网通办", "一网通办（全程网办）", 3),
                      encoding="utf-8")
    answers, _ = ask_while(zwqa_cli, index_dir, corpus, [])
    assert all(a["answer"] and a["retrieved"] for a in answers)
    # Answers never mix generations: each cites passages of one committed state.
    index = open_committed_index(index_dir)
    assert any(d.title.startswith("在全市数据共享工作会议上") for d in index.documents())
    names, states, _ = leftovers(index_dir)
    assert names == ["speeches-g1"] and states == ["2"]


def test_a_held_generation_outlives_the_rebuild_and_goes_with_the_next_ingest(zwqa_cli, indexed):
    index_dir, corpus = indexed
    lease = Lease(index_dir, 1)  # a reader (the chat, say) still answering from generation 1
    proc = zwqa_cli.run(["ingest", "--rebuild", str(corpus)], index_dir, corpus)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "仍有提问进程在使用旧版本索引" in proc.stdout
    names, states, _ = leftovers(index_dir)
    assert names == ["speeches-g1", "speeches-g2"] and states == ["1", "2"]
    lease.release()
    # The next ingest (nothing to embed: it commits generation 3 on the same collection)
    # removes generation 1 as well.
    proc = zwqa_cli.run(["ingest", str(corpus)], index_dir, corpus)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "新嵌入 0 个" in proc.stdout and "仍有提问进程" not in proc.stdout
    names, states, segments = leftovers(index_dir)
    assert names == ["speeches-g2"] and states == ["3"] and len(segments) == 1
