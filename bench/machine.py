"""Describes the machine and the software a benchmark ran on."""
from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from bench.runner import ROOT

PACKAGES = ("torch", "chromadb", "sentence-transformers", "transformers", "onnxruntime", "xllamacpp",
            "langchain-chroma")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_state() -> str:
    """Return the short commit of the repository, marked when the tree has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                    text=True).stdout.strip())
    except OSError:
        commit, dirty = "?", False
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


def machine() -> dict:
    """Return what the machine and the software are."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "cpu_flags": " ".join(f for f in ("avx2", "avx512f", "avx512_vnni") if f" {f}" in cpuinfo),
        "python": platform.python_version(),
        **{package: _version(package) for package in PACKAGES},
        "git": _git_state(),
    }
