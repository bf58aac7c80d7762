"""Warm latencies over one built index, ours and the LangChain tutorial's (bench.run starts it).

    python -m bench.latency_worker --index IDX --baseline-index BIDX --questions dev.jsonl \
        --llm 10 --baseline-llm 10 --out r.json

Ours: qa.system.build_answerer over the committed index in IDX (real m3e-small for queries):
Answerer.answer in extractive mode, with its retrieval stage (Answerer.retriever.retrieve,
k = 10) timed by the Answerer itself, and Answerer.stream in llm mode (time to the first token
event, and to the end). The Embedder remembers recent queries; the cache is emptied before
each timed call, so every question is embedded as a new one. Ours, the tutorial and the bare
query embedding are timed in turn for each question (the machine's load then weighs on all
alike). Tutorial: evaluation.baselines.DenseBaseline (dense top-k over langchain_chroma) over the
tutorial chunks of the same documents; its LLM answer is our LLMAnswerGenerator fed the
tutorial's top 4 chunks (LangChain's default k). Every call is timed after warm-up calls.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

RETRIEVE_K = 10
TUTORIAL_K = 4  # LangChain's as_retriever default


def rss_mb() -> float:
    """Return this process's current resident set size in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 2)


def forget_queries(embedder) -> None:
    """Empty the Embedder's query cache, so each timed question is embedded as a new one would be."""
    cache = getattr(embedder, "_query_cache", None)
    if cache is not None:
        cache.clear()


def time_interleaved(answerer, baseline, embedder, questions) -> dict:
    """Return per-question timings taken in turn for each question, so that both recipes and
    the bare query embedding see the same machine load: Answerer.answer(mode="extractive")
    with its retrieval stage (Answer.timings_ms["retrieve"], the call to
    Answerer.retriever.retrieve), the tutorial's retrieve(q, 10), and embed_query alone.
    Also the rank of the first relevant chunk per answerable question for both, and the ids
    of the questions our extractive pass did not refuse."""
    from evaluation.metrics import first_relevant_rank
    from qa.question import clean_question
    from vectorstore.errors import InvalidQuestion

    out = {"extractive_ms": [], "retrieve_ms": [], "retrieve_ranks": [], "answered": [],
           "baseline_retrieve_ms": [], "baseline_retrieve_ranks": [], "query_embedding_ms": []}
    for q in questions:
        try:
            text = clean_question(q.question)
        except InvalidQuestion:
            continue
        forget_queries(embedder)
        t = time.perf_counter()
        answer = answerer.answer(q.question, mode="extractive")
        out["extractive_ms"].append(_ms(t))
        out["retrieve_ms"].append(answer.timings_ms.get("retrieve"))
        if not answer.refused:
            out["answered"].append(q.id)
        if baseline is not None:
            forget_queries(embedder)
            t = time.perf_counter()
            hits = baseline.retrieve(text, RETRIEVE_K)
            out["baseline_retrieve_ms"].append(_ms(t))
            if q.answerable:
                out["baseline_retrieve_ranks"].append(first_relevant_rank(q, hits))
        forget_queries(embedder)
        t = time.perf_counter()
        embedder.embed_query(text)
        out["query_embedding_ms"].append(_ms(t))
        if q.answerable:
            out["retrieve_ranks"].append(first_relevant_rank(q, answer.retrieved))
    return out


def _llm_row(answerer, embedder, q) -> dict:
    forget_queries(embedder)
    t = time.perf_counter()
    first = None
    answer = None
    for event in answerer.stream(q.question, mode="llm"):
        if event.kind == "token" and first is None:
            first = _ms(t)
        if event.kind == "done":
            answer = event.answer
    return {"id": q.id, "first_token_ms": first, "total_ms": _ms(t),
            "generated": "first_token" in answer.timings_ms, "refused": answer.refused,
            "mode": answer.mode, "chars": len(answer.text)}


def _tutorial_llm_row(generator, baseline, embedder, q) -> dict:
    forget_queries(embedder)
    t = time.perf_counter()
    passages = [h.chunk.text for h in baseline.retrieve(q.question, TUTORIAL_K)]
    first = None
    chars = 0
    for piece in generator.stream(q.question, passages):
        if first is None and piece:
            first = _ms(t)
        chars += len(piece)
    return {"id": q.id, "first_token_ms": first, "total_ms": _ms(t), "generated": True,
            "prompt_chars": sum(len(p) for p in passages), "chars": chars}


def time_llm(answerer, generator, baseline, embedder, questions, n: int, n_baseline: int,
             budget_s: float) -> tuple[list[dict], list[dict]]:
    """Return (our LLM answers, the tutorial's), taken in turn question by question: ours via
    Answerer.stream(mode="llm") (ms to the first token event and to the end), the tutorial's
    as our generator fed its top TUTORIAL_K chunks (retrieval included). No new question is
    started once budget_s seconds have been spent (the first always runs)."""
    ours, tutorial = [], []
    t0 = time.perf_counter()
    for i, q in enumerate(questions):
        if i and time.perf_counter() - t0 > budget_s:
            break
        if i < n:
            ours.append(_llm_row(answerer, embedder, q))
        if i < n_baseline and baseline is not None:
            tutorial.append(_tutorial_llm_row(generator, baseline, embedder, q))
    return ours, tutorial


def _answered(answerer, q) -> bool:
    from vectorstore.errors import InvalidQuestion

    try:
        return not answerer.answer(q.question, mode="extractive").refused
    except InvalidQuestion:
        return False


def _tutorial(args, embedder):
    """Return the tutorial's DenseBaseline over the index in args.baseline_index."""
    from evaluation.baselines import DenseBaseline, TUTORIAL, open_langchain_chroma, split_documents, \
        tutorial_splitter
    from vectorstore.chroma_client import open_chroma_client
    from vectorstore.index import open_committed_index

    docs = open_committed_index(Path(args.index)).documents()
    chunks = split_documents(docs, tutorial_splitter(), TUTORIAL)
    client = open_chroma_client(path=Path(args.baseline_index) / "chroma")
    vs, missing = open_langchain_chroma(client, f"bl-{TUTORIAL}", embedder, chunks)
    if missing:
        raise SystemExit(f"the tutorial index lacked {missing} chunks: it was not built fully")
    return DenseBaseline(vs, chunks)


def llm_questions(questions, answered_ids, n: int):
    """Return up to n answerable questions that the extractive pass did not refuse and that do
    not ask for the source text (those are quoted without the LLM), drawn with seed 0."""
    from evaluation.runs import sample_questions
    from qa.question import wants_source

    ok = [q for q in questions if q.answerable and q.id in answered_ids
          and not wants_source(q.question)]
    return sample_questions(ok, n, seed=0)


def main(argv=None) -> int:
    from bench.ingest_worker import maxrss_mb
    from evaluation.runs import load_eval_questions
    from qa.system import build_answerer, build_embedder, build_llm, build_stores
    from vectorstore.settings import Settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", required=True)
    p.add_argument("--baseline-index", default="")
    p.add_argument("--questions", required=True)
    p.add_argument("--llm", type=int, default=0, help="questions answered by the LLM (0: none)")
    p.add_argument("--baseline-llm", type=int, default=0)
    p.add_argument("--llm-seconds", type=float, default=600,
                   help="no new LLM question is started after this many seconds (both recipes)")
    p.add_argument("--only-llm", action="store_true",
                   help="time the LLM answers only (retrieval timings are another step's)")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    questions, _ = load_eval_questions(Path(args.questions))
    settings = Settings(index_dir=Path(args.index))
    embedder = build_embedder(settings)
    embedder.embed_query("预热")
    stores = build_stores(settings, embedder)
    out: dict = {"questions": len(questions)}

    t = time.perf_counter()
    answerer = build_answerer(settings, embedder, stores)
    out["answerer_startup_ms"] = _ms(t)
    for q in questions[:3]:  # warm-up
        answerer.answer(q.question, mode="extractive")
    out["rss_after_ours_mb"] = rss_mb()

    baseline = None
    if args.baseline_index and not args.only_llm:
        t = time.perf_counter()
        baseline = _tutorial(args, embedder)
        out["baseline_startup_ms"] = _ms(t)
        for q in questions[:3]:
            baseline.retrieve(q.question, RETRIEVE_K)
    if args.only_llm:
        out["answered"] = [q.id for q in questions if _answered(answerer, q)]
        if args.baseline_index:
            baseline = _tutorial(args, embedder)
    else:
        out.update(time_interleaved(answerer, baseline, embedder, questions))

    if args.llm or args.baseline_llm:
        parts = build_llm(settings, strict=True)
        generator = parts[0]
        picked = llm_questions(questions, set(out["answered"]), max(args.llm, args.baseline_llm) + 1)
        if len(picked) < 2:
            raise SystemExit("no answered question left for the LLM timings")
        warm, picked = picked[0], picked[1:]
        t = time.perf_counter()
        list(generator.stream(warm.question, ["预热。"]))  # loads the model's weights into memory
        out["llm_warmup_ms"] = _ms(t)
        llm_answerer = build_answerer(settings, embedder, stores, generator=generator)
        out["llm"], out["baseline_llm"] = time_llm(llm_answerer, generator, baseline, embedder, picked,
                                                   args.llm, args.baseline_llm, args.llm_seconds)
    out["maxrss_mb"] = maxrss_mb()
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
