"""Runs the whole benchmark and writes bench/results.md (a script run on purpose, not a test).

    .venv/bin/python -m bench.run                      # 1×, 10×, 100×; about 30-40 min on 2 cores
    .venv/bin/python -m bench.run --sizes 1 --llm 2    # a quick look

Each measured step runs in a subprocess of its own (bench.ingest_worker, bench.embed_worker,
bench.latency_worker, bench.onnx_worker) under /usr/bin/time, so peak RSS is per step.
Indexes, grown corpora and raw figures go to bench/out/ (gitignored); data/index is never
touched. See the "Method" section that results.md opens with for how each size is built.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from bench.machine import machine
from bench.report import write_report
from bench.runner import ROOT, Runner, shown_path


def run_bench(args) -> dict:
    """Return the figures of every step the arguments ask for (the content of results.json)."""
    from bench.corpus import build_corpus, external_documents

    out = Path(args.out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    runner = Runner(out, resume=args.resume)
    t_start = time.perf_counter()
    res: dict = {"machine": machine(), "load_start": os.getloadavg(), "args": vars(args)}
    sizes = sorted(args.sizes)

    external = external_documents() if max(sizes) > 1 else {}
    corpora = {f: build_corpus(f, out, Path(args.corpus), external) for f in sizes}
    res["corpora"] = {str(f): {"path": shown_path(str(c.path)), "chars": c.chars,
                          "files": {k: len(v) for k, v in c.files.items()}} for f, c in corpora.items()}
    ingest, embed = _ingest_1x(runner, out, corpora[1], args)
    grown = [f for f in sizes if f > 1]
    if grown:
        res["sample"] = _ingest_grown(runner, out, corpora, grown, args, ingest, embed)
    latency, llm = _latencies(runner, out, sizes, args)
    onnx = None if args.skip_onnx else _onnx(runner, out, corpora[1], args)
    res.update({
        "ingest": {f"{k[0]}|{k[1]}": v for k, v in ingest.items()},
        "embed": {f"{k[0]}|{k[1]}": v for k, v in embed.items()},
        "latency": latency,
        "llm": llm,
        "onnx": onnx,
        "commands": runner.commands,
        "load_end": os.getloadavg(),
        "bench_seconds": round(sum(c["seconds"] for c in runner.commands), 1),
        "wall_seconds": round(time.perf_counter() - t_start, 1),
    })
    return res


def _ingest_1x(runner: Runner, out: Path, corpus, args) -> tuple[dict, dict]:
    """Return the figures of the real 1× ingests and of the embedder alone on the very same chunk
    texts (all of ours; an evenly spaced subset of the tutorial's longer chunks, to keep the run
    short), keyed by (1, recipe)."""
    ingest, embed = {}, {}
    for recipe in ("ours", "tutorial"):
        chunks_file = out / f"chunks-1x-{recipe}.jsonl"
        ingest[(1, recipe)] = runner.run(
            f"ingest-1x-{recipe}", "bench.ingest_worker", "--recipe", recipe,
            "--corpus", str(corpus.path), "--index", str(out / f"index-1x-{recipe}"),
            "--dump-chunks", str(chunks_file), "--dump-vectors", str(out / f"vectors-1x-{recipe}.npz"))
        limit = [] if recipe == "ours" else ["--limit", str(args.tutorial_embed_limit)]
        embed[(1, recipe)] = runner.run(
            f"embed-1x-{recipe}", "bench.embed_worker", "--texts", str(chunks_file), *limit)
    return ingest, embed


def _ingest_grown(runner: Runner, out: Path, corpora: dict, grown: list[int], args, ingest: dict,
                  embed: dict) -> dict:
    """Ingest the stratified sample of the biggest grown corpus for real, then every grown corpus
    with the vector table; add their figures to ingest and embed, and return what the sample is."""
    from bench.corpus import sample_corpus

    biggest = corpora[max(grown)]
    sample = sample_corpus(biggest, out, args.sample_chunks, chars_per_chunk=220)
    described = {"chars": sample.chars, "files": {k: len(v) for k, v in sample.files.items()},
                 "from": f"{biggest.factor}x"}
    chunks_file = out / "chunks-sample-ours.jsonl"
    pool = str(out / "vectors-sample-ours.npz")
    ingest[("sample", "ours")] = runner.run(
        "ingest-sample-ours", "bench.ingest_worker", "--recipe", "ours",
        "--corpus", str(sample.path), "--index", str(out / "index-sample-ours"),
        "--dump-chunks", str(chunks_file), "--dump-vectors", pool)
    embed[("sample", "ours")] = runner.run(
        "embed-sample-ours", "bench.embed_worker", "--texts", str(chunks_file))
    for f in grown:
        for recipe in ("ours", "tutorial"):
            known = [str(out / f"vectors-1x-{recipe}.npz")] + ([pool] if recipe == "ours" else [])
            ingest[(f, recipe)] = runner.run(
                f"ingest-{f}x-{recipe}", "bench.ingest_worker", "--recipe", recipe,
                "--corpus", str(corpora[f].path), "--index", str(out / f"index-{f}x-{recipe}"),
                "--table", *known, "--pool", pool, "--load-model")
    return described


def _latencies(runner: Runner, out: Path, sizes: list[int], args) -> tuple[dict, dict | None]:
    """Return the retrieval latencies of every size, measured back to back (so that they share
    the machine's load), then the LLM answers (1× only: their cost does not depend on the index
    size; None when not asked for)."""
    latency = {}
    for f in sizes:
        latency[str(f)] = runner.run(
            f"latency-{f}x", "bench.latency_worker", "--index", str(out / f"index-{f}x-ours"),
            "--baseline-index", str(out / f"index-{f}x-tutorial"), "--questions", args.questions)
    llm = None
    if args.llm or args.baseline_llm:
        llm = runner.run(
            "llm-1x", "bench.latency_worker", "--index", str(out / "index-1x-ours"),
            "--baseline-index", str(out / "index-1x-tutorial"), "--questions", args.questions,
            "--only-llm", "--llm", str(args.llm), "--baseline-llm", str(args.baseline_llm),
            "--llm-seconds", str(args.llm_seconds))
    return latency, llm


def _onnx(runner: Runner, out: Path, corpus, args) -> dict:
    """Return the figures of the ONNX embedding experiment on the 1× chunks."""
    return runner.run("onnx", "bench.onnx_worker", "--texts", str(out / "chunks-1x-ours.jsonl"),
                      "--torch-vectors", str(out / "vectors-1x-ours.npz"),
                      "--questions", args.questions, "--corpus", str(corpus.path),
                      "--work", str(out / "onnx"),
                      pythonpath=str(out / "pydeps") if (out / "pydeps").is_dir() else "")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1,10,100", help="corpus sizes as multiples of the bundled one")
    p.add_argument("--llm", type=int, default=10, help="questions answered by the LLM (at 1× only)")
    p.add_argument("--baseline-llm", type=int, default=10, help="tutorial LLM answers (at 1× only)")
    p.add_argument("--llm-seconds", type=float, default=600,
                   help="no new LLM question (ours and the tutorial's in turn) after this many seconds")
    p.add_argument("--tutorial-embed-limit", type=int, default=64,
                   help="tutorial chunks embedded alone at 1× (evenly spaced)")
    p.add_argument("--sample-chunks", type=int, default=50,
                   help="chunks per stratum in the real-embedding sample of the grown corpus")
    p.add_argument("--corpus", default=str(ROOT / "data" / "corpus"))
    p.add_argument("--questions", default=str(ROOT / "data" / "eval" / "dev.jsonl"))
    p.add_argument("--out-dir", default=str(ROOT / "bench" / "out"))
    p.add_argument("--results", default=str(ROOT / "bench" / "results.md"))
    p.add_argument("--skip-onnx", action="store_true")
    p.add_argument("--resume", action="store_true",
                   help="reuse the steps an earlier run finished with the same command")
    p.add_argument("--report-only", action="store_true",
                   help="rewrite results.md from bench/out/results.json without measuring")
    args = p.parse_args(argv)
    if args.report_only:
        res = json.loads((Path(args.out_dir) / "results.json").read_text(encoding="utf-8"))
        write_report(res, Path(args.results))
        return 0
    args.sizes = [int(s) for s in str(args.sizes).split(",") if s.strip()]
    if 1 not in args.sizes:
        p.error("--sizes must include 1 (the grown sizes reuse its real vectors)")
    res = run_bench(args)
    res["command"] = shlex.join([".venv/bin/python", "-m", "bench.run", *(argv if argv is not None else sys.argv[1:])])
    out = Path(args.out_dir)
    (out / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str),
                                      encoding="utf-8")
    write_report(res, Path(args.results))
    print(f"[bench] wrote {args.results} ({res['bench_seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
