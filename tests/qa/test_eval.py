"""Evaluation runs: question files, sampling, running systems, the report and its table."""
import json

from qa.eval import (
    build_report,
    format_report,
    format_table,
    load_eval_questions,
    run_answerer,
    run_retriever,
    sample_questions,
)
from qa.metrics import EvalQuestion
from qa.question import InvalidQuestion, clean_question
from vectorstore.records import Answer, Chunk, Citation, ScoredChunk


def chunk(cid, text, doc_id="d1"):
    return Chunk(id=cid, doc_id=doc_id, title="讲话", section_path="", paragraph=0, start=0,
                 end=len(text), text=text)


HIT = chunk("h", "窗口工作人员不转行政、工资关系，只转党团组织关系。")
NOISE = chunk("n", "坚持以人民为中心的发展思想。", doc_id="d2")
QUESTIONS = [
    EvalQuestion(id="q1", type="paraphrase", question="窗口人员转工资关系吗？",
                 evidence="不转行政、工资关系", keywords=("工资关系",)),
    EvalQuestion(id="q2", type="unanswerable", question="公积金最高贷多少？"),
    EvalQuestion(id="q3", type="fact", question="？？？", evidence="以人民为中心"),
]


class FakeRetriever:
    """Puts the passage holding the question's first character pair second, if any."""

    def retrieve(self, query, k, filters=None):
        hits = [NOISE, HIT] if "窗口" in query else [HIT, NOISE]
        return [ScoredChunk(c, score=1.0 - i / 10) for i, c in enumerate(hits)][:k]


class FakeAnswerer:
    def answer(self, question, history=(), mode=None, filters=None, k=None):
        q = clean_question(question)
        retrieved = FakeRetriever().retrieve(q, 10)
        if "公积金" in q:
            return Answer(question=q, text="资料中未找到", refused=True, retrieved=retrieved,
                          timings_ms={"retrieve": 4.0, "total": 5.0})
        return Answer(question=q, text="不转工资关系。", citations=[Citation(1, HIT)],
                      retrieved=retrieved, timings_ms={"retrieve": 2.0, "total": 3.0})


def test_load_questions_keeps_good_lines_and_reports_bad_ones(tmp_path):
    path = tmp_path / "q.jsonl"
    lines = [
        json.dumps({"id": "dev-1", "type": "fact", "question": "321608是什么？", "evidence": "3个工作日",
                    "keywords": ["企业开办"]}, ensure_ascii=False),
        "{oops",
        json.dumps({"id": "DEV_0_QUERY_0", "question": "谁开发的？", "answers": ["光荣", "光荣公司"],
                    "answers_in_context": ["光荣"], "context_id": "DEV_0"}, ensure_ascii=False),
        json.dumps({"question": "没有编号"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    questions, bad = load_eval_questions(path, default_type="cmrc2018")
    assert [b.line_no for b in bad] == [2, 4]
    dev, cmrc = questions
    assert dev.type == "fact" and dev.keywords == ("企业开办",) and dev.context_id is None
    assert cmrc.type == "cmrc2018" and cmrc.context_id == "DEV_0" and cmrc.answers == ("光荣",)


def test_sampling_is_reproducible_and_keeps_file_order():
    qs = [EvalQuestion(id=str(i), question=f"问题{i}") for i in range(50)]
    a = sample_questions(qs, 10, seed=0)
    assert a == sample_questions(qs, 10, seed=0)
    assert a != sample_questions(qs, 10, seed=1)
    assert [int(q.id) for q in a] == sorted(int(q.id) for q in a)
    assert len({q.id for q in a}) == 10
    assert sample_questions(qs, None) == qs and sample_questions(qs, 80) == qs


def test_answer_run_scores_answers_and_survives_invalid_questions():
    with_progress = []
    run = run_answerer("zwqa", FakeAnswerer(), QUESTIONS,
                       progress=lambda d, t: with_progress.append((d, t)))
    assert with_progress[-1] == (3, 3)
    assert [s.rank for s in run.scores] == [2, None, None]
    assert [s.refused for s in run.scores] == [False, True, True]  # q3 is not a question
    assert run.lines[2]["refused"] and run.lines[2]["answer"] == _invalid_message("？？？")
    assert run.lines[0]["score"]["rank"] == 2 and run.lines[0]["id"] == "q1"
    assert run.timings_ms == {"retrieve": 3.0, "total": 4.0}


def _invalid_message(q):
    try:
        clean_question(q)
    except InvalidQuestion as e:
        return str(e)
    raise AssertionError("expected an invalid question")


def test_report_and_table_show_every_system_and_type():
    runs = [run_answerer("zwqa", FakeAnswerer(), QUESTIONS[:2]),
            run_retriever("bm25", FakeRetriever(), QUESTIONS[:2])]
    report = build_report(runs, {"问题": "q.jsonl"})
    zwqa, bm25 = report["systems"]["zwqa"], report["systems"]["bm25"]
    assert zwqa["overall"]["hit@1"] == 0.0 and zwqa["overall"]["hit@3"] == 1.0
    assert zwqa["overall"]["refusal_recall"] == 1.0
    assert bm25["kind"] == "retrieval" and bm25["overall"]["refusal_recall"] is None
    assert json.loads(json.dumps(report)) == report
    text = format_report(report)
    assert "拒答召回" in text and "paraphrase" in text and "unanswerable" in text
    assert "检索对比" in text and "bm25" in text


def test_table_aligns_chinese_by_display_width():
    text = format_table(["题型", "题数"], [["全部", "78"], ["fact", "9"]])
    lines = text.splitlines()
    # "题型" is as wide as four ASCII characters, so the number columns line up on the right.
    assert len({len(line.encode("gbk")) for line in lines}) == 1
