"""Term lookup latency (p50/p95) at 1× and 100× the bundled corpus, and the glossary build time.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.lookup_latency            # 1× and 100×
    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.lookup_latency 1          # 1× only

Lookups need no vectors, so the corpora (bench.corpus) are loaded, cleaned, split and chunked
exactly as ingest does, without embedding. The queries are every glossary term of the bundled
corpus (mentioned 1 to hundreds of times), plus misspelt and absent terms (which compute
suggestions), each looked up once after a warm-up pass; TermLookup.lookup is what `zwqa lookup`,
the 查政策 page and GET /v1/lookup call.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from vectorstore.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "bench" / "out"
ABSENT = ["一窗受里", "好差平", "最多跑两次", "区块链存证", "量子计算", "321609", "数字人民币试点"]


def load_corpus(folder: Path):
    """Return (speeches, chunks) of every file under folder, as ingest reads and chunks them."""
    from ingest.chunk import chunk_document
    from ingest.sources import expand_paths
    from ingest.speeches import load_speeches

    files, _ = expand_paths([folder])
    docs = [d for f in files for d in load_speeches(f, folder)]
    return docs, [c for d in docs for c in chunk_document(d, 300, 1)]


def measure(factor: int, queries: list[str]) -> dict:
    from bench.corpus import build_corpus
    from ingest.terms import build_term_index
    from qa.lookup import TermLookup

    corpus = build_corpus(factor, OUT, PROJECT_ROOT / "data" / "corpus")
    docs, chunks = load_corpus(corpus.path)
    t = time.perf_counter()
    terms = build_term_index(docs)
    glossary_s = time.perf_counter() - t
    t = time.perf_counter()
    lookup = TermLookup(docs, chunks, terms)
    open_s = time.perf_counter() - t
    for q in queries:  # warm-up: sentence spans of the speeches are cached on first use
        lookup.lookup(q)
    times, found = [], 0
    for q in queries:
        t = time.perf_counter()
        found += lookup.lookup(q).total
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"factor": factor, "speeches": len(docs), "chars": sum(len(d.text) for d in docs),
            "terms": len(terms.terms), "defined": sum(1 for e in terms.terms if e.definitions),
            "glossary_s": glossary_s, "open_s": open_s, "queries": len(queries), "mentions": found,
            "p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
            "max": times[-1]}


def main(factors: list[int]) -> None:
    from bench.corpus import bundled_documents
    from ingest.terms import build_term_index

    _, bundled = bundled_documents(PROJECT_ROOT / "data" / "corpus")
    queries = [e.term for e in build_term_index(bundled).terms] + ABSENT
    print("| corpus | speeches | characters | glossary terms (defined) | glossary build | "
          "lookup p50 | lookup p95 | max |")
    print("|---|---|---|---|---|---|---|---|")
    for factor in factors:
        r = measure(factor, queries)
        print(f"| {r['factor']}× | {r['speeches']} | {r['chars']:,} | {r['terms']} ({r['defined']}) | "
              f"{r['glossary_s']:.1f} s | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['max']:.1f} ms |",
              flush=True)
    print(f"\n{len(queries)} queries per corpus (every bundled glossary term + {len(ABSENT)} absent).")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 100])
