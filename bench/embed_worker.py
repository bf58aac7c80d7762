"""The embedder alone: passages/s of vectorstore.embeddings.Embedder on a list of chunk texts.

    python -m bench.embed_worker --texts chunks.jsonl --out r.json --vectors v.npz

Texts are JSON strings, one a line (what bench.ingest_worker --dump-chunks writes). The model
is loaded and warmed up before the clock starts; the batch size is the settings' (16).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def read_texts(path: Path) -> list[str]:
    """Return the texts of a JSON-lines file of strings."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


def spaced(items: list, n: int) -> list:
    """Return n items evenly spaced through items (all of them when n >= len(items))."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def main(argv=None) -> int:
    from bench.ingest_worker import maxrss_mb
    from bench.vectors import save_vectors
    from qa.system import build_embedder
    from vectorstore.settings import Settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--vectors", default="")
    p.add_argument("--limit", type=int, default=0,
                   help="embed only N texts, evenly spaced through the list")
    args = p.parse_args(argv)
    all_texts = read_texts(Path(args.texts))
    texts = spaced(all_texts, args.limit) if args.limit else all_texts
    embedder = build_embedder(Settings())
    t = time.perf_counter()
    embedder.embed_documents(texts[:16])  # load + warm up
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    vectors = embedder.embed_documents(texts)
    seconds = time.perf_counter() - t
    if args.vectors:
        save_vectors(Path(args.vectors), texts, vectors)
    result = {
        "passages": len(texts),
        "of": len(all_texts),
        "chars": sum(len(x) for x in texts),
        "seconds": seconds,
        "model_load_seconds": load_s,
        "batch_size": embedder.batch_size,
        "maxrss_mb": maxrss_mb(),
    }
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
