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
import datetime as _dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


# -- small helpers ---------------------------------------------------------------------------------

def percentile(values, q: float) -> float | None:
    """Return the q-th percentile (nearest rank) of values, None when empty."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return v[min(len(v) - 1, max(0, int(round(q / 100 * len(v) + 0.5)) - 1))]


def median(values) -> float | None:
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def hit_at(ranks, k: int = 5) -> float | None:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else None


def fmt(v, digits: int = 1, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    return f"{v:,}{unit}"


def ratio(a, b, digits: int = 2) -> str:
    return "—" if a is None or not b else f"{a / b:.{digits}f}×"


def mib(n: int | None) -> float | None:
    return None if n is None else n / 2**20


def machine() -> dict:
    """Return what the machine and the software are."""
    def version(pkg):
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    flags = Path("/proc/cpuinfo").read_text()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                    text=True).stdout.strip())
    except OSError:
        commit, dirty = "?", False
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "cpu_flags": " ".join(f for f in ("avx2", "avx512f", "avx512_vnni") if f" {f}" in flags),
        "python": platform.python_version(),
        "torch": version("torch"),
        "chromadb": version("chromadb"),
        "sentence-transformers": version("sentence-transformers"),
        "transformers": version("transformers"),
        "onnxruntime": version("onnxruntime"),
        "xllamacpp": version("xllamacpp"),
        "langchain-chroma": version("langchain-chroma"),
        "git": f"{commit}{' + uncommitted changes' if dirty else ''}",
    }


class Runner:
    """Starts the measured subprocesses and keeps their exact command lines."""

    def __init__(self, out: Path, resume: bool = False):
        self.out = out
        self.resume = resume
        self.commands: list[dict] = []

    def run(self, step: str, module: str, *args: str, pythonpath: str = "") -> dict:
        """Return the JSON a worker wrote, after running it under /usr/bin/time."""
        result = self.out / f"{step}.json"
        timing = self.out / f"{step}.time"
        result.unlink(missing_ok=True)
        cmd = [PY, "-m", module, *args, "--out", str(result)]
        full = ["/usr/bin/time", "-o", str(timing), "-f", "%M %e", *cmd]
        done = self.out / f"{step}.done"
        if self.resume and done.is_file() and done.read_text() == shlex.join(cmd) and result.is_file():
            print(f"[bench] {step}: reused from an earlier run (--resume)", flush=True)
            data = json.loads(result.read_text(encoding="utf-8"))
            self.commands.append({**json.loads((self.out / f"{step}.command").read_text()),
                                  "reused": True})
            maxrss_kb, elapsed = timing.read_text().split()[-2:]
            data["time_maxrss_mb"] = int(maxrss_kb) / 1024
            data["process_seconds"] = float(elapsed)
            return data
        done.unlink(missing_ok=True)
        print(f"[bench] {step}: {shlex.join(cmd)}", flush=True)
        t = time.perf_counter()
        env = {**ENV, "PYTHONPATH": f"{ROOT}:{pythonpath}"} if pythonpath else ENV
        proc = subprocess.run(full, cwd=ROOT, env=env)
        wall = time.perf_counter() - t
        prefix = ["HF_HUB_OFFLINE=1"] + ([f"PYTHONPATH=.:{_rel(pythonpath)}"] if pythonpath else [])
        shown = shlex.join([*prefix, *[_rel(c) for c in cmd]])
        entry = {"step": step, "command": shown, "seconds": round(wall, 1)}
        self.commands.append(entry)
        if proc.returncode != 0:
            raise SystemExit(f"[bench] step {step} failed (exit {proc.returncode})")
        (self.out / f"{step}.command").write_text(json.dumps(entry))
        done.write_text(shlex.join(cmd))
        data = json.loads(result.read_text(encoding="utf-8"))
        maxrss_kb, elapsed = timing.read_text().split()[-2:]
        data["time_maxrss_mb"] = int(maxrss_kb) / 1024
        data["process_seconds"] = float(elapsed)
        print(f"[bench] {step}: done in {wall:.0f} s", flush=True)
        return data


def _rel(s: str) -> str:
    if s == PY:
        return ".venv/bin/python" if Path(PY).parent.parent == ROOT / ".venv" else s
    try:
        return str(Path(s).resolve().relative_to(ROOT)) if s.startswith("/") else s
    except ValueError:
        return s


# -- the steps -------------------------------------------------------------------------------------

def run_bench(args) -> dict:
    from bench.corpus import build_corpus, external_documents, sample_corpus

    out = Path(args.out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    runner = Runner(out, resume=args.resume)
    t_start = time.perf_counter()
    res: dict = {"machine": machine(), "load_start": os.getloadavg(), "args": vars(args)}
    sizes = sorted(args.sizes)

    external = external_documents() if max(sizes) > 1 else {}
    corpora = {f: build_corpus(f, out, Path(args.corpus), external) for f in sizes}
    res["corpora"] = {str(f): {"path": _rel(str(c.path)), "chars": c.chars,
                          "files": {k: len(v) for k, v in c.files.items()}} for f, c in corpora.items()}

    # 1×: real ingest, then the embedder alone on the very same chunk texts (all of ours; an evenly
    # spaced subset of the tutorial's longer chunks, to keep the run short).
    ingest, embed = {}, {}
    for recipe in ("ours", "tutorial"):
        chunks_file = out / f"chunks-1x-{recipe}.jsonl"
        ingest[(1, recipe)] = runner.run(
            f"ingest-1x-{recipe}", "bench.ingest_worker", "--recipe", recipe,
            "--corpus", str(corpora[1].path), "--index", str(out / f"index-1x-{recipe}"),
            "--dump-chunks", str(chunks_file), "--dump-vectors", str(out / f"vectors-1x-{recipe}.npz"))
        limit = [] if recipe == "ours" else ["--limit", str(args.tutorial_embed_limit)]
        embed[(1, recipe)] = runner.run(
            f"embed-1x-{recipe}", "bench.embed_worker", "--texts", str(chunks_file), *limit)

    grown = [f for f in sizes if f > 1]
    if grown:
        biggest = corpora[max(grown)]
        sample = sample_corpus(biggest, out, args.sample_chunks, chars_per_chunk=220)
        res["sample"] = {"chars": sample.chars, "files": {k: len(v) for k, v in sample.files.items()},
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

    # Retrieval latencies of every size back to back (so that they share the machine's load),
    # then the LLM answers (1× only: their cost does not depend on the index size).
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

    onnx = None
    if not args.skip_onnx:
        onnx = runner.run("onnx", "bench.onnx_worker", "--texts", str(out / "chunks-1x-ours.jsonl"),
                          "--torch-vectors", str(out / "vectors-1x-ours.npz"),
                          "--questions", args.questions, "--corpus", str(corpora[1].path),
                          "--work", str(out / "onnx"),
                          pythonpath=str(out / "pydeps") if (out / "pydeps").is_dir() else "")

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


# -- the report ------------------------------------------------------------------------------------

def _ingest_rows(res: dict, sizes) -> tuple[list[str], dict]:
    """Return the ingest table's lines and the derived figures per (size, recipe)."""
    ing, emb = res["ingest"], res["embed"]
    derived = {}
    rows = ["| size | recipe | chunks | corpus chars | vectors | ingest s (non-embedding s) | "
            "ingest chunks/s | ingest k chars/s | embedder alone passages/s | ingest / embedder (chars/s) | "
            "peak RSS MiB | Chroma MiB | BM25 MiB | index total MiB |",
            "|" + "---|" * 14]
    for f in sizes:
        for recipe in ("ours", "tutorial"):
            r = ing.get(f"{f}|{recipe}")
            if r is None:
                continue
            other = r["seconds"] - r["embed_seconds"]
            if f == 1:
                e = emb[f"1|{recipe}"]
                alone = e["passages"] / e["seconds"]
                seconds, how = r["seconds"], "real (m3e-small)"
                ratio_1x = _chars_ratio(res, r, e, f"chunks-1x-{recipe}.jsonl")
            else:
                # Real embedding time estimated from the embedder's rate on text like the added
                # text: for ours the stratified sample; for the tutorial its 1× chunks' rate
                # (its chunks are all ~1000 characters, whatever the text).
                e = emb["sample|ours"] if recipe == "ours" else emb["1|tutorial"]
                alone = e["passages"] / e["seconds"]
                seconds = other + r["embedded"] / alone
                how = (f"{r['vectors_real']:,} real + {r['vectors_perturbed']:,} perturbed; "
                       "throughput estimated")
                ratio_1x = None
            cps = r["chunks"] / seconds
            share = ratio_1x if ratio_1x is not None else cps / alone
            derived[(f, recipe)] = {"chunks_per_s": cps, "chars_per_s": r["corpus_chars"] / seconds,
                                    "alone": alone, "ratio": share, "seconds": seconds,
                                    "other": other}
            rows.append(
                f"| {f}× | {recipe} | {r['chunks']:,} | {r['corpus_chars']:,} | {how} | "
                f"{seconds:,.0f}{'' if f == 1 else ' est.'} ({other:,.1f}) | {cps:.2f} | {r['corpus_chars'] / seconds / 1000:.2f} | "
                f"{alone:.2f} | {share:.0%}{'' if ratio_1x is not None else ' (est.)'} | {r['time_maxrss_mb']:,.0f} | "
                f"{mib(r['chroma_bytes']):,.1f} | {mib(r['bm25_bytes']):,.1f} | "
                f"{mib(r['index_bytes']):,.1f} |")
    return rows, derived


def _chars_ratio(res: dict, ingest: dict, embed: dict, dump: str) -> float:
    """Return ingest's passage characters per second over the embedder-alone's (the embedder
    may have had an evenly spaced subset of the same chunks: characters make the rates
    comparable)."""
    chunk_chars = ingest.get("chunk_chars")
    if chunk_chars is None:
        from bench.embed_worker import read_texts

        chunk_chars = sum(len(t) for t in read_texts(Path(res["args"]["out_dir"]) / dump))
    return (chunk_chars / ingest["seconds"]) / (embed["chars"] / embed["seconds"])


def _lat(v) -> str:
    return f"{fmt(median(v), 0)} / {fmt(percentile(v, 95), 0)}"


def write_report(res: dict, path: Path) -> None:
    """Write results.md from the figures of one run."""
    m = res["machine"]
    sizes = sorted(int(f) for f in res["latency"])
    ing = res["ingest"]
    L = []
    L.append("# zwqa benchmarks")
    L.append("")
    L.append(f"Written by `{res['command']}` on {m['date']} (steps took "
             f"{res['bench_seconds'] / 60:.1f} min in all). Scripts in bench/ (run on purpose, not tests); raw "
             "figures in bench/out/results.json (gitignored).")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    for k in ("nproc", "ram_gib", "cpu", "cpu_flags", "python", "torch", "transformers",
              "sentence-transformers", "chromadb", "langchain-chroma", "onnxruntime",
              "xllamacpp", "git"):
        L.append(f"| {k} | {m[k]} |")
    ls, le = res["load_start"], res["load_end"]
    L.append(f"| load average (1/5/15 min) at start | {ls[0]:.2f} / {ls[1]:.2f} / {ls[2]:.2f} |")
    L.append(f"| load average at end | {le[0]:.2f} / {le[1]:.2f} / {le[2]:.2f} |")
    L.append("")
    L.append(f"**The machine was shared**: a load average of {ls[0]:.1f}–{le[0]:.1f} on {m['nproc']} cores "
             "means other jobs took most of the CPU, so absolute times are inflated and noisy (each "
             "figure is one run). Ratios measured in the same run (ingest / embedder alone, ours / "
             "tutorial) are the figures to read; medians are quoted, p95 beside them.")
    L.append("")

    L.append("## Method")
    L.append("")
    corp = res["corpora"]
    b1 = corp[min(corp, key=int)]["chars"]["bundled"]
    L.append(f"- **Corpora.** 1× = data/corpus ({b1:,} characters of speech text after cleaning). "
             "Grown corpora are written as .txt files under bench/out/ from the contexts in "
             "/work/shared/data/external (read in place, not copied into the repo):")
    for f in sorted(corp, key=int):
        if int(f) == 1:
            continue
        parts = ", ".join(f"{k} {v:,} chars ({corp[f]['files'].get(k, 0):,} files)"
                          for k, v in corp[f]["chars"].items())
        L.append(f"  - {f}×: {parts}.")
    if any(int(f) >= 100 for f in corp):
        L.append("  - The two external sets hold only ~1.33 M characters of distinct real text "
                 "(≈ 11× the bundled corpus with it). The rest of the 100× corpus is **remixed**: "
                 "real sentences of the external contexts drawn at random (seed 0) and joined into new "
                 "~4,000-character documents, 2–6 sentences a paragraph. Every chunk text is new, words "
                 "and sentence lengths are real; topics do not hang together.")
    L.append("- **Ingest** runs in a subprocess per size and recipe under `/usr/bin/time` (peak RSS = "
             "its max resident set size). The model is loaded and warmed up before the clock starts "
             "(load time is reported apart). Ours = `ingest.pipeline.run_ingest` with rebuild, exactly "
             "what `zwqa ingest --rebuild` runs: load, clean, split speeches, chunk, merge repeats, "
             "embed (batches of 32, encode batch 16), Chroma upsert, BM25 build, commit. "
             "Tutorial = `RecursiveCharacterTextSplitter(1000, 200)` + `langchain_chroma.Chroma` "
             "(qa.baselines) over the same loaded speeches, with our Embedder.")
    if "sample" in res:
        s = res["sample"]
        L.append(f"- **1×** is embedded for real by both recipes. **10× / 100×**: embedding ~6k and "
                 "~54k chunks at a few passages/s would take hours, so the grown indexes are built by "
                 "the real pipeline (real chunking, repeat merging, BM25, Chroma HNSW at full size) with "
                 "a vector table (bench/vectors.py) instead of the model: passages embedded for real "
                 "earlier in the run (the 1× chunks and a stratified sample) keep their real vectors; "
                 "every other passage gets a real vector of a sampled added-text passage plus seeded "
                 "noise (cosine ≈ 0.9), renormalised. The model is still loaded in that process so "
                 "peak RSS counts it. Its ingest throughput is then **estimated** as chunks / "
                 "(measured non-embedding seconds + chunks ÷ the embedder's own rate on the stratified "
                 f"sample). The sample: {', '.join(f'{k} {v:,} chars' for k, v in s['chars'].items())} "
                 f"from the {s['from']} corpus, ingested for real by the real pipeline (its throughput "
                 "is measured below) and embedded alone.")
        L.append("- Because the added text's dense vectors are synthetic at 10× / 100×, hit@5 there is "
                 "indicative only (BM25 and the bundled chunks' vectors are real; distractors' vectors "
                 "are not). Latencies are real: real query embedding, real-size HNSW and BM25.")
    L.append("- **Latency** (bench/latency_worker.py, one process per size, warm: model loaded, 3 "
             "warm-up questions first): all dev questions (data/eval/dev.jsonl), one pass of "
             "`Answerer.answer(q, mode=\"extractive\")` (built by `qa.system.build_answerer`); "
             "retrieval is its retrieval stage as the Answerer times it, i.e. the call "
             "`Answerer.retriever.retrieve(q, 10)` (query embedding, dense + BM25 + character-pair BM25, "
             "RRF, coverage reranking). The Embedder's query cache is emptied before every timed "
             "question, so each one is embedded as a new question would be. LLM = `Answerer.stream(q, "
             "mode=\"llm\")` with the local Qwen2.5 1.5B GGUF (llama.cpp, 2 threads): time to the first "
             "token event and to the end, on answerable questions (seed 0) that the extractive pass "
             f"did not refuse, ours and the tutorial's in turn on the same question; up to "
             f"{res['args'].get('llm')} questions, but no new one is started after "
             f"{res['args'].get('llm_seconds', 600):.0f} s. Ours, the tutorial's retrieval and the bare "
             "query embedding are likewise timed in turn for each question, so the machine's load "
             "weighs on all alike. Tutorial retrieval = "
             "`DenseBaseline.retrieve(q, 10)` (langchain_chroma similarity search; LangChain's own "
             "default k is 4, which costs the same); its LLM answer feeds our LLMAnswerGenerator its "
             "top 4 chunks, retrieval included.")
    L.append("")

    rows, derived = _ingest_rows(res, sizes)
    L.append("## Ingest")
    L.append("")
    L += rows
    L.append("")
    notes = []
    if "sample|ours" in ing:
        s, e = ing["sample|ours"], res["embed"]["sample|ours"]
        cps = s["chunks"] / s["seconds"]
        alone = e["passages"] / e["seconds"]
        share = _chars_ratio(res, s, e, "chunks-sample-ours.jsonl")
        notes.append(f"- Stratified sample of the added text, real embedding, real pipeline: "
                     f"{s['chunks']:,} chunks in {s['seconds']:.0f} s = **{cps:.2f} chunks/s**; embedder "
                     f"alone on the same chunks {alone:.2f} passages/s → ingest / embedder = "
                     f"**{share:.0%}** (measured).")
    for f in sizes:
        o, t = derived.get((f, "ours")), derived.get((f, "tutorial"))
        if o and t:
            notes.append(f"- {f}× ours / tutorial: corpus characters per second "
                         f"{ratio(o['chars_per_s'], t['chars_per_s'])}, peak RSS "
                         f"{ratio(ing[f'{f}|ours']['time_maxrss_mb'], ing[f'{f}|tutorial']['time_maxrss_mb'])}, "
                         f"index on disk {ratio(ing[f'{f}|ours']['index_bytes'], ing[f'{f}|tutorial']['index_bytes'])}"
                         f" (ours has {ing[f'{f}|ours']['chunks'] / ing[f'{f}|tutorial']['chunks']:.1f}× the "
                         "chunks: ≤300 vs ≤1000 characters).")
    for key, r in ing.items():
        if r.get("stages"):
            parts = ", ".join(f"{k} {v:,.1f} s" for k, v in sorted(r["stages"].items(), key=lambda kv: -kv[1]))
            size, recipe = key.split("|")
            label = "sample" if size == "sample" else f"{size}×"
            notes.append(f"- Where the non-embedding time of {label} {recipe} went: {parts} "
                         f"(of {r['seconds'] - r['embed_seconds']:,.1f} s).")
    e1 = res["embed"].get("1|ours")
    if e1:
        notes.append(f"- Model load + warm-up (not in the figures above): {e1['model_load_seconds']:.1f} s; "
                     f"embedder-alone process peak RSS {e1['time_maxrss_mb']:,.0f} MiB.")
    L += notes
    L.append("")

    L.append("## Latency (warm, ms: median / p95)")
    L.append("")
    L.append("| size | questions | retrieval (ours) | extractive answer (ours) | retrieval (tutorial) | "
             "retrieval ours / tutorial (median) | query embedding alone | hit@5 ours | hit@5 tutorial | "
             "answerer start-up ms | serving RSS MiB (ours) |")
    L.append("|" + "---|" * 11)
    for f in sizes:
        lat = res["latency"][str(f)]
        L.append(
            f"| {f}× | {len(lat['retrieve_ms'])} | {_lat(lat['retrieve_ms'])} | {_lat(lat['extractive_ms'])} | "
            f"{_lat(lat.get('baseline_retrieve_ms', []))} | "
            f"{ratio(median(lat['retrieve_ms']), median(lat.get('baseline_retrieve_ms', [])))} | "
            f"{_lat(lat.get('query_embedding_ms', []))} | "
            f"{fmt(hit_at(lat['retrieve_ranks']), 3)} | {fmt(hit_at(lat.get('baseline_retrieve_ranks', [])), 3)} | "
            f"{fmt(lat['answerer_startup_ms'], 0)} | {fmt(lat['rss_after_ours_mb'], 0)} |")
    L.append("")
    lat = res.get("llm") or {}
    rows = [r for r in lat.get("llm", []) if r["generated"]]
    brows = lat.get("baseline_llm", [])
    if rows or brows:
        L.append("### LLM answers at 1× (ms: median / p95)")
        L.append("")
        L.append("| recipe | questions through the LLM | first token | total | answer chars (median) | prompt |")
        L.append("|---|---|---|---|---|---|")
        skipped = len(lat.get("llm", [])) - len(rows)
        L.append(f"| ours | {len(rows)} of {len(lat.get('llm', []))}"
                 f"{f' ({skipped} refused or quoted without the LLM)' if skipped else ''} | "
                 f"{_lat([r['first_token_ms'] for r in rows])} | {_lat([r['total_ms'] for r in rows])} | "
                 f"{fmt(median([r['chars'] for r in rows]), 0)} | top 3 passages cut to ≤220 chars |")
        if brows:
            L.append(f"| tutorial | {len(brows)} | {_lat([r['first_token_ms'] for r in brows])} | "
                     f"{_lat([r['total_ms'] for r in brows])} | {fmt(median([r['chars'] for r in brows]), 0)} | "
                     f"top 4 chunks, median {fmt(median([r['prompt_chars'] for r in brows]), 0)} chars |")
            L.append("")
            shared = {r["id"] for r in rows} & {r["id"] for r in brows}
            mine = [r for r in rows if r["id"] in shared]
            theirs = [r for r in brows if r["id"] in shared]
            L.append(f"Ours / tutorial on the {len(shared)} questions both answered, median first token: "
                     f"{ratio(median([r['first_token_ms'] for r in mine]), median([r['first_token_ms'] for r in theirs]))}; "
                     f"median total: {ratio(median([r['total_ms'] for r in mine]), median([r['total_ms'] for r in theirs]))}. "
                     f"LLM warm-up call (not counted): {fmt(lat.get('llm_warmup_ms'), 0)} ms. Totals "
                     "include generation up to 256 tokens, which the machine's load slows most.")
        L.append("")
        if len(sizes) > 1:
            L.append("The LLM was timed at 1× only: its cost is the prompt and the generation, which "
                     "do not depend on the index size (retrieval, above, is the part that grows).")
            L.append("")

    L.append("## Embedding speed: ONNX int8 experiment")
    L.append("")
    onnx = res.get("onnx")
    if not onnx:
        L.append("Not run (--skip-onnx).")
    else:
        L += onnx_section(onnx)
    L.append("")
    L.append("## Commands")
    L.append("")
    L.append(f"Whole run: `{res['command']}`. Each step, in order (wall seconds, including process "
             "start and imports):")
    L.append("")
    L.append("```")
    for c in res["commands"]:
        L.append(f"# {c['step']} ({c['seconds']} s{', run by the previous invocation, reused with --resume' if c.get('reused') else ''})")
        L.append(c["command"])
    L.append("```")
    L.append("")
    path.write_text("\n".join(L), encoding="utf-8")


def onnx_section(onnx: dict) -> list[str]:
    """Return the lines reporting the ONNX experiment."""
    L = []
    for note in onnx.get("notes", []):
        L.append(f"- {note}")
    runs = onnx.get("runs", {})
    if runs:
        L.append("")
        L.append("| embedder | passages | passages/s | speed-up | dev hit@1 | dev hit@5 | dev MRR@10 | "
                 "mean cosine to torch vectors |")
        L.append("|---|---|---|---|---|---|---|---|")
        base = next((v for k, v in runs.items() if k.startswith("torch")), None)
        for name, r in runs.items():
            L.append(f"| {name} | {r['passages']} | {r['passages_per_s']:.2f} | "
                     f"{ratio(r['passages_per_s'], base['passages_per_s']) if base else '—'} | "
                     f"{fmt(r.get('hit@1'), 3)} | {fmt(r.get('hit@5'), 3)} | {fmt(r.get('mrr@10'), 3)} | "
                     f"{fmt(r.get('cosine_to_torch'), 4)} |")
    if onnx.get("verdict"):
        L.append("")
        L.append(f"**Verdict:** {onnx['verdict']}")
    chosen = onnx.get("adopt")
    if chosen and onnx.get("route") == "onnxruntime":
        quantised = "int8" in chosen
        L += [
            "",
            f"What adopting `{chosen}` would change (for the lead to decide and wire; nothing was "
            "changed here):",
            "",
            "- `vectorstore/embeddings.py`: the Embedder would run the ONNX file with onnxruntime "
            "(an `InferenceSession`, intra-op threads = cores) instead of SentenceTransformer: the "
            "model folder's tokenizer (truncation at 512 tokens), mean pooling over the attention "
            "mask, L2 normalisation, batches sorted by length (bench/onnx_worker.py `OnnxEmbedder` "
            "is a working sketch). The encode lock and the query cache stay.",
            "- `model_name` would change (e.g. `m3e-small-onnx`), so the catalog signature "
            "changes and the next `zwqa ingest` re-embeds everything into a new collection"
            + (" (int8 vectors differ slightly from torch's: mean cosine above)." if quantised
               else " (fp32 vectors equal torch's to float precision: mean cosine above)."),
            "- The file must be made once, offline, from the installed m3e-small folder "
            "(`export_raw` in bench/onnx_worker.py: torch.onnx.export"
            + (" + onnxruntime.quantization.quantize_dynamic" if quantised else "")
            + "), e.g. by scripts/setup.sh into the zwqa cache folder. That step needs the `onnx` "
            "package (1.23.2, with ml_dtypes 0.6.0; protobuf 7.36.2 and numpy are already "
            "installed); running the file needs only onnxruntime 1.32.0, which chromadb already "
            "installs. No version of transformers, torch or sentence-transformers changes.",
            "- torch stays installed (sentence-transformers and the export need it), so the "
            "installed size does not shrink; what changes is passages/s at ingest and the query "
            "embedding inside every retrieval.",
        ]
    return L


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
