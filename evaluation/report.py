"""The `zwqa eval` report: figures per system, per question type and per split, and their tables.

    report = build_report(runs, {"问题": "data/eval/questions.jsonl"})
    print(format_report(report))     # tune and test side by side when the questions have splits

A report is JSON-ready: {"meta": {...}, "systems": {name: {"kind", "overall", "by_type",
"splits": {"tune": {"n", "overall", "by_type"}, "test": {...}}, "seconds", "ms_per_question",
"p95_ms", "stage_ms"}}}. "splits" is {} when the questions carry no split. "by_type" has one
entry per type and, after "unanswerable", one per kind ("unanswerable:near_miss", …).
"""
from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Iterable, Sequence

from evaluation.metrics import ANSWER_METRICS, RETRIEVAL_METRICS, QuestionScore, summarise, summarise_by_type
from evaluation.runs import RETRIEVE_K, SystemRun

LABELS = {
    "hit@1": "hit@1", "hit@3": "hit@3", "hit@5": "hit@5", "mrr@10": "MRR@10",
    "refusal_recall": "拒答召回", "false_refusal": "误拒率", "citation_precision": "引用精度",
    "source_cited": "出处命中",
    "keyword_coverage": "关键词覆盖", "answer_found": "答案命中",
}
# Figures of the side-by-side table (hit@3 is left to the JSON to keep the table narrow).
SPLIT_TABLE_METRICS = ("hit@1", "hit@5", "mrr@10") + ANSWER_METRICS


def _round(d: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


def _figures(scores: Sequence[QuestionScore]) -> dict:
    return {"overall": _round(summarise(scores)),
            "by_type": {t: _round(s) for t, s in summarise_by_type(scores).items()}}


def _splits(scores: Sequence[QuestionScore]) -> dict:
    names = {s.split for s in scores if s.split}
    ordered = [n for n in ("tune", "test") if n in names] + sorted(names - {"tune", "test"})
    out = {}
    for name in ordered:
        members = [s for s in scores if s.split == name]
        out[name] = {"n": len(members), **_figures(members)}
    return out


def build_report(runs: Iterable[SystemRun], meta: dict | None = None) -> dict:
    """Return the JSON-ready report: meta, then per system overall, per-type and per-split
    figures and timings (whole run, mean and 95th percentile per question, mean per stage)."""
    systems = {}
    for run in runs:
        ms = sorted(run.ms_per_question)
        systems[run.name] = {
            "kind": run.kind,
            **_figures(run.scores),
            "splits": _splits(run.scores),
            "seconds": run.seconds,
            "ms_per_question": round(statistics.fmean(ms), 1) if ms else None,
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1) if ms else None,
            "stage_ms": run.timings_ms,
        }
    return {"meta": dict(meta or {}), "systems": systems}


# -- tables ----------------------------------------------------------------------------------------

def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(s))
    return gap + s if right else s + gap


def _center(s: str, width: int) -> str:
    gap = max(0, width - _width(s))
    return " " * (gap - gap // 2) + s + " " * (gap // 2)


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


def format_paired_table(first: str, labels: Sequence[str], splits: Sequence[str],
                        rows: Sequence[tuple[str, Sequence[Sequence[str]]]]) -> str:
    """Return a table with one column group per label and one column per split inside it: the
    label centred over its group, the split names under it. rows are (row name, cells) with
    cells[i][j] the value of label i in split j."""
    body = [[name] + [c for group in cells for c in group] for name, cells in rows]
    sub = [""] + [s for _ in labels for s in splits]
    widths = [max(_width(r[i]) for r in [sub, *body]) for i in range(len(sub))]
    widths[0] = max(widths[0], _width(first))
    per = len(splits)
    for i, label in enumerate(labels):  # widen a group whose label is wider than its columns
        cols = range(1 + i * per, 1 + (i + 1) * per)
        short = _width(label) - (sum(widths[c] for c in cols) + 2 * (per - 1))
        for n, c in enumerate(cols):
            widths[c] += max(0, short) // per + (1 if n < max(0, short) % per else 0)
    top = [_pad(first, widths[0])] + [
        _center(label, sum(widths[1 + i * per + j] for j in range(per)) + 2 * (per - 1))
        for i, label in enumerate(labels)]
    lines = ["  ".join(top).rstrip()]
    for row in [sub, *body]:
        lines.append("  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row))
                     .rstrip())
    return "\n".join(lines)


def _groups(figures: dict) -> list[tuple[str, dict]]:
    return [("全部", figures["overall"])] + list(figures["by_type"].items())


def _row_name(group: str) -> str:
    """Return how a group is named in a table: kinds indented under their type."""
    return "  " + group.split(":", 1)[1] if ":" in group else group


def _answer_metrics(figures: Iterable[dict]) -> list[str]:
    present = [m for m in ANSWER_METRICS if any(f["overall"].get(m) is not None for f in figures)]
    return [m for m in SPLIT_TABLE_METRICS if m in RETRIEVAL_METRICS or m in present]


def _timing_line(name: str, s: dict) -> str:
    stages = "，".join(f"{k} {v:.0f} ms" for k, v in s["stage_ms"].items())
    return (f"== {name}：用时 {s['seconds']:.1f} 秒，每题平均 {s['ms_per_question']:.0f} ms"
            f"（p95 {s['p95_ms']:.0f} ms）" + (f"；各阶段平均：{stages}" if stages else ""))


def _single_table(s: dict) -> str:
    metrics = list(RETRIEVAL_METRICS) + [m for m in ANSWER_METRICS
                                         if s["overall"].get(m) is not None]
    rows = [[_row_name(t), str(v["n"]), str(v["answerable"])] + [_fmt(v[m]) for m in metrics]
            for t, v in _groups(s)]
    return format_table(["题型", "题数", "可回答"] + [LABELS[m] for m in metrics], rows)


def _split_table(s: dict) -> str:
    splits = list(s["splits"])
    per_split = [s["splits"][name] for name in splits]
    metrics = _answer_metrics(per_split)
    groups = [g for g, _ in _groups(s)]
    rows = []
    for g in groups:
        figs = [dict(_groups(f)).get(g) for f in per_split]
        cells = [[str(f["n"]) if f else "0" for f in figs]]
        cells += [[_fmt(f[m]) if f else "—" for f in figs] for m in metrics]
        rows.append((_row_name(g), cells))
    return format_paired_table("题型", ["题数"] + [LABELS[m] for m in metrics], splits, rows)


def _comparison_table(systems: dict) -> str:
    rows = []
    for name, s in systems.items():
        for i, (t, v) in enumerate(_groups(s)):
            if not v["answerable"]:
                continue
            rows.append([name if i == 0 else "", _row_name(t), str(v["answerable"])]
                        + [_fmt(v[m]) for m in RETRIEVAL_METRICS]
                        + [f"{s['ms_per_question']:.0f}" if i == 0 else ""])
    return format_table(["系统", "题型", "题数"] + [LABELS[m] for m in RETRIEVAL_METRICS]
                        + ["每题 ms"], rows, left=2)


def format_report(report: dict) -> str:
    """Return the report as text: the answering system's table (overall, per type and kind;
    tune and test side by side when the questions have splits), then, when several systems
    ran, their retrieval figures on the whole set side by side."""
    meta = report["meta"]
    out = []
    if meta:
        out.append("  ".join(f"{k}：{v}" for k, v in meta.items()))
    systems = report["systems"]
    for name, s in systems.items():
        if s["kind"] != "answer":
            continue
        out += ["", _timing_line(name, s)]
        out.append(_split_table(s) if len(s.get("splits") or {}) > 1 else _single_table(s))
    if len(systems) > 1 or not any(s["kind"] == "answer" for s in systems.values()):
        out += ["", f"== 检索对比（全部题目，每题取前 {RETRIEVE_K} 个段落，只计可回答题）",
                _comparison_table(systems)]
    return "\n".join(out).lstrip("\n")
