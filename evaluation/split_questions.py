"""Assigns the tune/test split of the labelled questions and writes data/eval/questions.jsonl.

    python -m evaluation.split_questions            # parts/*.jsonl -> questions.jsonl
    python -m evaluation.split_questions --check    # exit 1 if questions.jsonl is stale

Every item falls in a stratum (part, speech, type, kind): the part is the file it comes from
(parts/a.jsonl -> "a"). Inside a stratum, items are taken in id order and split by systematic
sampling with a seeded random start: the k-th item is `tune` when floor((k+1)*r + o) >
floor(k*r + o), r = TUNE_SHARE, o drawn from a hash of SEED and the stratum. So each stratum
is ~40% tune, and an item's split depends only on the items of its own stratum with smaller
ids: adding a part, or appending items to a part, never moves an existing item.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parents[1] / "data" / "eval"
PARTS_DIR = EVAL_DIR / "parts"
QUESTIONS_FILE = EVAL_DIR / "questions.jsonl"
SPLITS = ("tune", "test")
TUNE_SHARE = 0.4
SEED = "zwqa-eval-2026"


def id_sort_key(item_id: str) -> tuple:
    """Return a key ordering ids like "a-002" < "a-010" < "b-001" (numbers compared as numbers)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", item_id))


def load_parts(parts_dir: Path = PARTS_DIR) -> list[tuple[str, dict]]:
    """Return (part name, record) for every line of parts_dir/*.jsonl, parts in name order."""
    paths = sorted(parts_dir.glob("*.jsonl"))
    if not paths:
        raise FileNotFoundError(f"no *.jsonl in {parts_dir}")
    items = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((path.stem, json.loads(line)))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path.name}:{n}: {e}") from e
    return items


def stratum_of(part: str, record: dict) -> tuple[str, str, str, str]:
    """Return the stratum an item is split within: (part, speech, type, kind)."""
    return (part, record.get("speech", ""), record.get("type", ""), record.get("kind", ""))


def _start_offset(stratum: tuple[str, ...]) -> float:
    digest = hashlib.sha256("|".join((SEED, *stratum)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_splits(items: Iterable[tuple[str, dict]]) -> list[dict]:
    """Return copies of the records with "split" filled, sorted by id."""
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for part, record in items:
        strata[stratum_of(part, record)].append(dict(record))
    out = []
    for stratum, records in strata.items():
        offset = _start_offset(stratum)
        records.sort(key=lambda r: id_sort_key(r["id"]))
        for k, record in enumerate(records):
            is_tune = math.floor((k + 1) * TUNE_SHARE + offset) > math.floor(k * TUNE_SHARE + offset)
            record["split"] = "tune" if is_tune else "test"
            out.append(record)
    ids = [r["id"] for r in out]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate ids: {duplicates}")
    return sorted(out, key=lambda r: id_sort_key(r["id"]))


def render(records: Iterable[dict]) -> str:
    """Return the records as JSON Lines text (UTF-8 characters kept, one object a line)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def build_questions_text(parts_dir: Path = PARTS_DIR) -> str:
    """Return the text questions.jsonl must hold for the parts in parts_dir."""
    return render(assign_splits(load_parts(parts_dir)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.split_questions",
                                     description="给标注问题分配 tune/test 并写出 questions.jsonl")
    parser.add_argument("--parts", type=Path, default=PARTS_DIR, help="parts/*.jsonl 所在目录")
    parser.add_argument("--out", type=Path, default=QUESTIONS_FILE, help="输出文件")
    parser.add_argument("--check", action="store_true", help="只检查输出文件是否最新，不写")
    args = parser.parse_args(argv)
    text = build_questions_text(args.parts)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} 与 {args.parts} 不一致，请重新运行 python -m evaluation.split_questions",
                  file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    counts = {s: sum(r["split"] == s for r in records) for s in SPLITS}
    print(f"{args.out}: {len(records)} 题，tune {counts['tune']}，test {counts['test']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
