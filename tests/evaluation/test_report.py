"""The `zwqa eval` report: per-type, per-kind and per-split figures and the printed tables."""
import json

from evaluation.metrics import EvalQuestion
from evaluation.report import build_report, format_paired_table, format_report, format_table
from evaluation.runs import run_answerer, run_retriever
from qa.question import clean_question
from vectorstore.records import Answer, Chunk, Citation, ScoredChunk


def chunk(cid, text, doc_id="d1"):
    return Chunk(id=cid, doc_id=doc_id, title="讲话", section_path="", paragraph=0, start=0,
                 end=len(text), text=text)


HIT = chunk("h", "窗口工作人员不转行政、工资关系，只转党团组织关系。")
NOISE = chunk("n", "坚持以人民为中心的发展思想。", doc_id="d2")


class FakeRetriever:
    """Ranks the passage about 窗口 second when the question mentions 窗口, else first."""

    def retrieve(self, query, k, filters=None):
        hits = [NOISE, HIT] if "窗口" in query else [HIT, NOISE]
        return [ScoredChunk(c, score=1.0 - i / 10) for i, c in enumerate(hits)][:k]


class FakeAnswerer:
    """Refuses questions about 公积金 or 天气, quotes HIT otherwise."""

    def answer(self, question, history=(), mode=None, filters=None, k=None):
        q = clean_question(question)
        retrieved = FakeRetriever().retrieve(q, 10)
        if "公积金" in q or "天气" in q:
            return Answer(question=q, text="资料中未找到", refused=True, retrieved=retrieved,
                          timings_ms={"total": 5.0})
        return Answer(question=q, text="不转工资关系。", citations=[Citation(1, HIT)],
                      retrieved=retrieved, timings_ms={"total": 3.0})


PLAIN = [
    EvalQuestion(id="q1", type="paraphrase", question="窗口人员转工资关系吗？",
                 evidence="不转行政、工资关系", keywords=("工资关系",)),
    EvalQuestion(id="q2", type="unanswerable", question="公积金最高贷多少？"),
]
SPLIT = [
    EvalQuestion(id="a-001", type="paraphrase", split="tune", question="窗口人员转工资关系吗？",
                 evidence="不转行政、工资关系", keywords=("工资关系",)),
    EvalQuestion(id="a-002", type="paraphrase", split="test", question="工资关系要转过去吗？",
                 evidence="不转行政、工资关系", keywords=("工资关系",)),
    EvalQuestion(id="a-003", type="unanswerable", kind="near_miss", split="test",
                 question="窗口人员补贴每月多少元？"),
    EvalQuestion(id="a-004", type="unanswerable", kind="off_topic", split="test",
                 question="明天天气怎么样？"),
    EvalQuestion(id="a-005", type="unanswerable", kind="off_topic", split="tune",
                 question="公积金最高贷多少？"),
]


def test_report_and_table_show_every_system_and_type():
    runs = [run_answerer("zwqa", FakeAnswerer(), PLAIN), run_retriever("bm25", FakeRetriever(), PLAIN)]
    report = build_report(runs, {"问题": "q.jsonl"})
    zwqa, bm25 = report["systems"]["zwqa"], report["systems"]["bm25"]
    assert zwqa["overall"]["hit@1"] == 0.0 and zwqa["overall"]["hit@3"] == 1.0
    assert zwqa["overall"]["refusal_recall"] == 1.0
    assert zwqa["splits"] == {}
    assert bm25["kind"] == "retrieval" and bm25["overall"]["refusal_recall"] is None
    assert json.loads(json.dumps(report)) == report
    text = format_report(report)
    assert "拒答召回" in text and "paraphrase" in text and "unanswerable" in text
    assert "tune" not in text
    assert "检索对比" in text and "bm25" in text


def test_report_has_tune_and_test_figures_per_type_and_kind():
    report = build_report([run_answerer("zwqa", FakeAnswerer(), SPLIT)])
    splits = report["systems"]["zwqa"]["splits"]
    assert list(splits) == ["tune", "test"]
    tune, test = splits["tune"], splits["test"]
    assert tune["n"] == 2 and test["n"] == 3
    assert tune["overall"]["hit@1"] == 0.0 and test["overall"]["hit@1"] == 1.0
    assert test["by_type"]["unanswerable:near_miss"]["refusal_recall"] == 0.0
    assert test["by_type"]["unanswerable:off_topic"]["refusal_recall"] == 1.0
    assert "unanswerable:near_miss" not in tune["by_type"]
    assert report["systems"]["zwqa"]["by_type"]["paraphrase"]["false_refusal"] == 0.0


def test_split_table_puts_tune_and_test_side_by_side():
    text = format_report(build_report([run_answerer("zwqa", FakeAnswerer(), SPLIT)]))
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("题型"))
    assert "误拒率" in lines[header] and "拒答召回" in lines[header]
    assert lines[header + 1].split()[:4] == ["tune", "test", "tune", "test"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[header + 2:]}
    assert rows["全部"][:2] == ["2", "3"]
    assert rows["near_miss"][:2] == ["0", "1"]  # kinds are rows under unanswerable
    assert "off_topic" in rows and "paraphrase" in rows


def test_paired_table_centres_labels_over_their_columns():
    text = format_paired_table("题型", ["hit@5", "拒答召回"], ["tune", "test"],
                               [("全部", [["0.950", "0.900"], ["0.800", "0.700"]])])
    top, sub, row = text.splitlines()
    assert sub.split() == ["tune", "test", "tune", "test"]
    assert row.split() == ["全部", "0.950", "0.900", "0.800", "0.700"]
    assert len({len(line.encode("gbk")) for line in (sub, row)}) == 1
    # the second label sits over its own two columns, right of the first group's "test"
    label_start = len(top[:top.index("拒答召回")].encode("gbk"))
    assert label_start >= sub.index("test") + len("test") + 2
    assert label_start + len("拒答召回".encode("gbk")) <= len(sub)


def test_table_aligns_chinese_by_display_width():
    text = format_table(["题型", "题数"], [["全部", "78"], ["fact", "9"]])
    lines = text.splitlines()
    # "题型" is as wide as four ASCII characters, so the number columns line up on the right.
    assert len({len(line.encode("gbk")) for line in lines}) == 1
