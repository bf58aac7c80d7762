"""The tables of the benchmark report: ingest, latency, LLM answers and the ONNX experiment."""
from __future__ import annotations

from pathlib import Path

from bench.figures import fmt, hit_at, median, median_p95, mib, ratio


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


def ingest_section(res: dict, sizes) -> list[str]:
    """Return the ingest table and the notes under it."""
    ing = res["ingest"]
    L = []
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
    return L


def latency_section(res: dict, sizes) -> list[str]:
    """Return the warm latency table, one row per corpus size."""
    L = ["## Latency (warm, ms: median / p95)", "",
         "| size | questions | retrieval (ours) | extractive answer (ours) | retrieval (tutorial) | "
         "retrieval ours / tutorial (median) | query embedding alone | hit@5 ours | hit@5 tutorial | "
         "answerer start-up ms | serving RSS MiB (ours) |",
         "|" + "---|" * 11]
    for f in sizes:
        lat = res["latency"][str(f)]
        L.append(
            f"| {f}× | {len(lat['retrieve_ms'])} | {median_p95(lat['retrieve_ms'])} | {median_p95(lat['extractive_ms'])} | "
            f"{median_p95(lat.get('baseline_retrieve_ms', []))} | "
            f"{ratio(median(lat['retrieve_ms']), median(lat.get('baseline_retrieve_ms', [])))} | "
            f"{median_p95(lat.get('query_embedding_ms', []))} | "
            f"{fmt(hit_at(lat['retrieve_ranks']), 3)} | {fmt(hit_at(lat.get('baseline_retrieve_ranks', [])), 3)} | "
            f"{fmt(lat['answerer_startup_ms'], 0)} | {fmt(lat['rss_after_ours_mb'], 0)} |")
    L.append("")
    return L


def llm_section(res: dict, sizes) -> list[str]:
    """Return the LLM answer table at 1× (nothing when no LLM answer was timed)."""
    L = []
    lat = res.get("llm") or {}
    rows = [r for r in lat.get("llm", []) if r["generated"]]
    brows = lat.get("baseline_llm", [])
    if rows or brows:
        L += ["### LLM answers at 1× (ms: median / p95)", "",
              "| recipe | questions through the LLM | first token | total | answer chars (median) | prompt |",
              "|---|---|---|---|---|---|"]
        skipped = len(lat.get("llm", [])) - len(rows)
        L.append(f"| ours | {len(rows)} of {len(lat.get('llm', []))}"
                 f"{f' ({skipped} refused or quoted without the LLM)' if skipped else ''} | "
                 f"{median_p95([r['first_token_ms'] for r in rows])} | {median_p95([r['total_ms'] for r in rows])} | "
                 f"{fmt(median([r['chars'] for r in rows]), 0)} | top 3 passages cut to ≤220 chars |")
        if brows:
            L.append(f"| tutorial | {len(brows)} | {median_p95([r['first_token_ms'] for r in brows])} | "
                     f"{median_p95([r['total_ms'] for r in brows])} | {fmt(median([r['chars'] for r in brows]), 0)} | "
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
    return L


def onnx_part(res: dict) -> list[str]:
    """Return the ONNX experiment's section."""
    onnx = res.get("onnx")
    body = onnx_section(onnx) if onnx else ["Not run (--skip-onnx)."]
    return ["## Embedding speed: ONNX int8 experiment", "", *body, ""]


def onnx_section(onnx: dict) -> list[str]:
    """Return the lines reporting the ONNX experiment."""
    L = [f"- {note}" for note in onnx.get("notes", [])]
    runs = onnx.get("runs", {})
    if runs:
        L += ["", "| embedder | passages | passages/s | speed-up | dev hit@1 | dev hit@5 | dev MRR@10 | "
              "mean cosine to torch vectors |", "|---|---|---|---|---|---|---|---|"]
        base = next((v for k, v in runs.items() if k.startswith("torch")), None)
        for name, r in runs.items():
            L.append(f"| {name} | {r['passages']} | {r['passages_per_s']:.2f} | "
                     f"{ratio(r['passages_per_s'], base['passages_per_s']) if base else '—'} | "
                     f"{fmt(r.get('hit@1'), 3)} | {fmt(r.get('hit@5'), 3)} | {fmt(r.get('mrr@10'), 3)} | "
                     f"{fmt(r.get('cosine_to_torch'), 4)} |")
    if onnx.get("verdict"):
        L += ["", f"**Verdict:** {onnx['verdict']}"]
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
