"""Checks that the hand-written dev set data/eval/dev.jsonl is well formed and grounded in the corpus."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from vectorstore.text import normalize_for_match

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / "data" / "eval" / "dev.jsonl"
CORPUS = REPO / "data" / "corpus"

KEYS = {"id", "type", "question", "source_file", "evidence", "answer", "keywords"}
# Wanted size of each question type, as an inclusive range around the target count.
TYPE_RANGES = {
    "fact": (15, 22),
    "concept": (10, 15),
    "paraphrase": (12, 18),
    "where": (10, 15),
    "unanswerable": (12, 20),
}
NOT_FOUND = "资料中未找到"
REDACTED = "原文未给出具体数字"
AD_MARKERS = ("笔杆儿网", "新文秘网", "www")
REQUIRED_QUESTIONS = ("321608审批机制是什么？", "哪篇讲话提到青松办？请给出原文")


def _load() -> list[dict]:
    """Return the dev set records in file order."""
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


RECORDS = _load()
ANSWERABLE = [r for r in RECORDS if r["type"] != "unanswerable"]
UNANSWERABLE = [r for r in RECORDS if r["type"] == "unanswerable"]


@pytest.fixture(scope="module")
def corpus_match_text() -> dict[str, str]:
    """Return each corpus file name mapped to its normalize_for_match form."""
    return {p.name: normalize_for_match(p.read_text(encoding="utf-8")) for p in CORPUS.glob("*.txt")}


def test_every_line_is_a_json_object_with_exactly_the_keys():
    for n, line in enumerate(DEV_SET.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"blank line {n}"
        record = json.loads(line)
        assert isinstance(record, dict)
        assert set(record) == KEYS, f"line {n}: {sorted(record)}"
        for key in KEYS - {"keywords"}:
            assert isinstance(record[key], str), f"line {n}: {key}"
        assert isinstance(record["keywords"], list)
        assert all(isinstance(k, str) and k for k in record["keywords"])


def test_ids_are_unique_and_numbered():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"dev-\d{3}", i) for i in ids)


def test_type_counts_and_unanswerable_share():
    counts = Counter(r["type"] for r in RECORDS)
    assert set(counts) == set(TYPE_RANGES)
    for kind, (low, high) in TYPE_RANGES.items():
        assert low <= counts[kind] <= high, (kind, counts[kind])
    assert len(RECORDS) >= 60
    assert counts["unanswerable"] / len(RECORDS) >= 0.15


def test_questions_are_chinese_and_not_repeated():
    questions = [r["question"] for r in RECORDS]
    assert len(questions) == len(set(questions))
    assert all(re.search(r"[\u4e00-\u9fff]", q) for q in questions)


def test_required_user_questions_are_present():
    questions = {r["question"] for r in RECORDS}
    for q in REQUIRED_QUESTIONS:
        assert q in questions


def test_all_five_corpus_files_are_sources():
    corpus_files = {p.name for p in CORPUS.glob("*.txt")}
    assert len(corpus_files) == 5
    assert {r["source_file"] for r in ANSWERABLE} == corpus_files


@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_answerable_evidence_is_in_its_source(record, corpus_match_text):
    evidence = record["evidence"]
    assert record["source_file"] in corpus_match_text
    assert 10 <= len(evidence) <= 80
    assert "\n" not in evidence
    assert not any(m in evidence for m in AD_MARKERS)
    assert normalize_for_match(evidence) in corpus_match_text[record["source_file"]]


@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_answerable_has_answer_and_keywords_it_contains(record):
    assert record["answer"] not in ("", NOT_FOUND, REDACTED)
    assert 2 <= len(record["keywords"]) <= 4
    for keyword in record["keywords"]:
        assert keyword in record["answer"], keyword


def test_where_questions_ask_for_the_source_text():
    for r in RECORDS:
        if r["type"] == "where":
            assert "哪篇" in r["question"] and "原文" in r["question"], r["id"]


def test_unanswerable_have_no_source_or_evidence():
    for r in UNANSWERABLE:
        assert r["source_file"] == "", r["id"]
        assert r["evidence"] == "", r["id"]
        assert r["keywords"] == [], r["id"]
        assert r["answer"] in (NOT_FOUND, REDACTED), r["id"]


def test_some_unanswerable_ask_for_redacted_figures():
    redacted = [r for r in UNANSWERABLE if r["answer"] == REDACTED]
    plain = [r for r in UNANSWERABLE if r["answer"] == NOT_FOUND]
    assert len(redacted) >= 4
    assert len(plain) >= 4
