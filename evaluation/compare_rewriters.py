"""The follow-up rewriters side by side on one split of the labelled set: each follow-up is made
standalone by the rules and by the chat model (qa.llm_rewrite.LLMRewriter), then answered in
原文摘录 mode (same retrieval and gate) and scored as `zwqa eval` scores it.

    ZWQA_INDEX_DIR=<index> python -m evaluation.compare_rewriters --split tune

Needs the local chat model (scripts/setup.sh). Prints each rewrite and a JSON summary."""
from __future__ import annotations

import argparse
import json
import statistics
import time


def main(argv: list[str] | None = None) -> None:
    from evaluation.metrics import score_question, summarise
    from evaluation.runs import RETRIEVE_K, load_eval_questions, select_split
    from qa.followup import RuleBasedRewriter
    from qa.system import build_answerer, build_embedder, build_llm, build_stores
    from vectorstore.index import open_committed_index
    from vectorstore.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="?", default="data/eval/questions.jsonl")
    parser.add_argument("--split", default="tune", choices=("tune", "test"))
    args = parser.parse_args(argv)

    questions, _ = load_eval_questions(args.questions, "fact")
    questions = [q for q in select_split(questions, args.split) if q.history]
    settings = Settings()
    embedder = build_embedder(settings)
    answerer = build_answerer(settings, embedder, build_stores(settings, embedder),
                              index=open_committed_index(settings.index_dir))
    _, model_rewriter = build_llm(settings, strict=True)
    summary = {}
    for name, rewriter in (("rules", RuleBasedRewriter()), ("llm", model_rewriter)):
        scores, seconds = [], []
        for q in questions:
            t = time.perf_counter()
            standalone = rewriter.rewrite(q.question, q.history)
            seconds.append(time.perf_counter() - t)
            answer = answerer.answer(standalone, mode="extractive")
            score = score_question(q, answer.retrieved[:RETRIEVE_K], answer)
            scores.append(score)
            print(f"{name} {q.id} | {q.question} => {standalone} | rank {score.rank} "
                  f"refused {score.refused}", flush=True)
        figures = summarise(scores)
        summary[name] = {k: figures[k] for k in ("hit@5", "mrr@10", "false_refusal",
                                                  "citation_precision")}
        summary[name]["rewrite_seconds_median"] = round(statistics.median(seconds), 3)
    print(json.dumps({"split": args.split, "follow_ups": len(questions), **summary},
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
