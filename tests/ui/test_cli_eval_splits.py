"""`zwqa eval` on the labelled set, in child processes, on a real index of the bundled corpus:
tune and test side by side, kinds as rows, --split, follow-ups answered with their history."""
import json

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

QUESTIONS = PROJECT_ROOT / "data" / "eval" / "questions.jsonl"
DEV = PROJECT_ROOT / "data" / "eval" / "dev.jsonl"


def _subset(tmp_path):
    """Write a small subset of questions.jsonl: per split a fact, a follow-up opening with 那
    and a near miss, plus an off-topic question."""
    records = [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    picked = []
    for split in ("tune", "test"):
        for kind in (("fact", ""), ("followup", ""), ("unanswerable", "near_miss")):
            picked.append(next(r for r in records if (r["type"], r["kind"]) == kind
                               and r["split"] == split and r not in picked
                               and (kind[0] != "followup" or r["question"].startswith("那"))))
    picked.append(next(r for r in records if r["kind"] == "off_topic"))
    path = tmp_path / "subset.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked),
                    encoding="utf-8")
    return path, picked


def test_eval_reports_tune_and_test_with_kinds(zwqa_cli, bundled_index, tmp_path):
    path, picked = _subset(tmp_path)
    out = tmp_path / "answers.jsonl"
    proc = zwqa_cli.run(["eval", str(path), "--json", "--out", str(out)], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    zwqa = json.loads(proc.stdout)["systems"]["zwqa"]
    assert list(zwqa["splits"]) == ["tune", "test"]
    assert sum(s["n"] for s in zwqa["splits"].values()) == zwqa["overall"]["n"] == len(picked)
    assert "unanswerable:near_miss" in zwqa["by_type"]
    assert "unanswerable:near_miss" in zwqa["splits"]["test"]["by_type"]
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["score"]["split"], x["score"]["kind"]) for x in lines] == [
        (r["split"], r["kind"]) for r in picked]
    # Follow-ups are answered with their history: "那…？" is rewritten with the earlier turn.
    followups = [x for x, r in zip(lines, picked) if r["type"] == "followup"]
    assert len(followups) == 2 and any(x["rewritten"] for x in followups)

    proc = zwqa_cli.run(["eval", str(path)], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    header = proc.stdout.splitlines().index(next(line for line in proc.stdout.splitlines()
                                                 if line.startswith("题型")))
    assert proc.stdout.splitlines()[header + 1].split()[:2] == ["tune", "test"]
    assert "near_miss" in proc.stdout and "误拒率" in proc.stdout


def test_eval_restricts_to_one_split_and_rejects_a_missing_one(zwqa_cli, bundled_index, tmp_path):
    path, picked = _subset(tmp_path)
    proc = zwqa_cli.run(["eval", str(path), "--split", "test", "--json"], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    zwqa = json.loads(proc.stdout)["systems"]["zwqa"]
    assert list(zwqa["splits"]) == ["test"]
    assert zwqa["overall"]["n"] == sum(r["split"] == "test" for r in picked)

    proc = zwqa_cli.run(["eval", str(DEV), "--split", "tune"], bundled_index.index_dir)
    assert proc.returncode == 2
    assert "tune" in proc.stderr
