"""Runs a question set through an Answerer or any retriever and scores it (`zwqa eval`).

    questions, bad = load_eval_questions(path)
    questions = select_split(questions, "tune")          # labelled set: one split, or all
    runs = [run_answerer("zwqa", answerer, questions, mode="extractive"),
            run_retriever("bm25", bm25_baseline, questions)]
    report = evaluation.report.build_report(runs, {"questions": str(path)})
    print(evaluation.report.format_report(report))
"""
from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.metrics import MRR_K, EvalQuestion, QuestionScore, score_question
from vectorstore.errors import InvalidQuestion
from qa.serialize import BadLine, QuestionLine, answer_to_dict, invalid_question_dict, parse_question_lines
from vectorstore.errors import InvalidQuestion
from vectorstore.records import Answer

RETRIEVE_K = MRR_K  # passages scored per question


def _strings(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip())
    return ()


def _history(value) -> tuple[tuple[str, str], ...]:
    """Return the [question, answer] pairs of a history field; anything else is left out."""
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple((turn[0], turn[1]) for turn in value
                 if isinstance(turn, (list, tuple)) and len(turn) == 2
                 and all(isinstance(x, str) for x in turn))


def question_from_line(line: QuestionLine, default_type: str = "") -> EvalQuestion:
    """Return the EvalQuestion of a parsed question line (labelled set, dev set or external
    data set).

    Reference answers are `answers_in_context` when given (CMRC: the verbatim ones), else
    `answers`. `kind`, `split` and `history` (follow-ups) come from the labelled set."""
    f = line.fields
    context_id = f.get("context_id")
    return EvalQuestion(
        id=line.id,
        question=line.question,
        type=str(f.get("type") or default_type),
        evidence=str(f.get("evidence") or ""),
        keywords=_strings(f.get("keywords")),
        context_id=str(context_id) if context_id not in (None, "") else None,
        answers=_strings(f.get("answers_in_context")) or _strings(f.get("answers")),
        kind=str(f.get("kind") or ""),
        split=str(f.get("split") or ""),
        history=_history(f.get("history")),
    )


def load_eval_questions(path: Path, default_type: str = "") -> tuple[list[EvalQuestion], list[BadLine]]:
    """Return the questions of a JSON Lines file and the lines skipped (bad JSON, no id/question)."""
    questions, bad = [], []
    with open(path, encoding="utf-8") as f:
        for item in parse_question_lines(f):
            if isinstance(item, BadLine):
                bad.append(item)
            else:
                questions.append(question_from_line(item, default_type))
    return questions, bad


def splits_of(questions: Sequence[EvalQuestion]) -> list[str]:
    """Return the split names the questions carry, "tune" and "test" first ([] when none)."""
    names = {q.split for q in questions if q.split}
    return [s for s in ("tune", "test") if s in names] + sorted(names - {"tune", "test"})


def select_split(questions: Sequence[EvalQuestion], split: str | None) -> list[EvalQuestion]:
    """Return the questions of one split, or all of them when split is None or "all"."""
    if split in (None, "all"):
        return list(questions)
    return [q for q in questions if q.split == split]


def sample_questions(questions: Sequence[EvalQuestion], limit: int | None,
                     seed: int = 0) -> list[EvalQuestion]:
    """Return `limit` questions drawn at random with `seed`, in file order (all when limit is
    None or not smaller than the set)."""
    if limit is None or limit >= len(questions):
        return list(questions)
    picked = sorted(random.Random(seed).sample(range(len(questions)), max(0, limit)))
    return [questions[i] for i in picked]


@dataclass
class SystemRun:
    """One system's results on a question set."""

    name: str
    scores: list[QuestionScore]
    seconds: float
    ms_per_question: list[float]
    kind: str = "retrieval"  # "answer" when the system answered (refusals, citations)
    lines: list[dict] = field(default_factory=list)  # answer lines (answer runs only)
    timings_ms: dict[str, float] = field(default_factory=dict)  # mean of Answer.timings_ms


def run_answerer(name: str, answerer, questions: Sequence[EvalQuestion], mode: str | None = None,
                 k: int | None = None, progress: Callable[[int, int], None] | None = None) -> SystemRun:
    """Return the run of an Answerer: every question answered, its retrieved passages scored.

    A question the Answerer rejects (InvalidQuestion) counts as refused with nothing retrieved."""
    scores, lines, per_q = [], [], []
    stage_ms: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    for i, q in enumerate(questions, start=1):
        t = time.perf_counter()
        try:
            answer = answerer.answer(q.question, history=q.history, mode=mode, k=k)
            line = answer_to_dict(answer, q.id)
        except InvalidQuestion as e:
            answer = Answer(question=q.question, text=str(e), refused=True)
            line = invalid_question_dict(q.id, q.question, str(e))
        per_q.append((time.perf_counter() - t) * 1000)
        for stage, ms in answer.timings_ms.items():
            stage_ms.setdefault(stage, []).append(ms)
        score = score_question(q, answer.retrieved[:RETRIEVE_K], answer)
        line["score"] = {"type": q.type, "kind": q.kind, "split": q.split, "rank": score.rank, "refused": score.refused,
                         "citations": score.citations, "cited_relevant": score.cited_relevant,
                         "keywords": [score.keywords_found, score.keywords_total]}
        scores.append(score)
        lines.append(line)
        if progress:
            progress(i, len(questions))
    return SystemRun(name, scores, round(time.perf_counter() - t0, 2), per_q, kind="answer",
                     lines=lines,
                     timings_ms={s: round(statistics.fmean(v), 1) for s, v in stage_ms.items()})


def run_retriever(name: str, retriever, questions: Sequence[EvalQuestion], k: int = RETRIEVE_K,
                  progress: Callable[[int, int], None] | None = None) -> SystemRun:
    """Return the run of a retriever (anything with retrieve(query, k)): retrieval scored only."""
    scores, per_q = [], []
    t0 = time.perf_counter()
    for i, q in enumerate(questions, start=1):
        t = time.perf_counter()
        hits = retriever.retrieve(q.question, k)
        per_q.append((time.perf_counter() - t) * 1000)
        scores.append(score_question(q, hits[:k]))
        if progress:
            progress(i, len(questions))
    return SystemRun(name, scores, round(time.perf_counter() - t0, 2), per_q)
