"""The command line's error boundary: bad settings, paths, encodings and a Chroma server that
vanishes mid-run end in one Chinese message and exit code 2 — never a traceback — and the
checks that need no model run before any model loads; `ask --batch` skips lines that are not
UTF-8 and never empties an earlier answers file."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.vectorstore.test_chroma_server import start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "hardening_corpus"
QUESTION = "热线紧急诉求多长时间内响应？"
OLD_ANSWERS = '{"id": "旧", "answer": "上次的回答"}\n'


def run(zwqa_cli, args, index_dir, extra_env=None, **kw):
    env = zwqa_cli.env(index_dir, SMALL)
    env.update(extra_env or {})
    return subprocess.run([*zwqa_cli.command, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600, **kw)


def assert_message(proc, *words):
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.startswith("错误："), proc.stderr[-2000:]
    for w in words:
        assert w in proc.stderr, proc.stderr[-2000:]


@pytest.mark.parametrize("name, value, reason", [
    ("ZWQA_CHUNK_SIZE", "abc", "应为整数"),
    ("ZWQA_CHUNK_SIZE", "5000", "应不大于 500"),
    ("ZWQA_CHUNK_OVERLAP", "-1", "应不小于 0"),
    ("ZWQA_TOP_K", "abc", "应为整数"),
    ("ZWQA_TOP_K", "0", "应不小于 1"),
    ("ZWQA_TOP_K", "-1", "应不小于 1"),
    ("ZWQA_CHROMA_URL", "ftp://x", "http://127.0.0.1:8000"),
])
@pytest.mark.slow
def test_bad_setting_is_named_before_anything_loads(zwqa_cli, tmp_path, name, value, reason):
    for command in (["ask", QUESTION], ["ingest"], ["list"]):
        proc = run(zwqa_cli, command, tmp_path / "index", {name: value})
        assert_message(proc, name, reason)
    assert not (tmp_path / "index").exists()  # nothing was opened or created


@pytest.mark.slow
def test_index_folder_that_is_a_file(zwqa_cli, tmp_path):
    blocker = tmp_path / "index"
    blocker.write_text("不是文件夹", encoding="utf-8")
    assert_message(run(zwqa_cli, ["ask", QUESTION], blocker), str(blocker))


@pytest.mark.parametrize("out, words", [
    ("missing/answers.jsonl", ["文件夹不存在"]),
    (".", ["是一个文件夹"]),
    ("/dev/full", ["不是普通文件"]),
])
@pytest.mark.slow
def test_unusable_out_is_refused_before_models_load(zwqa_cli, tmp_path, out, words):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "1", "question": QUESTION}, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    target = out if out.startswith("/") else str(tmp_path / out)
    # No index exists: a check made after opening the index would report that instead.
    proc = run(zwqa_cli, ["ask", "--batch", str(questions), "--out", target], tmp_path / "none")
    assert_message(proc, *words)


@pytest.mark.slow
def test_k_must_be_positive(zwqa_cli, tmp_path):
    proc = run(zwqa_cli, ["ask", QUESTION, "--k", "0"], tmp_path / "none")
    assert proc.returncode == 2 and "应不小于 1" in proc.stderr and "Traceback" not in proc.stderr


def test_fifo_is_not_called_missing(tmp_path):
    fifo = tmp_path / "管道.txt"
    os.mkfifo(fifo)
    from ingest.sources import expand_paths

    files, skipped = expand_paths([fifo])
    assert files == [] and skipped == [{"file": str(fifo), "reason": "不是普通文件（如管道或设备），未读取"}]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, zwqa_cli):
    index_dir = tmp_path_factory.mktemp("small") / "index"
    proc = run(zwqa_cli, ["ingest", str(SMALL)], index_dir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return index_dir


@pytest.mark.slow
def test_batch_skips_a_gbk_line_and_passes_history(zwqa_cli, small_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    lines = [
        json.dumps({"id": "1", "question": QUESTION}, ensure_ascii=False).encode(),
        json.dumps({"id": "2", "question": "企业开办时间压缩到几个工作日？"}, ensure_ascii=False).encode("gbk"),
        json.dumps({"id": "3", "question": "那它的时限呢？",
                    "history": [["便民热线的紧急诉求怎么处理？", "紧急诉求优先转办。"]]},
                   ensure_ascii=False).encode(),
        json.dumps({"id": "4", "question": QUESTION, "history": "不是列表"}, ensure_ascii=False).encode(),
    ]
    questions.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "answers.jsonl"
    out.write_text(OLD_ANSWERS, encoding="utf-8")
    proc = run(zwqa_cli, ["ask", "--batch", str(questions), "--out", str(out)], small_index)
    assert proc.returncode == 1, proc.stderr[-3000:]  # lines were skipped
    assert "Traceback" not in proc.stderr
    assert "第 2 行：不是 UTF-8 编码" in proc.stderr and "第 4 行：history" in proc.stderr
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in answers] == ["1", "3"]
    assert answers[1]["rewritten"] and "热线" in answers[1]["rewritten"]  # history was used
    assert not list(tmp_path.glob(".answers.jsonl.*"))  # no temporary file left


@pytest.mark.slow
def test_chroma_server_gone_mid_batch_keeps_the_old_answers(zwqa_cli, tmp_path):
    server, url = start_server(tmp_path / "db")
    try:
        index_dir = tmp_path / "index"
        proc = run(zwqa_cli, ["ingest", str(SMALL)], index_dir, {"ZWQA_CHROMA_URL": url})
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = tmp_path / "answers.jsonl"
        out.write_text(OLD_ANSWERS, encoding="utf-8")
        env = zwqa_cli.env(index_dir, SMALL)
        env["ZWQA_CHROMA_URL"] = url
        reader = subprocess.Popen([*zwqa_cli.command, "ask", "--batch", "-", "--out", str(out)],
                                  env=env, cwd=ROOT, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        reader.stdin.write(json.dumps({"id": "1", "question": QUESTION}, ensure_ascii=False) + "\n")
        reader.stdin.flush()
        partial = tmp_path / "answers.jsonl.partial"
        temporary = lambda: [p for p in tmp_path.glob(".answers.jsonl.*") if p.stat().st_size]  # noqa: E731
        for _ in range(600):  # wait until the first answer is written
            if temporary() or reader.poll() is not None:
                break
            subprocess.run(["sleep", "0.5"])
        assert temporary(), reader.stderr.read()[-3000:]
    finally:
        stop_server(server)
    reader.stdin.write(json.dumps({"id": "2", "question": QUESTION}, ensure_ascii=False) + "\n")
    reader.stdin.close()
    err = reader.stderr.read()
    assert reader.wait(timeout=300) == 2, err[-3000:]
    assert "Traceback" not in err and "Chroma 服务器" in err, err[-3000:]
    assert out.read_text(encoding="utf-8") == OLD_ANSWERS
    assert [json.loads(x)["id"] for x in partial.read_text(encoding="utf-8").splitlines()] == ["1"]


@pytest.mark.slow
def test_list_on_missing_index_is_a_message(zwqa_cli, tmp_path):
    assert_message(run(zwqa_cli, ["list"], tmp_path / "none"), "zwqa ingest")
    shutil.rmtree(tmp_path / "none", ignore_errors=True)


@pytest.mark.slow
def test_list_reads_the_summary_not_the_catalog(zwqa_cli, small_index, tmp_path, monkeypatch, capsys):
    import vectorstore.catalog
    from ui.cli import main

    monkeypatch.setenv("ZWQA_INDEX_DIR", str(small_index))
    assert main(["list", "--json"]) == 0
    from_catalog = capsys.readouterr().out
    copy = tmp_path / "index"
    shutil.copytree(small_index, copy)
    (next(copy.glob("state/*")) / "documents.json").unlink()  # an index from before summaries
    monkeypatch.setenv("ZWQA_INDEX_DIR", str(copy))
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out == from_catalog
    assert len(from_catalog.splitlines()) == 3

    def unread(text):
        raise AssertionError("zwqa list parsed the whole catalog")

    monkeypatch.setattr(vectorstore.catalog, "catalog_from_json", unread)
    monkeypatch.setenv("ZWQA_INDEX_DIR", str(small_index))
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out == from_catalog
