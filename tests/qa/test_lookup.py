"""Term lookup: every mention, grouped by speech, with sentences, sections and offsets."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunk import chunk_document
from ingest.terms import build_term_index
from qa.lookup import TermLookup, lookup_to_dict
from vectorstore.errors import EmptyTerm
from vectorstore.records import Chunk, SpeechDocument

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "corpus"


def doc(doc_id: str, text: str, title: str = "") -> SpeechDocument:
    return SpeechDocument(doc_id=doc_id, title=title or f"讲话{doc_id}", text=text, source="t.txt")


def chunk(d: SpeechDocument, start: int, end: int, section: str) -> Chunk:
    return Chunk(id=f"{d.doc_id}-{start}", doc_id=d.doc_id, title=d.title, section_path=section,
                 paragraph=0, start=start, end=end, text=d.text[start:end])


def make_lookup(docs, chunks=()) -> TermLookup:
    return TermLookup(docs, list(chunks), build_term_index(docs))


def test_mentions_are_grouped_by_speech_with_sentence_offsets_and_section():
    a = doc("a", "一、总体要求\n推行“一窗受理”改革。二、具体措施\n一窗受理要覆盖乡镇，一窗受理一次办好。")
    b = doc("b", "没有相关内容。")
    section_at = a.text.index("二、")
    lookup = make_lookup([a, b], [chunk(a, 0, section_at, "一、总体要求"),
                                  chunk(a, section_at, len(a.text), "二、具体措施")])
    result = lookup.lookup("一窗受理")
    assert result.total == 3 == a.text.count("一窗受理")
    assert [s.doc_id for s in result.speeches] == ["a"] and result.speeches[0].count == 3
    first, second, third = result.speeches[0].mentions
    assert first.sentence == "推行“一窗受理”改革。" and first.section_path == "一、总体要求"
    assert second.section_path == third.section_path == "二、具体措施"
    for m in (first, second, third):
        assert a.text[m.start:m.end] == "一窗受理"
        assert a.text[m.sentence_start:m.sentence_end] == m.sentence
        x, y = m.highlight
        assert m.sentence[x:y] == "一窗受理"
    assert second.sentence == third.sentence  # two mentions in one sentence stay two


def test_full_and_half_width_forms_match_each_other():
    d = doc("a", "落实“1+19+7+n”工作法，推行“ＡＢ岗”制度和ab岗。")
    lookup = make_lookup([d])
    assert lookup.lookup("１＋１９＋７＋ｎ").total == 1
    hits = lookup.lookup("AB岗")
    assert hits.total == 2
    assert [d.text[m.start:m.end] for m in hits.speeches[0].mentions] == ["ＡＢ岗", "ab岗"]


def test_a_repeated_passage_is_found_in_every_speech_that_repeats_it():
    passage = "手勤就是要多写，好记性不如烂笔头。"
    docs = [doc("a", "开头。" + passage), doc("b", passage + "结尾。"), doc("c", "无关。")]
    result = make_lookup(docs).lookup("烂笔头")
    assert [s.doc_id for s in result.speeches] == ["a", "b"]
    assert result.definition is None  # 烂笔头 is not a defined term
    defined = make_lookup(docs).lookup("手勤")
    assert defined.definition is not None and defined.definition.sentence == passage


def test_definition_comes_first_and_quotes_around_the_query_are_ignored():
    d = doc("a", "要用好“好差评”。“好差评”是指群众对服务的评价制度。")
    result = make_lookup([d]).lookup("“好差评”")
    assert result.term == "好差评" and result.total == 2
    assert result.definition.sentence == "“好差评”是指群众对服务的评价制度。"
    out = lookup_to_dict(result, make_lookup([d]))
    assert out["definition"]["title"] == "讲话a" and out["total"] == 2


def test_nothing_found_suggests_close_terms_and_empty_is_refused():
    d = doc("a", "推行“一窗受理”改革，实行“一网通办”。")
    lookup = make_lookup([d])
    result = lookup.lookup("一窗受里")
    assert result.total == 0 and result.speeches == ()
    assert result.suggestions[0] == "一窗受理"
    assert lookup.suggest("一网") == ["一网通办"]
    with pytest.raises(EmptyTerm):
        lookup.lookup(" “” ")


@pytest.fixture(scope="module")
def bundled_lookup():
    from bench.corpus import bundled_documents

    _, docs = bundled_documents(BUNDLED)
    chunks = [c for d in docs for c in chunk_document(d, 300, 1)]
    return docs, make_lookup(docs, chunks)


def test_bundled_lookup_finds_every_mention_and_the_known_definition(bundled_lookup):
    docs, lookup = bundled_lookup
    for term in ("一窗受理", "好差评", "321608", "放管服"):
        result = lookup.lookup(term)
        expected = sum(d.text.count(term) for d in docs)
        assert result.total == expected > 0, term
        assert {s.doc_id for s in result.speeches} == {d.doc_id for d in docs if term in d.text}
    assert "3个工作日完成企业开办" in lookup.lookup("321608").definition.sentence
    assert lookup.lookup("青松办").total >= 1


def test_bundled_lookup_finds_a_term_in_both_copies_of_a_repeated_speech(bundled_lookup):
    docs, lookup = bundled_lookup
    result = lookup.lookup("千里眼")
    # The corpus holds two versions of the same speech on 政务信息 (the index keeps the
    # passage once); both must be listed.
    assert len(result.speeches) == len([d for d in docs if "千里眼" in d.text]) >= 2


def test_bundled_lookup_of_an_absent_term(bundled_lookup):
    docs, lookup = bundled_lookup
    result = lookup.lookup("一窗受里")
    assert result.total == 0 and not any("一窗受里" in d.text for d in docs)
    assert "一窗受理" in result.suggestions
