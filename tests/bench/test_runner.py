"""bench.runner.Runner: --resume reuses what an earlier run of the same command left."""
from __future__ import annotations

import json
import shlex

import pytest

from bench.runner import PY, Runner

MODULE = "bench.no_such_worker"  # running it would fail: a reused step never runs


def leave_earlier_run(out, step: str, args: tuple[str, ...]) -> None:
    """Write the files a finished run of step leaves in out."""
    result = out / f"{step}.json"
    result.write_text(json.dumps({"median_ms": 12.5}), encoding="utf-8")
    (out / f"{step}.time").write_text("204800 3.25\n")
    (out / f"{step}.command").write_text(json.dumps({"step": step, "command": "x", "seconds": 3.3}))
    (out / f"{step}.done").write_text(shlex.join([PY, "-m", MODULE, *args, "--out", str(result)]))


def test_resume_reuses_the_result_of_the_same_command(tmp_path):
    leave_earlier_run(tmp_path, "latency_1x", ("--size", "1"))
    runner = Runner(tmp_path, resume=True)

    data = runner.run("latency_1x", MODULE, "--size", "1")

    assert data["median_ms"] == 12.5
    assert data["time_maxrss_mb"] == 200.0 and data["process_seconds"] == 3.25
    assert runner.commands == [
        {"step": "latency_1x", "command": "x", "seconds": 3.3, "reused": True}]


def test_a_changed_command_is_run_again_and_the_old_result_dropped(tmp_path):
    leave_earlier_run(tmp_path, "latency_1x", ("--size", "1"))
    runner = Runner(tmp_path, resume=True)

    with pytest.raises((SystemExit, FileNotFoundError)):  # the worker does not exist
        runner.run("latency_1x", MODULE, "--size", "10")

    assert not (tmp_path / "latency_1x.json").exists()
    assert not (tmp_path / "latency_1x.done").exists()


def test_without_resume_nothing_is_reused(tmp_path):
    leave_earlier_run(tmp_path, "latency_1x", ("--size", "1"))

    with pytest.raises((SystemExit, FileNotFoundError)):
        Runner(tmp_path).run("latency_1x", MODULE, "--size", "1")

    assert not (tmp_path / "latency_1x.json").exists()
