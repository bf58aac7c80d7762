"""Scores answers and retrieved passages against an evaluation question set (pure functions).

A question is judged either by its `evidence` (a retrieved chunk is relevant when it contains
the evidence, both compared after vectorstore.text.normalize_for_match) or, for external data
sets, by its `context_id` (relevant when the chunk comes from that context).

    score = score_question(question, answer.retrieved, answer)   # or retrieved only
    report = summarise(scores)            # {"n": 78, "hit@1": 0.61, ...}
    by_type = summarise_by_type(scores)   # {"fact": {...}, ...}
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vectorstore.records import Answer, Chunk, ScoredChunk
from vectorstore.text import normalize_for_match

UNANSWERABLE = "unanswerable"
HIT_KS = (1, 3, 5)
MRR_K = 10
# The figures of a summary, in the order tables show them.
RETRIEVAL_METRICS = ("hit@1", "hit@3", "hit@5", "mrr@10")
ANSWER_METRICS = ("refusal_recall", "false_refusal", "citation_precision", "source_cited",
                  "keyword_coverage", "answer_found")


@dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation set, with what a correct retrieval or answer contains."""

    id: str
    question: str
    type: str = ""
    evidence: str = ""  # verbatim source text a relevant chunk must contain
    keywords: tuple[str, ...] = ()  # words a correct answer should contain
    context_id: str | None = None  # external data: the context a relevant chunk comes from
    answers: tuple[str, ...] = ()  # external data: reference answer strings
    kind: str = ""  # unanswerable questions: "off_topic", "near_miss" or "redacted"
    split: str = ""  # "tune" or "test" in the labelled set, "" elsewhere
    history: tuple[tuple[str, str], ...] = ()  # follow-ups: the earlier (question, answer) turns

    @property
    def unanswerable(self) -> bool:
        return self.type == UNANSWERABLE

    @property
    def answerable(self) -> bool:
        """Return True when the question has a target that retrieval can be scored against."""
        return not self.unanswerable and bool(self.context_id or self.evidence.strip())


@dataclass(frozen=True)
class QuestionScore:
    """How one system did on one question; answer fields are None for retrieval-only runs."""

    id: str
    type: str
    answerable: bool
    unanswerable: bool
    rank: int | None  # 1-based rank of the first relevant retrieved chunk, None if none
    refused: bool | None = None
    citations: int = 0  # citations of a non-refused answer
    cited_relevant: int = 0  # of those, citations whose chunk is relevant
    keywords_found: int = 0
    keywords_total: int = 0
    answer_found: bool | None = None  # a reference answer string occurs in the answer text
    kind: str = ""  # the question's kind (unanswerable questions)
    split: str = ""  # the question's split


def evidence_in(text: str, evidence: str) -> bool:
    """Return True if evidence occurs in text once both are normalised for matching."""
    needle = normalize_for_match(evidence)
    return bool(needle) and needle in normalize_for_match(text)


def is_relevant(question: EvalQuestion, chunk: Chunk) -> bool:
    """Return True if the chunk answers the question: from its context, or holding its evidence.

    A chunk merged from passages repeated in several documents counts for each of them."""
    if question.context_id:
        return question.context_id in (chunk.doc_id, *chunk.also_in_ids)
    return evidence_in(chunk.text, question.evidence)


def first_relevant_rank(question: EvalQuestion, retrieved: Sequence[ScoredChunk]) -> int | None:
    """Return the 1-based rank of the first relevant chunk in retrieved, or None."""
    for rank, hit in enumerate(retrieved, start=1):
        if is_relevant(question, hit.chunk):
            return rank
    return None


def keyword_hits(text: str, keywords: Iterable[str]) -> tuple[int, int]:
    """Return (keywords found in text, keywords given), both sides normalised for matching."""
    norm = normalize_for_match(text)
    words = [normalize_for_match(k) for k in keywords]
    words = [w for w in words if w]
    return sum(1 for w in words if w in norm), len(words)


def score_question(
    question: EvalQuestion, retrieved: Sequence[ScoredChunk], answer: Answer | None = None
) -> QuestionScore:
    """Return the score of one question from the retrieved chunks and, if given, the answer."""
    rank = first_relevant_rank(question, retrieved) if question.answerable else None
    if answer is None:
        return QuestionScore(question.id, question.type, question.answerable,
                             question.unanswerable, rank, kind=question.kind, split=question.split)
    cited = relevant = 0
    if not answer.refused and question.answerable:
        cited = len(answer.citations)
        relevant = sum(1 for c in answer.citations if is_relevant(question, c.chunk))
    found, total = keyword_hits(answer.text, question.keywords)
    answer_found = None
    if question.answers:
        answer_found = any(evidence_in(answer.text, a) for a in question.answers)
    return QuestionScore(
        question.id, question.type, question.answerable, question.unanswerable, rank,
        refused=answer.refused, citations=cited, cited_relevant=relevant,
        keywords_found=found, keywords_total=total, answer_found=answer_found,
        kind=question.kind, split=question.split,
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Return the share of ranks that are at most k (None counts as a miss); None if empty."""
    return _mean([1.0 if r is not None and r <= k else 0.0 for r in ranks])


def mrr_at(ranks: Sequence[int | None], k: int = MRR_K) -> float | None:
    """Return the mean reciprocal rank, counting ranks beyond k as 0; None if empty."""
    return _mean([1.0 / r if r is not None and r <= k else 0.0 for r in ranks])


def summarise(scores: Sequence[QuestionScore]) -> dict:
    """Return the figures of a set of scores; a figure without any question to count is None.

    hit@k and mrr@10 count answerable questions. refusal_recall is the share of unanswerable
    questions refused, false_refusal the share of answerable ones refused. citation_precision
    is the share of the citations of non-refused answers to answerable questions whose chunk
    is relevant, source_cited the share of those answers citing at least one relevant chunk
    (precision alone rises by citing less). keyword_coverage is the mean share of each
    question's keywords found in its answer (refused answers included), answer_found the share
    of questions with reference answers whose answer text contains one of them.
    """
    answerable = [s for s in scores if s.answerable]
    ranks = [s.rank for s in answerable]
    out: dict = {"n": len(scores), "answerable": len(answerable)}
    for k in HIT_KS:
        out[f"hit@{k}"] = hit_at(ranks, k)
    out[f"mrr@{MRR_K}"] = mrr_at(ranks, MRR_K)
    answered = [s for s in scores if s.refused is not None]
    out["refusal_recall"] = _mean([float(s.refused) for s in answered if s.unanswerable])
    out["false_refusal"] = _mean([float(s.refused) for s in answered if s.answerable])
    cited = sum(s.citations for s in answered)
    out["citation_precision"] = sum(s.cited_relevant for s in answered) / cited if cited else None
    out["source_cited"] = _mean([float(s.cited_relevant > 0) for s in answered
                                 if s.answerable and not s.refused])
    out["keyword_coverage"] = _mean(
        [s.keywords_found / s.keywords_total for s in answered if s.answerable and s.keywords_total])
    out["answer_found"] = _mean(
        [float(s.answer_found) for s in answered if s.answerable and s.answer_found is not None])
    return out


def summarise_by_type(scores: Sequence[QuestionScore]) -> dict[str, dict]:
    """Return summarise() of each question type, types in order of first appearance; a type
    whose questions have kinds (the unanswerable ones) is followed by one "type:kind" entry
    per kind, e.g. "unanswerable:near_miss"."""
    groups: dict[str, list[QuestionScore]] = {}
    for s in scores:
        groups.setdefault(s.type or "—", []).append(s)
    out = {}
    for t, group in groups.items():
        out[t] = summarise(group)
        kinds: dict[str, list[QuestionScore]] = {}
        for s in group:
            if s.kind:
                kinds.setdefault(s.kind, []).append(s)
        for kind, members in kinds.items():
            out[f"{t}:{kind}"] = summarise(members)
    return out
