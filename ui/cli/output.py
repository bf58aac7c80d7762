"""What every command prints the same way: JSON lines, error messages, progress on stderr."""
from __future__ import annotations

import json
import sys

PLAIN_PROGRESS_SECONDS = 30  # off a terminal, a progress line at most this often (and at the end)


def print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def fail(message) -> int:
    """Print message as an error on stderr; return the exit code of an expected failure (2)."""
    print(f"错误：{message}", file=sys.stderr)
    return 2


def progress_bar(desc: str, unit: str, plain_off_terminal: bool = True):
    """Return a progress(done, total) callback reporting on stderr, and a function closing it:
    a bar on a terminal (always, without plain_off_terminal), else a plain line at most every
    PLAIN_PROGRESS_SECONDS and at the end."""
    import time

    bar = None
    last = [0.0]

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total == 0:
            return
        if plain_off_terminal and not sys.stderr.isatty():
            now = time.monotonic()
            if done == total or now - last[0] >= PLAIN_PROGRESS_SECONDS:
                last[0] = now
                print(f"{desc}：{done}/{total} {unit}", file=sys.stderr, flush=True)
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)
        bar.update(done - bar.n)

    def close() -> None:
        if bar is not None:
            bar.close()

    return progress, close
