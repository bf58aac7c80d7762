"""Runs the benchmark's measured steps, each in its own process under /usr/bin/time, and keeps
their exact command lines for the report."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


def shown_path(s: str) -> str:
    """Return a command-line word as the report shows it: paths relative to the repository."""
    if s == PY:
        return ".venv/bin/python" if Path(PY).parent.parent == ROOT / ".venv" else s
    try:
        return str(Path(s).resolve().relative_to(ROOT)) if s.startswith("/") else s
    except ValueError:
        return s


class Runner:
    """Starts the measured subprocesses and keeps their exact command lines."""

    def __init__(self, out: Path, resume: bool = False):
        self.out = out
        self.resume = resume
        self.commands: list[dict] = []

    def run(self, step: str, module: str, *args: str, pythonpath: str = "") -> dict:
        """Return the JSON a worker wrote, after running it under /usr/bin/time (or the JSON an
        earlier run of the same command left, with --resume)."""
        result = self.out / f"{step}.json"
        cmd = [PY, "-m", module, *args, "--out", str(result)]
        done = self.out / f"{step}.done"
        if self.resume and done.is_file() and done.read_text() == shlex.join(cmd) and result.is_file():
            print(f"[bench] {step}: reused from an earlier run (--resume)", flush=True)
            self.commands.append({**json.loads((self.out / f"{step}.command").read_text()),
                                  "reused": True})
            return self._read_result(step)
        # Not reusable: drop what an earlier run left before measuring again.
        done.unlink(missing_ok=True)
        result.unlink(missing_ok=True)
        print(f"[bench] {step}: {shlex.join(cmd)}", flush=True)
        t = time.perf_counter()
        full = ["/usr/bin/time", "-o", str(self.out / f"{step}.time"), "-f", "%M %e", *cmd]
        env = {**ENV, "PYTHONPATH": f"{ROOT}:{pythonpath}"} if pythonpath else ENV
        proc = subprocess.run(full, cwd=ROOT, env=env)
        wall = time.perf_counter() - t
        prefix = ["HF_HUB_OFFLINE=1"] + ([f"PYTHONPATH=.:{shown_path(pythonpath)}"] if pythonpath else [])
        entry = {"step": step, "command": shlex.join([*prefix, *[shown_path(c) for c in cmd]]),
                 "seconds": round(wall, 1)}
        self.commands.append(entry)
        if proc.returncode != 0:
            raise SystemExit(f"[bench] step {step} failed (exit {proc.returncode})")
        (self.out / f"{step}.command").write_text(json.dumps(entry))
        done.write_text(shlex.join(cmd))
        data = self._read_result(step)
        print(f"[bench] {step}: done in {wall:.0f} s", flush=True)
        return data

    def _read_result(self, step: str) -> dict:
        """Return the step's JSON with its peak RSS and elapsed seconds from /usr/bin/time."""
        data = json.loads((self.out / f"{step}.json").read_text(encoding="utf-8"))
        maxrss_kb, elapsed = (self.out / f"{step}.time").read_text().split()[-2:]
        data["time_maxrss_mb"] = int(maxrss_kb) / 1024
        data["process_seconds"] = float(elapsed)
        return data
