"""Checks that the labelled question set (data/eval/parts/*.jsonl -> questions.jsonl) is well
formed, grounded in the bundled corpus and split as evaluation.split_questions splits it."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from evaluation.split_questions import (
    PARTS_DIR,
    QUESTIONS_FILE,
    assign_splits,
    build_questions_text,
    id_sort_key,
    load_parts,
    render,
)
from vectorstore.text import normalize_for_match

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "data" / "corpus"

FIELDS = ["id", "type", "kind", "slot", "question", "history", "source_file", "speech",
          "evidence", "answer", "keywords", "split"]
TYPES = {"fact", "concept", "paraphrase", "where", "followup", "unanswerable"}
KINDS = {"off_topic", "near_miss", "redacted"}
SLOTS = {"count", "amount", "percent", "duration", "date", "article", "doc_number", "entity",
         "list", "definition", "which_speech", "reason", "measure", "other"}
NOT_FOUND = "资料中未找到"
REDACTED = "原文未给出具体数字"
AD_MARKERS = ("笔杆儿网", "新文秘网", "www")
# Title lines (1-based) of the 20 speeches bundled in 004_…, 篇一…篇二十.
SPEECH_TITLE_LINES = [3, 22, 29, 48, 78, 95, 104, 132, 165, 223, 241, 253, 336, 378, 393, 410,
                      451, 471, 521, 538]
NUMERALS = "一二三四五六七八九十"
SPEECH_NAMES = ["篇" + (NUMERALS[n - 1] if n <= 10 else "十" + NUMERALS[n - 11] if n < 20 else "二十")
                for n in range(1, 21)]

PARTS = load_parts()
RECORDS = [record for _, record in PARTS]
ANSWERABLE = [r for r in RECORDS if r["type"] != "unanswerable"]
WITH_EVIDENCE = [r for r in RECORDS if r["kind"] in ("", "redacted")]


def _corpus_file(prefix: str) -> Path:
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path


def _speech_texts() -> dict[str, tuple[str, str]]:
    """Return speech name -> (corpus file name, normalize_for_match text of that speech)."""
    texts = {}
    for prefix in ("000", "001", "002", "003"):
        path = _corpus_file(prefix)
        texts[prefix] = (path.name, normalize_for_match(path.read_text(encoding="utf-8")))
    bundle = _corpus_file("004")
    lines = bundle.read_text(encoding="utf-8").splitlines()
    bounds = [n - 1 for n in SPEECH_TITLE_LINES] + [len(lines)]
    for name, start, end in zip(SPEECH_NAMES, bounds, bounds[1:]):
        texts[name] = (bundle.name, normalize_for_match("\n".join(lines[start:end])))
    return texts


SPEECHES = _speech_texts()


def _letters(s: str) -> str:
    """Return s normalised with everything but letters and digits removed."""
    return re.sub(r"[\W_]+", "", normalize_for_match(s))


def test_speech_boundaries_match_the_titles():
    bundle = _corpus_file("004").read_text(encoding="utf-8").splitlines()
    for name, line in zip(SPEECH_NAMES, SPEECH_TITLE_LINES):
        assert bundle[line - 1].endswith("讲话" + name), (name, bundle[line - 1])


def test_part_lines_have_exactly_the_fields_in_order():
    for path in sorted(PARTS_DIR.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            record = json.loads(line)
            assert list(record) == FIELDS, f"{path.name}:{n}"
            assert record["id"].startswith(path.stem + "-"), f"{path.name}:{n}"
            assert record["split"] == "", f"{path.name}:{n}: split is filled by split_questions"


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_field_types_and_values(record):
    assert re.fullmatch(r"[a-z]+-\d{3}", record["id"])
    for key in ("type", "kind", "slot", "question", "source_file", "speech", "evidence", "answer"):
        assert isinstance(record[key], str), key
    assert record["type"] in TYPES
    assert record["slot"] in SLOTS
    assert re.search(r"[\u4e00-\u9fff]", record["question"])
    assert record["answer"].strip()
    assert isinstance(record["keywords"], list)
    assert all(isinstance(k, str) and k for k in record["keywords"])
    assert isinstance(record["history"], list)
    if record["type"] == "unanswerable":
        assert record["kind"] in KINDS
        assert record["keywords"] == []
    else:
        assert record["kind"] == ""
        assert 1 <= len(record["keywords"]) <= 4


def test_ids_and_questions_are_unique():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    questions = [(r["question"], json.dumps(r["history"], ensure_ascii=False)) for r in RECORDS]
    assert len(questions) == len(set(questions))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_source_speech_and_evidence_agree_with_the_kind(record):
    kind = record["kind"]
    if kind == "off_topic":
        assert (record["source_file"], record["speech"], record["evidence"]) == ("", "", "")
        assert record["answer"] == NOT_FOUND
    elif kind == "near_miss":
        assert (record["source_file"], record["evidence"]) == ("", "")
        assert record["speech"] in SPEECHES
        assert record["answer"] not in (NOT_FOUND, REDACTED)
    else:
        assert record["speech"] in SPEECHES
        assert record["source_file"] == SPEECHES[record["speech"]][0]
        if kind == "redacted":
            assert record["answer"] == REDACTED


@pytest.mark.parametrize("record", WITH_EVIDENCE, ids=lambda r: r["id"])
def test_evidence_is_verbatim_in_its_speech(record):
    evidence = record["evidence"]
    assert "\n" not in evidence
    assert not any(m in evidence for m in AD_MARKERS)
    normalized = normalize_for_match(evidence)
    assert 10 <= len(normalized) <= 80
    assert normalized in SPEECHES[record["speech"]][1]


@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_keywords_occur_in_evidence_and_answer(record):
    evidence = normalize_for_match(record["evidence"])
    for keyword in record["keywords"]:
        assert normalize_for_match(keyword) in evidence, keyword
        assert keyword in record["answer"], keyword


@pytest.mark.parametrize("record", [r for r in RECORDS if r["type"] == "paraphrase"],
                         ids=lambda r: r["id"])
def test_paraphrase_copies_no_four_character_run_of_its_evidence(record):
    question, evidence = _letters(record["question"]), _letters(record["evidence"])
    copied = [question[i:i + 4] for i in range(len(question) - 3) if question[i:i + 4] in evidence]
    assert copied == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_only_followups_have_one_earlier_turn(record):
    if record["type"] == "followup":
        assert len(record["history"]) == 1
        (turn,) = record["history"]
        assert isinstance(turn, list) and len(turn) == 2
        assert all(isinstance(s, str) and s.strip() for s in turn)
    else:
        assert record["history"] == []


def test_where_questions_ask_for_the_source():
    for r in RECORDS:
        if r["type"] == "where":
            assert r["slot"] == "which_speech", r["id"]
            assert any(w in r["question"] for w in ("原文", "出处", "出自")), r["id"]


def test_every_speech_of_a_part_has_at_least_four_questions():
    per_speech = Counter((part, r["speech"]) for part, r in PARTS if r["speech"])
    assert per_speech and min(per_speech.values()) >= 4, per_speech


def test_questions_file_is_what_split_questions_writes():
    assert QUESTIONS_FILE.read_text(encoding="utf-8") == build_questions_text()


def test_questions_file_has_valid_splits_near_forty_percent_tune():
    records = [json.loads(line) for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == sorted((r["id"] for r in RECORDS), key=id_sort_key)
    assert {r["split"] for r in records} == {"tune", "test"}
    share = sum(r["split"] == "tune" for r in records) / len(records)
    assert 0.35 <= share <= 0.45, share
    for kind in TYPES:
        typed = [r for r in records if r["type"] == kind]
        assert 0.25 <= sum(r["split"] == "tune" for r in typed) / len(typed) <= 0.6, kind


def _item(item_id: str, speech: str = "000", kind: str = "fact") -> dict:
    return {"id": item_id, "type": kind, "kind": "", "speech": speech, "split": ""}


def test_adding_a_part_or_appending_items_keeps_existing_splits():
    part_a = [("a", _item(f"a-{n:03d}", speech=str(n % 3))) for n in range(1, 41)]
    before = {r["id"]: r["split"] for r in assign_splits(part_a)}
    part_b = [("b", _item(f"b-{n:03d}", speech=str(n % 2))) for n in range(1, 30)]
    more_a = [("a", _item(f"a-{n:03d}", speech=str(n % 3))) for n in range(41, 61)]
    after = {r["id"]: r["split"] for r in assign_splits(part_b + part_a + more_a)}
    assert {i: after[i] for i in before} == before
    assert 0.3 <= sum(s == "tune" for s in after.values()) / len(after) <= 0.5


def test_each_stratum_is_about_forty_percent_tune():
    items = [("a", _item(f"a-{n:03d}")) for n in range(1, 21)]
    splits = [r["split"] for r in assign_splits(items)]
    assert splits.count("tune") == 8


def test_split_rejects_duplicate_ids():
    with pytest.raises(ValueError):
        assign_splits([("a", _item("a-001")), ("b", _item("a-001", speech="篇九"))])


def test_render_keeps_chinese_and_one_object_a_line():
    text = render([{"id": "a-001", "question": "青松办是什么？"}])
    assert text == '{"id": "a-001", "question": "青松办是什么？"}\n'


# The proportions hold on the whole set (parts a and b together).
def test_whole_set_has_at_least_300_questions():
    assert len(RECORDS) >= 300, len(RECORDS)


def test_at_least_30_percent_paraphrases():
    share = sum(r["type"] == "paraphrase" for r in RECORDS) / len(RECORDS)
    assert share >= 0.30, share


def test_at_least_25_percent_unanswerable_of_all_three_kinds():
    unanswerable = [r for r in RECORDS if r["type"] == "unanswerable"]
    assert len(unanswerable) / len(RECORDS) >= 0.25
    assert {r["kind"] for r in unanswerable} == KINDS


def test_at_least_30_followups():
    assert sum(r["type"] == "followup" for r in RECORDS) >= 30
