"""Evaluation metrics: evidence matching, hit@k, MRR, refusals, citation precision, keywords."""
import pytest

from evaluation.metrics import (
    EvalQuestion,
    evidence_in,
    first_relevant_rank,
    hit_at,
    is_relevant,
    keyword_hits,
    mrr_at,
    score_question,
    summarise,
    summarise_by_type,
)
from vectorstore.records import Answer, Chunk, Citation, ScoredChunk


def chunk(cid, text, doc_id="d1", also_in_ids=()):
    return Chunk(id=cid, doc_id=doc_id, title="在县政务服务中心工作会议上讲话（篇一）", section_path="",
                 paragraph=0, start=0, end=len(text), text=text, also_in_ids=also_in_ids)


HIT = chunk("h", "在管理上，窗口工作人员不转行政、工资关系，只转党团组织关系，日常工作接受县政务服务中心管理。")
OTHER = chunk("o", "推行“321608”审批机制，使企业开办全流程时限压缩至1个工作日。", doc_id="d2")
NOISE = chunk("n", "坚持以人民为中心的发展思想。", doc_id="d3")
# The dev set copies evidence with half-width punctuation and stray spaces.
Q = EvalQuestion(id="q1", type="paraphrase", question="派到窗口的人要转工资关系吗？",
                 evidence="窗口工作人员不转行政、工资关系, 只转党团组织关系",
                 keywords=("工资关系", "党团组织关系"))
UNANSWERABLE = EvalQuestion(id="q2", type="unanswerable", question="住房公积金贷款的最高额度是多少？")


def ranked(*chunks):
    return [ScoredChunk(c, score=1.0 - i / 10) for i, c in enumerate(chunks)]


def test_evidence_matches_across_punctuation_width_and_spaces():
    assert evidence_in(HIT.text, Q.evidence)
    assert evidence_in("窗口工作人员不转行政、工资关系，只转党团 组织关系", Q.evidence)
    assert not evidence_in(OTHER.text, Q.evidence)
    # Half of the evidence is not the evidence.
    assert not evidence_in("窗口工作人员不转行政、工资关系", Q.evidence)
    assert not evidence_in(HIT.text, "")


def test_context_questions_match_by_context_including_merged_repeats():
    q = EvalQuestion(id="c", question="…", context_id="d2")
    assert is_relevant(q, OTHER)
    assert not is_relevant(q, HIT)
    assert is_relevant(q, chunk("m", "重复的段落", doc_id="d9", also_in_ids=("d2",)))


def test_first_relevant_rank():
    assert first_relevant_rank(Q, ranked(NOISE, OTHER, HIT)) == 3
    assert first_relevant_rank(Q, ranked(HIT, NOISE)) == 1
    assert first_relevant_rank(Q, ranked(NOISE, OTHER)) is None
    assert first_relevant_rank(Q, []) is None


def test_hit_and_mrr():
    ranks = [1, 3, None, 12]
    assert hit_at(ranks, 1) == pytest.approx(0.25)
    assert hit_at(ranks, 3) == pytest.approx(0.5)
    assert hit_at(ranks, 20) == pytest.approx(0.75)
    assert mrr_at(ranks, 10) == pytest.approx((1 + 1 / 3) / 4)
    assert hit_at([], 1) is None and mrr_at([]) is None


def test_keyword_hits_normalise_both_sides():
    assert keyword_hits("只转党团组织关系，不转工资关系。", ["工资关系", "党团 组织关系", "编制"]) == (2, 3)
    assert keyword_hits("ＡＢ角制度", ["ab角"]) == (0, 1)  # letters fold to half-width, not case
    assert keyword_hits("AB角制度", ["AB角"]) == (1, 1)
    assert keyword_hits("任何文字", []) == (0, 0)


def test_score_of_a_retrieval_only_run_has_no_answer_figures():
    s = score_question(Q, ranked(NOISE, HIT))
    assert s.rank == 2 and s.answerable and s.refused is None
    out = summarise([s])
    assert out["hit@1"] == 0.0 and out["hit@3"] == 1.0 and out["mrr@10"] == 0.5
    assert out["false_refusal"] is None and out["citation_precision"] is None
    assert out["source_cited"] is None
    assert out["keyword_coverage"] is None


def test_citation_precision_counts_citations_of_non_refused_answers():
    good = Answer(question=Q.question, text="“只转党团组织关系”[1]",
                  citations=[Citation(1, HIT), Citation(2, OTHER)], retrieved=ranked(HIT, OTHER))
    s = score_question(Q, good.retrieved, good)
    assert (s.citations, s.cited_relevant) == (2, 1)
    assert s.keywords_found == 1 and s.keywords_total == 2
    refused = Answer(question=Q.question, text="资料中未找到", refused=True,
                     citations=[Citation(1, OTHER)], retrieved=ranked(OTHER))
    r = score_question(Q, refused.retrieved, refused)
    assert r.citations == 0  # a refusal's citations are not claims
    out = summarise([s, r])
    assert out["citation_precision"] == pytest.approx(0.5)
    assert out["source_cited"] == 1.0  # the one answer cites the relevant passage
    assert out["false_refusal"] == pytest.approx(0.5)
    assert out["keyword_coverage"] == pytest.approx(0.25)  # (1/2 + 0/2) / 2, refusal included


def test_refusal_recall_and_false_refusal_by_type():
    refused = Answer(question=UNANSWERABLE.question, text="资料中未找到", refused=True,
                     retrieved=ranked(NOISE))
    answered = Answer(question=UNANSWERABLE.question, text="最高额度是……", retrieved=ranked(NOISE),
                      citations=[Citation(1, NOISE)])
    other = EvalQuestion(id="q3", type="unanswerable", question="浙里办有多少注册用户？")
    ok = Answer(question=Q.question, text="不转工资关系，只转党团组织关系。",
                citations=[Citation(1, HIT)], retrieved=ranked(HIT))
    scores = [score_question(UNANSWERABLE, refused.retrieved, refused),
              score_question(other, answered.retrieved, answered),
              score_question(Q, ok.retrieved, ok)]
    # An unanswerable question has no target: its retrieval and citations are not scored.
    assert scores[1].rank is None and scores[1].citations == 0
    out = summarise(scores)
    assert out["n"] == 3 and out["answerable"] == 1
    assert out["refusal_recall"] == pytest.approx(0.5)
    assert out["false_refusal"] == 0.0
    assert out["citation_precision"] == 1.0
    assert out["source_cited"] == 1.0
    assert out["keyword_coverage"] == 1.0
    by_type = summarise_by_type(scores)
    assert list(by_type) == ["unanswerable", "paraphrase"]
    assert by_type["unanswerable"]["hit@1"] is None
    assert by_type["unanswerable"]["refusal_recall"] == pytest.approx(0.5)
    assert by_type["paraphrase"]["hit@1"] == 1.0 and by_type["paraphrase"]["refusal_recall"] is None


def test_reference_answers_found_in_the_answer_text():
    q = EvalQuestion(id="x", question="哪两个公司合作开发？", context_id="d1",
                     answers=("光荣和ω-force", "光荣"))
    a = Answer(question=q.question, text="由光荣和ω-force开发。", retrieved=ranked(HIT))
    s = score_question(q, a.retrieved, a)
    assert s.answer_found is True and s.rank == 1
    miss = Answer(question=q.question, text="资料中未找到", refused=True)
    assert score_question(q, [], miss).answer_found is False
    assert summarise([s, score_question(q, [], miss)])["answer_found"] == pytest.approx(0.5)


def test_per_type_figures_follow_each_type_with_its_kinds():
    refused = Answer(question="？", text="资料中未找到", refused=True)
    answered = Answer(question="？", text="见原文。", citations=[Citation(1, NOISE)])
    questions = [
        (EvalQuestion(id="u1", type="unanswerable", kind="near_miss", question="惠企通哪年上线？"), answered),
        (EvalQuestion(id="u2", type="unanswerable", kind="off_topic", question="明天下雨吗？"), refused),
        (EvalQuestion(id="u3", type="unanswerable", kind="near_miss", question="稿酬多少钱？"), refused),
        (EvalQuestion(id="p1", type="paraphrase", split="test", question="派到窗口的人转工资吗？",
                      evidence="不转行政、工资关系"), refused),
    ]
    scores = [score_question(q, [], a) for q, a in questions]
    assert [(s.kind, s.split) for s in scores][2:] == [("near_miss", ""), ("", "test")]
    by_type = summarise_by_type(scores)
    assert list(by_type) == ["unanswerable", "unanswerable:near_miss", "unanswerable:off_topic",
                             "paraphrase"]
    assert by_type["unanswerable:near_miss"]["refusal_recall"] == pytest.approx(0.5)
    assert by_type["unanswerable:off_topic"]["refusal_recall"] == 1.0
    assert by_type["unanswerable"]["n"] == 3
    assert by_type["paraphrase"]["false_refusal"] == 1.0


def test_source_cited_is_the_share_of_answers_citing_a_relevant_passage():
    wrong = Answer(question=Q.question, text="“……”[1]", citations=[Citation(1, OTHER)],
                   retrieved=ranked(OTHER, HIT))
    right = Answer(question=Q.question, text="“……”[1]“……”[2]",
                   citations=[Citation(1, HIT), Citation(2, OTHER)], retrieved=ranked(HIT, OTHER))
    out = summarise([score_question(Q, wrong.retrieved, wrong),
                     score_question(Q, right.retrieved, right)])
    assert out["source_cited"] == pytest.approx(0.5)
    assert out["citation_precision"] == pytest.approx(1 / 3)
