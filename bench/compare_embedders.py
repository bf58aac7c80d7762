"""Compares embedding models through the whole zwqa retrieval stack, in one run.

    .venv/bin/python -m bench.compare_embedders [--models m3e-small multilingual-e5-small]
        [--questions data/eval/questions.jsonl] [--ncp-limit 300] [--skip-ncp]
        [--external-dir DIR] [--workdir DIR]

For each model: `zwqa ingest` of the bundled corpus into an index folder of its own (under
--workdir, never the user's index; incremental, so a rerun with the same workdir re-embeds
nothing), then `zwqa eval` of the labelled questions (tune and test side by side), then — last,
since it embeds ~5k contexts per model — `zwqa eval --dataset ncp --limit N --seed 0` with its
contexts cached under --workdir (a rerun only answers the questions). The models run side by
side. Everything runs as the `zwqa`
command runs, in child processes with ZWQA_EMBED_MODEL set. After every finished step the section
"Embedding models compared" at the end of bench/results.md is rewritten, so a run cut short
still reports what it finished. Raw figures go to <workdir>/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS_MD = ROOT / "bench" / "results.md"
SECTION = "## Embedding models compared"
METRICS = ("hit@1", "hit@3", "hit@5", "mrr@10", "refusal_recall", "false_refusal")
DATASETS = ("tune", "test", "ncp")


def zwqa(args: list[str], model: str, index_dir: Path) -> dict:
    """Return the last JSON line printed by `zwqa <args>` run with the given model and index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZWQA_")}
    env.update(ZWQA_EMBED_MODEL=model, ZWQA_INDEX_DIR=str(index_dir), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"zwqa {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def figures(report: dict, split: str | None) -> dict:
    """Return the retrieval and refusal figures of zwqa in an eval report (one split or all)."""
    system = report["systems"]["zwqa"]
    part = system["splits"][split] if split else system
    out = {m: part["overall"].get(m) for m in METRICS}
    out["n"] = f"{part['overall']['answerable']}/{part['overall']['n']}"
    return out


def run(models: list[str], questions: Path, workdir: Path, ncp_limit: int, skip_ncp: bool,
        command: str, external_dir: str | None = None) -> dict:
    """Return the results of every step, writing them after each one."""
    state = {"command": command, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "questions": str(questions.relative_to(ROOT) if questions.is_relative_to(ROOT) else questions),
             "load_start": os.getloadavg(), "models": {m: {} for m in models}, "steps": []}

    lock = threading.Lock()

    def step(name: str, model: str, fn) -> None:
        t0 = time.perf_counter()
        result: dict = {}
        try:
            fn(result)
            status = "ok"
        except RuntimeError as exc:
            status = f"failed: {str(exc).splitlines()[0]}"
            print(exc, file=sys.stderr)
        with lock:
            state["models"][model].update(result)
            state["steps"].append({"step": name, "model": model, "status": status,
                                   "seconds": round(time.perf_counter() - t0, 1)})
            state["load_end"] = os.getloadavg()
            save(state, workdir)
        print(f"[{name} {model}] {status} in {round(time.perf_counter() - t0, 1)} s", file=sys.stderr)

    def labelled_set(model: str) -> None:
        index_dir = workdir / model / "index"

        def ingest(res):
            report = zwqa(["ingest", "--json"], model, index_dir)  # incremental: a rerun reuses it
            res["chunks"] = report["chunks"]

        def labelled(res):
            report = zwqa(["eval", str(questions), "--json"], model, index_dir)
            for split in ("tune", "test"):
                res[split] = figures(report, split)

        step("ingest", model, ingest)
        step("eval tune+test", model, labelled)

    def ncp_set(model: str) -> None:
        def ncp(res):
            report = zwqa(["eval", "--dataset", "ncp", "--limit", str(ncp_limit), "--seed", "0",
                           "--json", "--cache-dir", str(workdir / model / "eval-cache")]
                          + (["--external-dir", external_dir] if external_dir else []),
                          model, workdir / model / "index")
            res["ncp"] = figures(report, None)

        step("eval ncp", model, ncp)

    # The models run side by side (each in its own processes): on a shared machine that keeps
    # their conditions alike, and the ncp step embeds ~5k contexts per model.
    side_by_side(labelled_set, models)
    if not skip_ncp:
        side_by_side(ncp_set, models)
    return state


def side_by_side(fn, models: list[str]) -> None:
    """Run fn(model) for every model in parallel threads; return when all are done."""
    threads = [threading.Thread(target=fn, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def save(state: dict, workdir: Path) -> None:
    (workdir / "results.json").write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.is_file() else ""
    head = text.split("\n" + SECTION + "\n")[0].rstrip("\n")
    RESULTS_MD.write_text(head + "\n\n" + markdown(state), encoding="utf-8")


def markdown(state: dict) -> str:
    """Return the results.md section of a (possibly unfinished) comparison."""
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    lines = [SECTION, "",
             f"Written by `{state['command']}` (started {state['started']}, git {git}, "
             f"nproc {os.cpu_count()}, {platform.machine()}; load average "
             f"{' / '.join(f'{x:.1f}' for x in state['load_start'])} at start, "
             f"{' / '.join(f'{x:.1f}' for x in state.get('load_end', state['load_start']))} at the last step).",
             "Each model gets its own index of the bundled corpus; the questions are answered "
             "by the whole stack (dense + BM25 + character pairs, RRF, coverage rerank, refusal) in "
             "extractive mode. hit@k / MRR@10 over answerable questions; refusal recall and false "
             f"refusals as `zwqa eval` reports them. Labelled questions: {state['questions']}.", "",
             "| set | model | answerable/n | hit@1 | hit@3 | hit@5 | MRR@10 | refusal recall | false refusals |",
             "|---|---|---|---|---|---|---|---|---|"]
    for dataset in DATASETS:
        for model, res in state["models"].items():
            f = res.get(dataset)
            if f is None:
                lines.append(f"| {dataset} | {model} | – | not finished in this run | | | | | |")
                continue
            cells = ["–" if f.get(m) is None else f"{f[m]:.3f}" for m in METRICS]
            lines.append(f"| {dataset} | {model} | {f['n']} | " + " | ".join(cells) + " |")
    lines += ["", "| step | model | seconds | status |", "|---|---|---|---|"]
    lines += [f"| {s['step']} | {s['model']} | {s['seconds']} | {s['status']} |" for s in state["steps"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=["m3e-small", "multilingual-e5-small"])
    p.add_argument("--questions", type=Path, default=ROOT / "data" / "eval" / "questions.jsonl")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/zwqa-compare-embedders"))
    p.add_argument("--ncp-limit", type=int, default=300)
    p.add_argument("--skip-ncp", action="store_true")
    p.add_argument("--external-dir", default=None, help="folder holding ncp_policy_qa (zwqa's default if empty)")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    command = "python -m bench.compare_embedders " + " ".join(argv if argv is not None else sys.argv[1:])
    run(args.models, args.questions.resolve(), args.workdir, args.ncp_limit, args.skip_ncp,
        command.strip(), args.external_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
