"""Writes bench/results.md from the figures of one benchmark run (bench.run), section by
section: machine, method, ingest, latency, LLM answers, the ONNX experiment, the commands."""
from __future__ import annotations

from pathlib import Path

from bench.report_tables import ingest_section, latency_section, llm_section, onnx_part


def write_report(res: dict, path: Path) -> None:
    """Write results.md from the figures of one run."""
    sizes = sorted(int(f) for f in res["latency"])
    L = [*_opening(res), *_machine_section(res), *_method_corpora(res), *_method_ingest(res),
         *_method_latency(res), *ingest_section(res, sizes), *latency_section(res, sizes),
         *llm_section(res, sizes), *onnx_part(res), *_commands_section(res)]
    path.write_text("\n".join(L), encoding="utf-8")


MACHINE_ROWS = ("nproc", "ram_gib", "cpu", "cpu_flags", "python", "torch", "transformers",
                "sentence-transformers", "chromadb", "langchain-chroma", "onnxruntime", "xllamacpp", "git")


def _opening(res: dict) -> list[str]:
    return ["# zwqa benchmarks", "",
            f"Written by `{res['command']}` on {res['machine']['date']} (steps took "
            f"{res['bench_seconds'] / 60:.1f} min in all). Scripts in bench/ (run on purpose, not tests); raw "
            "figures in bench/out/results.json (gitignored).", ""]


def _machine_section(res: dict) -> list[str]:
    m = res["machine"]
    ls, le = res["load_start"], res["load_end"]
    return [
        "## Machine", "", "| | |", "|---|---|",
        *(f"| {k} | {m[k]} |" for k in MACHINE_ROWS),
        f"| load average (1/5/15 min) at start | {ls[0]:.2f} / {ls[1]:.2f} / {ls[2]:.2f} |",
        f"| load average at end | {le[0]:.2f} / {le[1]:.2f} / {le[2]:.2f} |",
        "",
        f"**The machine was shared**: a load average of {ls[0]:.1f}–{le[0]:.1f} on {m['nproc']} cores "
        "means other jobs took most of the CPU, so absolute times are inflated and noisy (each "
        "figure is one run). Ratios measured in the same run (ingest / embedder alone, ours / "
        "tutorial) are the figures to read; medians are quoted, p95 beside them.",
        "",
    ]


def _method_corpora(res: dict) -> list[str]:
    L = ["## Method", ""]
    corp = res["corpora"]
    b1 = corp[min(corp, key=int)]["chars"]["bundled"]
    L.append(f"- **Corpora.** 1× = data/corpus ({b1:,} characters of speech text after cleaning). "
             "Grown corpora are written as .txt files under bench/out/ from the contexts in "
             "shared/data/external beside the repository (read in place, not copied into it):")
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
    return L


def _method_ingest(res: dict) -> list[str]:
    L = ["- **Ingest** runs in a subprocess per size and recipe under `/usr/bin/time` (peak RSS = "
         "its max resident set size). The model is loaded and warmed up before the clock starts "
         "(load time is reported apart). Ours = `ingest.pipeline.run_ingest` with rebuild, exactly "
         "what `zwqa ingest --rebuild` runs: load, clean, split speeches, chunk, merge repeats, "
         "embed (batches of 32, encode batch 16), Chroma upsert, BM25 build, commit. "
         "Tutorial = `RecursiveCharacterTextSplitter(1000, 200)` + `langchain_chroma.Chroma` "
         "(evaluation.baselines) over the same loaded speeches, with our Embedder."]
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
    return L


def _method_latency(res: dict) -> list[str]:
    return ["- **Latency** (bench/latency_worker.py, one process per size, warm: model loaded, 3 "
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
            "top 4 chunks, retrieval included.",
            ""]


def _commands_section(res: dict) -> list[str]:
    L = ["## Commands", "",
         f"Whole run: `{res['command']}`. Each step, in order (wall seconds, including process "
         "start and imports):", "", "```"]
    for c in res["commands"]:
        reused = ", run by the previous invocation, reused with --resume" if c.get("reused") else ""
        L += [f"# {c['step']} ({c['seconds']} s{reused})", c["command"]]
    return L + ["```", ""]
