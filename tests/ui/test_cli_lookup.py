"""`zwqa lookup` and `zwqa terms` on a real index of the bundled corpus."""
from __future__ import annotations

import json

import pytest

from vectorstore.catalog import current_generation, state_dir
from vectorstore.index import open_committed_index
from vectorstore.term_index import load_term_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def speeches(bundled_index):
    return open_committed_index(bundled_index.index_dir).documents()


def test_ingest_saved_the_glossary_with_the_committed_generation(bundled_index):
    generation = current_generation(bundled_index.index_dir)
    terms = load_term_index(state_dir(bundled_index.index_dir, generation))
    assert terms is not None and terms.generation == generation
    assert "一窗受理" in terms.by_term()


def test_lookup_json_lists_every_mention_of_the_term(zwqa_cli, bundled_index, speeches):
    proc = zwqa_cli.run(["lookup", "一窗受理", "--json"], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    by_id = {d.doc_id: d for d in speeches}
    expected = {d.doc_id: d.text.count("一窗受理") for d in speeches if "一窗受理" in d.text}
    assert out["total"] == sum(expected.values()) > 0
    assert {s["doc_id"]: s["count"] for s in out["speeches"]} == expected
    for s in out["speeches"]:
        text = by_id[s["doc_id"]].text
        assert s["count"] == len(s["mentions"])
        for m in s["mentions"]:
            assert text[m["start"]:m["end"]] == "一窗受理"
            assert text[m["sentence_start"]:m["sentence_end"]] == m["sentence"]
            a, b = m["highlight"]
            assert m["sentence"][a:b] == "一窗受理"


def test_lookup_prints_the_definition_first_and_suggests_for_a_miss(zwqa_cli, bundled_index):
    proc = zwqa_cli.run(["lookup", "321608"], bundled_index.index_dir)
    assert proc.returncode == 0 and proc.stdout.startswith("定义")
    assert "“【321608】”审批机制（3个工作日完成企业开办" in proc.stdout.split("\n\n")[0]
    miss = zwqa_cli.run(["lookup", "一窗受里"], bundled_index.index_dir)
    assert miss.returncode == 0 and "没有出现" in miss.stdout and "一窗受理" in miss.stdout
    empty = zwqa_cli.run(["lookup", " "], bundled_index.index_dir)
    assert empty.returncode == 2 and "请输入" in empty.stderr


def test_terms_json_is_the_glossary(zwqa_cli, bundled_index, speeches):
    proc = zwqa_cli.run(["terms", "--json"], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    by_term = {r["term"]: r for r in rows}
    row = by_term["好差评"]
    assert row["mentions"] == sum(d.text.count("好差评") for d in speeches)
    assert row["speeches"] == sum(1 for d in speeches if "好差评" in d.text)
    defined = [r for r in rows if r["definition"]]
    assert len(defined) >= 30
    texts = {d.doc_id: d.text for d in speeches}
    for r in defined:
        assert r["definition"] in texts[r["definition_doc_id"]]
    only = zwqa_cli.run(["terms", "--defined", "--json"], bundled_index.index_dir)
    assert len(only.stdout.splitlines()) == len(defined)
