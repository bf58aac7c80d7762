"""Scores retrieval and answer settings on one split of the labelled questions, fast.

    python -m evaluation.tune_weights                                   # current settings, tune
    python -m evaluation.tune_weights --set similarity_weight=0.3 --set rrf=1,1,0.5
    python -m evaluation.tune_weights --grid similarity_weight=0.2,0.4,0.6 --grid weight=0.5,0.7
    python -m evaluation.tune_weights --expand "" --expand words,pairs,coverage

Every run goes through the Answerer that `zwqa` builds, over cached vectors
(evaluation.fast_answerer), and prints the figures of `zwqa eval` for each setting. Settings:
  weight             sentence-window coverage weight of the reranker (qa.rerank)
  similarity_weight  dense cosine weight of the reranker
  candidates         candidates the reranker reorders
  rrf                RRF weights of the hybrid's retrievers in their order (dense, word BM25,
                     pair BM25, sentences; comma-separated)
  rrf_k              RRF constant
--expand names where the question is expanded (qa.system.build_answerer: words, pairs,
coverage, dense; "" for nowhere); each --expand is run with every setting.
Choose on tune; report test once (`--split test`), never to choose.
"""
from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

from evaluation.metrics import summarise, summarise_by_type
from evaluation.runs import load_eval_questions, run_answerer, run_retriever, select_split

COLUMNS = ("hit@5", "mrr@10", "refusal_recall", "false_refusal", "citation_precision")


def apply(answerer, name: str, value: str) -> None:
    """Set one named setting on the answerer's retriever stack."""
    reranker = answerer.retriever
    hybrid = reranker.base
    if name in ("weight", "similarity_weight"):
        setattr(reranker, name, float(value))
    elif name == "candidates":
        reranker.candidates = hybrid.candidates = int(value)
    elif name == "rrf":
        weights = [float(v) for v in value.split(",")]
        if len(weights) != len(hybrid.retrievers):
            raise SystemExit(f"rrf needs {len(hybrid.retrievers)} weights: "
                             f"{', '.join(r.name for r in hybrid.retrievers)}")
        hybrid.retrievers = tuple(replace(r, weight=w) for r, w in zip(hybrid.retrievers, weights))
    elif name == "rrf_k":
        hybrid.rrf_k = int(value)
    else:
        raise SystemExit(f"unknown setting {name}")


def figures(answerer, questions, retrieval_only: bool = False) -> tuple[dict, dict, list]:
    if retrieval_only:
        retriever = RewrittenRetriever(answerer)
        retriever.history = {q.question: q.history for q in questions}
        run = run_retriever("zwqa", retriever, questions)
    else:
        run = run_answerer("zwqa", answerer, questions, mode="extractive")
    return summarise(run.scores), summarise_by_type(run.scores), run.scores


class RewrittenRetriever:
    """The answerer's search, asked what the answerer would search for (follow-ups are
    rewritten by rule first, as in 原文摘录 mode, and searched in their conversation)."""

    def __init__(self, answerer):
        self.answerer = answerer
        self.history: dict[str, tuple] = {}

    def retrieve(self, question: str, k: int):
        from qa.followup import RuleBasedRewriter, needs_rewrite

        history = self.history.get(question, ())
        if history and needs_rewrite(question, history):
            question = RuleBasedRewriter().rewrite(question, history).strip() or question
        return self.answerer.search(question, history, max(k, 10))[:k]


def line(label: str, overall: dict, by_type: dict) -> str:
    cells = [f"{overall[c]:.3f}" if overall.get(c) is not None else "  -  " for c in COLUMNS]
    para = by_type.get("paraphrase", {})
    near = by_type.get("unanswerable:near_miss", {})
    extra = (f"para hit@5 {para.get('hit@5') or 0:.3f} FR {para.get('false_refusal') or 0:.3f}"
             f"  near_miss {near.get('refusal_recall') or 0:.3f}")
    return f"{label:<44} " + "  ".join(cells) + "  " + extra


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", default="data/eval/questions.jsonl")
    p.add_argument("--split", default="tune")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2")
    p.add_argument("--retrieval-only", action="store_true", help="score retrieval only (fast)")
    p.add_argument("--expand", action="append", default=[], metavar="WHERE,…")
    p.add_argument("--failures", action="store_true",
                   help="list the questions missed or wrongly decided (tune only)")
    args = p.parse_args(argv)

    from evaluation.fast_answerer import fast_answerer
    from vectorstore.settings import Settings

    questions, _ = load_eval_questions(Path(args.questions))
    questions = select_split(questions, args.split)
    grid = [(n, v.split(";") if "rrf" == n else v.split(",")) for n, v in
            (g.split("=", 1) for g in args.grid)]
    print(f"{'setting':<44} " + "  ".join(f"{c[:6]:>5}" for c in COLUMNS))
    combos = list(itertools.product(*[[(n, v) for v in vs] for n, vs in grid])) or [()]
    for expand in args.expand or [None]:
        options = {} if expand is None else {"expand": tuple(x for x in expand.split(",") if x)}
        answerer, embedder = fast_answerer(Settings(), **options)
        for item in args.set:
            apply(answerer, *item.split("=", 1))
        for combo in combos:
            for n, v in combo:
                apply(answerer, n, v)
            overall, by_type, scores = figures(answerer, questions, args.retrieval_only)
            label = " ".join(f"{n}={v}" for n, v in combo) or "current"
            if expand is not None:
                label = f"expand={expand or '-'} {label}"
            print(line(label, overall, by_type), flush=True)
            embedder.save()
    if args.failures:
        if args.split != "tune":
            raise SystemExit("--failures lists tune questions only")
        by_id = {q.id: q for q in questions}
        for s in scores:
            q = by_id[s.id]
            wrong = (s.unanswerable and not s.refused) or (s.answerable and s.refused) \
                or (s.answerable and (s.rank is None or s.rank > 5))
            if wrong:
                print(f"{s.id} {q.type}/{q.kind or '-'} rank={s.rank} refused={s.refused} "
                      f"cites={s.cited_relevant}/{s.citations} {q.question}")
    embedder.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
