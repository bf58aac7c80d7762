"""Warm retrieval and extractive-answer latency over one committed index (a quick check).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.quick_latency data/index
    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.quick_latency bench/out/index-100x-ours

Every dev question once, the query cache emptied before each so every question is embedded as a
new one; prints start-up seconds and p50 / p95 in milliseconds. bench.run is the full benchmark.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from qa.system import build_answerer, build_embedder, build_stores
from vectorstore.settings import Settings


def percentiles(values: list[float]) -> str:
    """Return "p50 … ms, p95 … ms" of the values."""
    v = sorted(values)
    return f"p50 {statistics.median(v):.0f} ms, p95 {v[int(0.95 * (len(v) - 1))]:.0f} ms"


def main(index_dir: str, questions: str = "data/eval/dev.jsonl") -> None:
    settings = Settings(index_dir=Path(index_dir))
    embedder = build_embedder(settings)
    stores = build_stores(settings, embedder)
    t0 = time.perf_counter()
    answerer = build_answerer(settings, embedder, stores)
    print(f"start-up {time.perf_counter() - t0:.1f} s")
    qs = [json.loads(line)["question"] for line in open(questions, encoding="utf-8") if line.strip()]
    for q in qs[:3]:
        answerer.answer(q, mode="extractive")
    retrieval, extractive = [], []
    for q in qs:
        embedder._query_cache.clear()
        t = time.perf_counter()
        answerer.retriever.retrieve(q, 10)
        retrieval.append((time.perf_counter() - t) * 1000)
        embedder._query_cache.clear()
        t = time.perf_counter()
        answerer.answer(q, mode="extractive")
        extractive.append((time.perf_counter() - t) * 1000)
    print(f"retrieval: {percentiles(retrieval)}")
    print(f"extractive answer: {percentiles(extractive)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
