"""LLM-mode latency on the local model's llama.cpp server: first token and full answer, median and
p95, idle and beside a second CPU-bound process, JSON sentences against free text in one run;
and the prompt-budget curve (first-token time against number and length of passages).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.llm_latency --questions data/eval/dev.jsonl --n 20
    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.llm_latency --curve --questions data/eval/questions.jsonl --split tune --n 40

Uses the committed index (ZWQA_INDEX_DIR) and ZWQA_LLM_THREADS; appends a section to
bench/results.md with the command and the load averages. Run on purpose, not a test.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from vectorstore.settings import PROJECT_ROOT, Settings

RESULTS = PROJECT_ROOT / "bench" / "results.md"


def load_questions(path: str, split: str | None, n: int) -> list[dict]:
    """Return up to n answerable questions (no follow-ups, no unanswerable ones) of the split."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    rows = [r for r in rows if (split is None or r.get("split") == split)
            and r.get("type") not in ("unanswerable", "followup") and not r.get("history")]
    return rows[:n]


def p50_p95(values: list[float]) -> str:
    """Return "median / p95" of values in seconds, or "–" when there are none."""
    if not values:
        return "–"
    v = sorted(values)
    return f"{statistics.median(v) / 1000:.1f} / {v[round(0.95 * (len(v) - 1))] / 1000:.1f}"


@contextlib.contextmanager
def cpu_hog(on: bool):
    """Run a second CPU-bound process (a busy loop) while the block runs, when on."""
    if not on:
        yield
        return
    # The busy loop ends by itself when the benchmark is gone (killed before its finally runs).
    proc = subprocess.Popen([sys.executable, "-c",
                             "import os\nparent = os.getppid()\nwhile os.getppid() == parent: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        proc.kill()
        proc.wait()


def cites_evidence(answer, evidence: str) -> bool:
    """Return True if some cited passage holds the labelled evidence."""
    from vectorstore.text import normalize_for_match

    ev = normalize_for_match(evidence or "")
    return bool(ev) and any(ev in normalize_for_match(c.chunk.text) for c in answer.citations)


def run_answers(answerer, rows: list[dict]) -> dict:
    """Answer every row in llm mode; return the timings (ms) and outcome counts."""
    first, sentence, full, generated, evidence = [], [], [], 0, 0
    for r in rows:
        ans = answerer.answer(r["question"], mode="llm")
        t = ans.timings_ms
        if "first_token" in t:
            first.append(t["first_token"])
            sentence.append(t.get("first_sentence", t["generate"]))
            full.append(t["total"])
        kept = ans.mode == "llm" and not any("原文摘录" in n for n in ans.notes)
        generated += kept
        evidence += kept and cites_evidence(ans, r.get("evidence", ""))
    return {"first": first, "sentence": sentence, "full": full, "n": len(rows),
            "generated": generated, "evidence": evidence}


def latency_table(settings: Settings, rows: list[dict], budgets: list[tuple[int, int]],
                  formats: list[bool], loads: list[bool]) -> list[str]:
    """Return the Markdown rows: each prompt budget (passages × characters), answer format
    (JSON sentences or free text) and load (as found, or beside a CPU hog), in that nesting,
    all on the same questions in one run. Every row starts its own model server: the server
    keeps earlier prompts in its cache, and a row after another over the same questions would
    find their passages there (a new question's would not be)."""
    from qa.llm_answer import LLMAnswerGenerator
    from qa.llm_model import open_chat_model
    from qa.system import build_answerer, build_embedder, build_stores

    embedder = build_embedder(settings)
    answerer = build_answerer(settings, embedder, build_stores(settings, embedder))
    warm_up = "政务服务是什么？"  # not one of the questions: fills the cache with the instructions only
    lines = ["| passages × chars | answer format | load | first token s (median / p95) | "
             "first sentence s | full answer s | generated answer kept | cites the evidence |",
             "|---|---|---|---|---|---|---|---|"]
    for passages, chars in budgets:
        answerer.settings = replace(answerer.settings, llm_passages=passages,
                                    llm_passage_chars=chars)
        for hog in loads:
            for structured in formats:
                chat, server = open_chat_model(settings)
                try:
                    answerer.generator = LLMAnswerGenerator(chat, structured=structured)
                    answerer.answer(warm_up, mode="llm")
                    with cpu_hog(hog):
                        res = run_answers(answerer, rows)
                finally:
                    server and server.close()
                name = "JSON sentences" if structured else "free text [n]"
                load = "+ 1 CPU-bound process" if hog else "as found"
                lines.append(
                    f"| {passages} × {chars} | {name} | {load} | {p50_p95(res['first'])} | "
                    f"{p50_p95(res['sentence'])} | {p50_p95(res['full'])} | "
                    f"{res['generated']}/{res['n']} | {res['evidence']}/{res['generated']} |")
                print(lines[-1], flush=True)
    return lines


def parse_budgets(text: str) -> list[tuple[int, int]]:
    """Return [(passages, chars)] from "2x300,1x300"."""
    return [tuple(int(x) for x in part.split("x")) for part in text.split(",") if part]


def post(root: str, path: str, body: dict) -> dict:
    """Return the JSON reply of the local server to a POST."""
    import urllib.request

    request = urllib.request.Request(root + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as r:
        return json.loads(r.read())


def prompt_messages(question: str, passages: list[str]) -> list[dict]:
    """Return the structured-answer prompt as OpenAI chat messages."""
    from qa.llm_answer import answer_inputs, answer_prompt

    messages = answer_prompt(structured=True).format_messages(**answer_inputs(question, passages))
    return [{"role": {"human": "user"}.get(m.type, m.type), "content": m.content} for m in messages]


def prompt_tokens(root: str, messages: list[dict]) -> list[int]:
    """Return the token ids the server reads for messages (its chat template applied)."""
    prompt = post(root, "/apply-template", {"messages": messages})["prompt"]
    return post(root, "/tokenize", {"content": prompt, "add_special": False})["tokens"]


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def curve_table(settings: Settings, rows: list[dict], timed: int) -> list[str]:
    """Return Markdown rows: for 1–4 passages of 150/220/300 characters, the prompt tokens
    read anew (the rest comes from the prefix cache), the server's prompt time until the first
    token on the first `timed` questions, and how often the labelled evidence is in the
    passages at all (the quality side of the trade)."""
    from qa.answer import AnswerSettings
    from qa.evidence import passage_window
    from qa.llm_model import start_local_server
    from qa.system import build_answerer, build_embedder, build_stores
    from vectorstore.text import normalize_for_match

    embedder = build_embedder(settings)
    server = start_local_server(settings)
    root = server.base_url.removesuffix("/v1")
    answerer = build_answerer(settings, embedder, build_stores(settings, embedder))
    hits_of = {r["id"]: answerer.retriever.retrieve(r["question"], 5) for r in rows}
    lines = ["| passages | chars each | prompt tokens read anew (median / max) | "
             "first token s, server prompt time (median / p95) | evidence in the passages |",
             "|---|---|---|---|---|"]
    try:
        previous: list[int] = prompt_tokens(root, prompt_messages("预热？", ["预热。"]))
        post(root, "/v1/chat/completions", {"messages": prompt_messages("预热？", ["预热。"]),
                                            "max_tokens": 1})
        for n in (1, 2, 3, 4):
            for chars in (150, 220, 300):
                answerer.settings = replace(AnswerSettings(), llm_passage_chars=chars)
                fresh, times, inside = [], [], 0
                for i, r in enumerate(rows):
                    q = r["question"]
                    passages = [passage_window(q, h.chunk.text, answerer.tokenizer, chars)
                                for h in hits_of[r["id"]][:n]]
                    ev = normalize_for_match(r.get("evidence", ""))
                    inside += any(ev and ev in normalize_for_match(p) for p in passages)
                    messages = prompt_messages(q, passages)
                    tokens = prompt_tokens(root, messages)
                    fresh.append(len(tokens) - common_prefix(tokens, previous))
                    previous = tokens
                    if i < timed:
                        reply = post(root, "/v1/chat/completions",
                                     {"messages": messages, "max_tokens": 1, "temperature": 0})
                        times.append(reply["timings"]["prompt_ms"])
                fresh.sort()
                lines.append(f"| {n} | {chars} | {statistics.median(fresh):.0f} / {fresh[-1]} | "
                             f"{p50_p95(times)} | {inside}/{len(rows)} |")
                print(lines[-1], flush=True)
    finally:
        server.close()
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", default="data/eval/dev.jsonl")
    ap.add_argument("--split", default=None, help="only questions of this split (tune)")
    ap.add_argument("--n", type=int, default=20, help="questions to answer")
    ap.add_argument("--curve", action="store_true", help="the prompt-budget curve instead")
    ap.add_argument("--timed", type=int, default=3,
                    help="curve: questions per setting whose first-token time is measured")
    ap.add_argument("--budgets", default="2x300",
                    help="prompt budgets to compare, passages x characters each: 2x300,1x300")
    ap.add_argument("--formats", choices=["both", "json", "text"], default="both")
    ap.add_argument("--loads", choices=["both", "idle", "hog"], default="both",
                    help="as found, beside a second CPU-bound process, or both")
    ap.add_argument("--no-write", action="store_true", help="print only, leave results.md")
    args = ap.parse_args(argv)
    settings = Settings(llm_base_url="")
    rows = load_questions(args.questions, args.split, args.n)
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t0 = time.perf_counter()
    formats = {"both": [True, False], "json": [True], "text": [False]}[args.formats]
    loads = {"both": [False, True], "idle": [False], "hog": [True]}[args.loads]
    lines = (curve_table(settings, rows, args.timed) if args.curve else
             latency_table(settings, rows, parse_budgets(args.budgets), formats, loads))
    load_after = os.getloadavg()
    command = "python -m bench.llm_latency " + " ".join(sys.argv[1:] if argv is None else argv)
    title = "LLM prompt budget" if args.curve else "LLM answer latency"
    section = [
        "", f"## {title} ({started})", "",
        f"`{command}` — {len(rows)} questions from {args.questions}"
        + (f" (split {args.split})" if args.split else "")
        + f", {settings.llm_threads} llama.cpp threads, n_ctx {settings.llm_ctx}, "
        f"{(time.perf_counter() - t0) / 60:.1f} min. Load average (1/5/15 min) at start "
        f"{' / '.join(f'{x:.2f}' for x in load_before)}, at end "
        f"{' / '.join(f'{x:.2f}' for x in load_after)} on {os.cpu_count()} cores.", "",
        *lines,
    ]
    print("\n".join(section))
    if not args.no_write:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write("\n".join(section) + "\n")


if __name__ == "__main__":
    main()
