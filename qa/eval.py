"""Runs a question set through an Answerer or any retriever and reports the figures (`zwqa eval`).

    questions, bad = load_eval_questions(path)
    runs = [run_answerer("zwqa", answerer, questions, mode="extractive"),
            run_retriever("bm25", bm25_baseline, questions)]
    report = build_report(runs, {"questions": str(path)})
    print(format_report(report))
"""
from __future__ import annotations

import random
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.metrics import (
    ANSWER_METRICS,
    MRR_K,
    RETRIEVAL_METRICS,
    EvalQuestion,
    QuestionScore,
    score_question,
    summarise,
    summarise_by_type,
)
from qa.question import InvalidQuestion
from qa.serialize import BadLine, QuestionLine, answer_to_dict, invalid_question_dict, parse_question_lines
from vectorstore.records import Answer

RETRIEVE_K = MRR_K  # passages scored per question


def _strings(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip())
    return ()


def question_from_line(line: QuestionLine, default_type: str = "") -> EvalQuestion:
    """Return the EvalQuestion of a parsed question line (dev set or external data set).

    Reference answers are `answers_in_context` when given (CMRC: the verbatim ones), else
    `answers`."""
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
            answer = answerer.answer(q.question, mode=mode, k=k)
            line = answer_to_dict(answer, q.id)
        except InvalidQuestion as e:
            answer = Answer(question=q.question, text=str(e), refused=True)
            line = invalid_question_dict(q.id, q.question, str(e))
        per_q.append((time.perf_counter() - t) * 1000)
        for stage, ms in answer.timings_ms.items():
            stage_ms.setdefault(stage, []).append(ms)
        score = score_question(q, answer.retrieved[:RETRIEVE_K], answer)
        line["score"] = {"type": q.type, "rank": score.rank, "refused": score.refused,
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


def _round(d: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


def build_report(runs: Iterable[SystemRun], meta: dict | None = None) -> dict:
    """Return the JSON-ready report: meta, then per system overall and per-type figures and
    timings (whole run, mean and 95th percentile per question, mean per answer stage)."""
    systems = {}
    for run in runs:
        ms = sorted(run.ms_per_question)
        systems[run.name] = {
            "kind": run.kind,
            "overall": _round(summarise(run.scores)),
            "by_type": {t: _round(s) for t, s in summarise_by_type(run.scores).items()},
            "seconds": run.seconds,
            "ms_per_question": round(statistics.fmean(ms), 1) if ms else None,
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1) if ms else None,
            "stage_ms": run.timings_ms,
        }
    return {"meta": dict(meta or {}), "systems": systems}


# -- the printed table ---------------------------------------------------------------------------

_LABELS = {
    "hit@1": "hit@1", "hit@3": "hit@3", "hit@5": "hit@5", "mrr@10": "MRR@10",
    "refusal_recall": "拒答召回", "false_refusal": "误拒率", "citation_precision": "引用精度",
    "keyword_coverage": "关键词覆盖", "answer_found": "答案命中",
}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(s))
    return gap + s if right else s + gap


def _fmt(v) -> str:
    return "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """Return rows as aligned text columns (CJK counted double); the first `left` columns are
    left-aligned, the rest right-aligned."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(_pad(cell, widths[i], right=i >= left) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    )


def format_report(report: dict) -> str:
    """Return the report as text: the answering system's table (overall + per type), then, when
    several systems ran, their retrieval figures side by side."""
    meta = report["meta"]
    out = []
    if meta:
        out.append("  ".join(f"{k}：{v}" for k, v in meta.items()))
    systems = report["systems"]
    for name, s in systems.items():
        if s["kind"] != "answer":
            continue
        metrics = list(RETRIEVAL_METRICS) + [m for m in ANSWER_METRICS
                                             if s["overall"].get(m) is not None]
        groups = [("全部", s["overall"])] + list(s["by_type"].items())
        rows = [[t, str(v["n"]), str(v["answerable"])] + [_fmt(v[m]) for m in metrics]
                for t, v in groups]
        stages = "，".join(f"{k} {v:.0f} ms" for k, v in s["stage_ms"].items())
        out.append("")
        out.append(f"== {name}：用时 {s['seconds']:.1f} 秒，每题平均 {s['ms_per_question']:.0f} ms"
                   f"（p95 {s['p95_ms']:.0f} ms）" + (f"；各阶段平均：{stages}" if stages else ""))
        out.append(format_table(["题型", "题数", "可回答"] + [_LABELS[m] for m in metrics], rows))
    if len(systems) > 1 or not any(s["kind"] == "answer" for s in systems.values()):
        rows = []
        for name, s in systems.items():
            groups = [("全部", s["overall"])] + list(s["by_type"].items())
            for i, (t, v) in enumerate(groups):
                if not v["answerable"]:
                    continue
                rows.append([name if i == 0 else "", t, str(v["answerable"])]
                            + [_fmt(v[m]) for m in RETRIEVAL_METRICS]
                            + [f"{s['ms_per_question']:.0f}" if i == 0 else ""])
        out.append("")
        out.append(f"== 检索对比（每题取前 {RETRIEVE_K} 个段落，只计可回答题）")
        out.append(format_table(["系统", "题型", "题数"] + [_LABELS[m] for m in RETRIEVAL_METRICS]
                                + ["每题 ms"], rows, left=2))
    return "\n".join(out).lstrip("\n")
