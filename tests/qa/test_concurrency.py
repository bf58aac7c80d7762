"""One Answerer shared by many askers at once — what one Streamlit process does — gives every
asker the answer their question gets when asked alone: no errors, no answers mixed up."""
import json
import threading
import time
from pathlib import Path

import pytest

from qa.system import build_answerer, build_stores

pytestmark = pytest.mark.slow

DEV = Path(__file__).resolve().parents[2] / "data" / "eval" / "dev.jsonl"
THREADS = 8
PER_THREAD = 50


def fingerprint(answer) -> tuple:
    """Return what an asker sees: the text, refusal, and each citation's chunk and highlights."""
    return (
        answer.question,
        answer.text,
        answer.refused,
        tuple((c.n, c.chunk.id, c.chunk.text, c.highlights) for c in answer.citations),
    )


def test_shared_answerer_keeps_askers_apart(bundled_index, embedder):
    answerer = build_answerer(bundled_index, embedder, build_stores(bundled_index, embedder))
    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    alone = {q: fingerprint(answerer.answer(q, mode="extractive")) for q in questions}
    assert len(set(alone.values())) > len(questions) // 2  # answers differ, so mixing would show

    results: list[tuple[str, tuple]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    lock = threading.Lock()

    def asker(t: int) -> None:
        start.wait()
        for j in range(PER_THREAD):
            # Each thread walks the questions from its own offset, so neighbours differ.
            q = questions[(t * PER_THREAD + j) % len(questions)]
            try:
                got = fingerprint(answerer.answer(q, mode="extractive"))
            except BaseException as e:  # noqa: BLE001 - any failure in a thread is the finding
                with lock:
                    errors.append(e)
                continue
            with lock:
                results.append((q, got))

    threads = [threading.Thread(target=asker, args=(t,)) for t in range(THREADS)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    seconds = time.perf_counter() - t0

    assert errors == []
    assert len(results) == THREADS * PER_THREAD
    mixed = [(q, got[0]) for q, got in results if got != alone[q]]
    assert mixed == []
    print(f"{THREADS}×{PER_THREAD} answers in {seconds:.1f} s "
          f"({THREADS * PER_THREAD / seconds:.1f} answers/s on a shared Answerer)")
