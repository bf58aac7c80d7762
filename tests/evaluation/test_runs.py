"""Evaluation runs: question files, splits, sampling, running systems (the report and its
tables are tested in tests/evaluation/test_report.py)."""
import json

from evaluation.metrics import EvalQuestion
from evaluation.runs import (
    load_eval_questions,
    run_answerer,
    sample_questions,
    select_split,
    splits_of,
)
from qa.question import clean_question
from vectorstore.errors import InvalidQuestion
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
    def __init__(self):
        self.histories = []

    def answer(self, question, history=(), mode=None, filters=None, k=None):
        self.histories.append(list(history))
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


def test_labelled_lines_give_kind_split_and_history(tmp_path):
    path = tmp_path / "questions.jsonl"
    lines = [
        {"id": "a-001", "type": "followup", "kind": "", "question": "那它的时限呢？",
         "history": [["企业开办怎么办？", "3个工作日完成企业开办。"]], "evidence": "3个工作日完成企业开办",
         "keywords": ["3个工作日"], "split": "tune"},
        {"id": "a-002", "type": "unanswerable", "kind": "near_miss", "question": "惠企通哪年上线？",
         "history": [], "evidence": "", "keywords": [], "split": "test"},
        {"id": "a-003", "type": "fact", "question": "坏的历史", "history": [["只有一半"], "x"]},
    ]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    (follow, near, bad_history), bad = load_eval_questions(path)
    assert bad == []
    assert follow.history == (("企业开办怎么办？", "3个工作日完成企业开办。"),)
    assert follow.split == "tune" and follow.kind == ""
    assert near.kind == "near_miss" and near.split == "test" and near.history == ()
    assert bad_history.history == () and bad_history.split == ""
    assert splits_of([follow, near, bad_history]) == ["tune", "test"]
    assert select_split([follow, near], "test") == [near]
    assert select_split([follow, near], "all") == [follow, near] == select_split([follow, near], None)
    assert splits_of(QUESTIONS) == []


def test_answer_run_passes_history_and_records_kind_and_split():
    questions = [
        EvalQuestion(id="f1", type="followup", question="那窗口人员呢？", split="tune",
                     evidence="不转行政、工资关系", history=(("窗口怎么管？", "由中心管理。"),)),
        EvalQuestion(id="u1", type="unanswerable", kind="near_miss", split="test",
                     question="公积金最高贷多少？"),
    ]
    answerer = FakeAnswerer()
    run = run_answerer("zwqa", answerer, questions)
    assert answerer.histories == [[("窗口怎么管？", "由中心管理。")], []]
    assert [(s.kind, s.split) for s in run.scores] == [("", "tune"), ("near_miss", "test")]
    assert run.lines[1]["score"]["kind"] == "near_miss" and run.lines[0]["score"]["split"] == "tune"
