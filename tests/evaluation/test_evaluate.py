"""What `zwqa eval` reads and when it refuses to start: the source files, the split and the
question selection (all decided before any model or index is opened)."""
import json

import pytest

from evaluation.evaluate import EvalRequest, evaluate
from evaluation.sources import DATASETS, EXTERNAL_DIR, EvalRefused, find_sources
from tests.conftest import PROJECT_ROOT
from vectorstore.settings import Settings


def write_lines(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in rows), encoding="utf-8")
    return path


def test_the_shared_data_is_looked_for_beside_the_repository():
    assert EXTERNAL_DIR == PROJECT_ROOT.parent / "shared" / "data" / "external"


def test_a_question_file_alone_is_asked_of_the_committed_index(tmp_path):
    questions = write_lines(tmp_path / "dev.jsonl", [{"id": "q1", "question": "什么是一窗受理？"}])
    sources = find_sources(questions)
    assert (sources.questions, sources.contexts, sources.default_type) == (questions, None, "")


def test_a_contexts_file_gives_its_questions_their_file_name_as_type(tmp_path):
    questions = write_lines(tmp_path / "cmrc_dev.jsonl", [{"id": "q1", "question": "问？"}])
    contexts = write_lines(tmp_path / "contexts.jsonl", [{"context_id": "c1", "text": "段落。"}])
    sources = find_sources(questions, contexts)
    assert (sources.contexts, sources.default_type) == (contexts, "cmrc_dev")


def test_a_data_set_is_read_from_its_folder_under_the_external_folder(tmp_path):
    folder = tmp_path / DATASETS["ncp"]
    folder.mkdir()
    write_lines(folder / "questions.jsonl", [{"id": "q1", "question": "问？"}])
    write_lines(folder / "contexts.jsonl", [{"context_id": "c1", "text": "段落。"}])
    sources = find_sources(dataset="ncp", external_dir=tmp_path)
    assert sources.questions == folder / "questions.jsonl"
    assert sources.contexts == folder / "contexts.jsonl"
    assert sources.default_type == "ncp"
    with pytest.raises(EvalRefused, match="--external-dir"):
        find_sources(dataset="cmrc2018", external_dir=tmp_path)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(EvalRefused, match="请给出问题文件"):
        find_sources()
    with pytest.raises(EvalRefused, match="问题文件不存在"):
        find_sources(tmp_path / "nope.jsonl")
    questions = write_lines(tmp_path / "q.jsonl", [{"id": "q1", "question": "问？"}])
    with pytest.raises(EvalRefused, match="段落文件不存在"):
        find_sources(questions, tmp_path / "nope-contexts.jsonl")


def test_a_split_the_file_does_not_have_is_refused(tmp_path):
    questions = write_lines(tmp_path / "q.jsonl", [{"id": "q1", "question": "问？", "split": "tune"}])
    with pytest.raises(EvalRefused, match="没有 test 划分"):
        evaluate(EvalRequest(questions=questions, split="test"), Settings(index_dir=tmp_path / "i"))


def test_skipped_lines_are_reported_and_no_question_left_is_refused(tmp_path):
    questions = write_lines(tmp_path / "q.jsonl", ["{not json", {"id": "q2"}])
    warned = []
    with pytest.raises(EvalRefused, match="没有可评测的问题"):
        evaluate(EvalRequest(questions=questions), Settings(index_dir=tmp_path / "i"),
                 warn=warned.append)
    assert [w.split("：")[0] for w in warned] == [f"{questions} 第 1 行", f"{questions} 第 2 行"]
    assert all(w.endswith("，已跳过") for w in warned)
