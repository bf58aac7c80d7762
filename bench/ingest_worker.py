"""One measured ingest, run in its own process so its peak RSS is its own (bench.run starts it).

    python -m bench.ingest_worker --recipe ours --corpus data/corpus --index bench/out/idx --out r.json
    python -m bench.ingest_worker --recipe tutorial ... --table known.npz --pool pool.npz

ours: the real pipeline (ingest.pipeline.run_ingest, as `zwqa ingest --rebuild` runs it).
tutorial: the LangChain tutorial recipe (RecursiveCharacterTextSplitter(1000, 200) +
langchain_chroma.Chroma, evaluation.baselines) over the same loaded speeches.
With --table, vectors come from a bench.vectors.VectorTable instead of the model; the real
model is still loaded (--load-model) so that the peak RSS counts it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def disk_bytes(path: Path) -> int:
    """Return the bytes allocated on disk under path (like du), 0 when it does not exist."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_blocks * 512
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def maxrss_mb() -> float:
    """Return this process's peak resident set size in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_stages(stages: dict) -> None:
    """Make the ingest pipeline's stages add their seconds to stages (timing only: each
    wrapped function is called unchanged)."""
    from chromadb.api.models.Collection import Collection

    import ingest.pipeline as pipeline
    from vectorstore.chroma_store import ChromaStore

    def wrap(owner, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - t

        setattr(owner, name, timed)

    wrap(pipeline, "read_file_entry", "load, clean, split, chunk")
    wrap(pipeline, "merge_repeated", "merge repeated passages")
    wrap(pipeline, "extract_policy_terms", "policy terms")
    wrap(pipeline.BM25Index, "build", "BM25 build (jieba)")
    wrap(pipeline, "commit", "commit (catalog + BM25 files)")
    wrap(Collection, "upsert", "Chroma upsert")  # the write alone: ChromaStore.upsert also embeds
    wrap(ChromaStore, "delete_ids", "Chroma delete")


def _embedder(args, settings):
    from bench.vectors import TimedEmbedder, VectorTable
    from qa.system import build_embedder

    real = build_embedder(settings)
    t = time.perf_counter()
    if args.load_model or not args.table:
        real.embed_documents(["预热模型。"])  # load and warm up outside the measured ingest
    load_s = time.perf_counter() - t
    inner = real
    if args.table:
        inner = VectorTable.from_files([Path(p) for p in args.table], [Path(p) for p in args.pool],
                                       real.model_name)
    return real, TimedEmbedder(inner), load_s


def ingest_ours(args) -> dict:
    """Return the figures of one run of the real ingest pipeline."""
    from ingest.pipeline import run_ingest
    from qa.system import build_stores
    from ingest.options import ingest_options
    from vectorstore.catalog import current_generation, state_dir
    from vectorstore.settings import Settings

    settings = Settings(index_dir=Path(args.index), corpus_dir=Path(args.corpus))
    real, embedder, load_s = _embedder(args, settings)
    stores = build_stores(settings, embedder)
    stages: dict = {}
    time_stages(stages)
    t = time.perf_counter()
    report = run_ingest([Path(args.corpus)], ingest_options(settings, rebuild=True), embedder, stores)
    seconds = time.perf_counter() - t
    gen = current_generation(settings.index_dir)
    state = state_dir(settings.index_dir, gen)
    from vectorstore.index import open_committed_index

    index = open_committed_index(settings.index_dir)
    chars = sum(len(d.text) for d in index.documents())
    if args.dump_chunks:
        Path(args.dump_chunks).write_text(
            "\n".join(json.dumps(c.text, ensure_ascii=False) for c in index.chunks), encoding="utf-8")
    if args.dump_vectors:
        from bench.vectors import save_vectors

        store = stores.open(index.catalog.collection)
        ids = [c.id for c in index.chunks]
        vectors = [v for lo in range(0, len(ids), 500) for v in store.get_embeddings(ids[lo:lo + 500])]
        save_vectors(Path(args.dump_vectors), [c.text for c in index.chunks], vectors)
    return {
        "recipe": "ours",
        "documents": report.documents,
        "chunks": report.chunks,
        "merged": report.merged,
        "embedded": report.embedded,
        "skipped": len(report.skipped),
        "corpus_chars": chars,
        "chunk_chars": sum(len(c.text) for c in index.chunks),
        "seconds": seconds,
        "embed_seconds": embedder.seconds,
        "model_load_seconds": load_s,
        "stages": stages,
        "chroma_bytes": disk_bytes(settings.index_dir / "chroma"),
        "bm25_bytes": disk_bytes(state / "bm25.json"),
        "catalog_bytes": disk_bytes(state) - disk_bytes(state / "bm25.json"),
        "index_bytes": disk_bytes(settings.index_dir),
        **_table_counts(embedder),
    }


def ingest_tutorial(args) -> dict:
    """Return the figures of one run of the LangChain tutorial recipe over the same speeches."""
    from ingest.sources import expand_paths
    from ingest.speeches import load_speeches
    from evaluation.baselines import TUTORIAL, open_langchain_chroma, split_documents, tutorial_splitter
    from vectorstore.chroma_client import open_chroma_client
    from vectorstore.settings import Settings

    settings = Settings(index_dir=Path(args.index), corpus_dir=Path(args.corpus))
    real, embedder, load_s = _embedder(args, settings)
    t = time.perf_counter()
    files, _ = expand_paths([Path(args.corpus)])
    docs = [d for f in files for d in load_speeches(f, Path(args.corpus))]
    chunks = split_documents(docs, tutorial_splitter(), TUTORIAL)
    client = open_chroma_client(path=Path(args.index) / "chroma")
    vs, embedded = open_langchain_chroma(client, f"bl-{TUTORIAL}", embedder, chunks)
    seconds = time.perf_counter() - t
    if args.dump_chunks:
        Path(args.dump_chunks).write_text(
            "\n".join(json.dumps(c.text, ensure_ascii=False) for c in chunks), encoding="utf-8")
    if args.dump_vectors:
        from bench.vectors import save_vectors

        got = vs.get(include=["embeddings", "documents"])
        save_vectors(Path(args.dump_vectors), got["documents"], got["embeddings"])
    return {
        "recipe": "tutorial",
        "documents": len(docs),
        "chunks": len(chunks),
        "embedded": embedded,
        "corpus_chars": sum(len(d.text) for d in docs),
        "chunk_chars": sum(len(c.text) for c in chunks),
        "seconds": seconds,
        "embed_seconds": embedder.seconds,
        "model_load_seconds": load_s,
        "chroma_bytes": disk_bytes(Path(args.index) / "chroma"),
        "bm25_bytes": 0,
        "catalog_bytes": 0,
        "index_bytes": disk_bytes(Path(args.index)),
        **_table_counts(embedder),
    }


def _table_counts(embedder) -> dict:
    inner = embedder.inner
    if hasattr(inner, "perturbed"):
        return {"vectors_real": inner.real, "vectors_perturbed": inner.perturbed}
    return {"vectors_real": embedder.passages, "vectors_perturbed": 0}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipe", choices=("ours", "tutorial"), required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--index", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--table", nargs="*", default=[], help=".npz files of real vectors to reuse")
    p.add_argument("--pool", nargs="*", default=[], help=".npz files of vectors to perturb")
    p.add_argument("--load-model", action="store_true", help="load the real model even with --table")
    p.add_argument("--dump-chunks", default="", help="write the chunk texts (JSON lines) here")
    p.add_argument("--dump-vectors", default="", help="write the stored vectors (.npz) here")
    args = p.parse_args(argv)
    shutil.rmtree(args.index, ignore_errors=True)
    result = ingest_ours(args) if args.recipe == "ours" else ingest_tutorial(args)
    result["maxrss_mb"] = maxrss_mb()
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
