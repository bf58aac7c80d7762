"""The glossary built at ingest: terms, defining sentences, mention counts."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.terms import build_term_index, digit_slogans, document_definitions, write_term_index
from vectorstore.records import SpeechDocument
from vectorstore.term_index import load_term_index

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "corpus"


def doc(text: str, doc_id: str = "d1") -> SpeechDocument:
    return SpeechDocument(doc_id=doc_id, title="测试讲话", text=text, source="t.txt")


def defined(text: str) -> dict[str, str]:
    d = doc(text)
    return {term: (d.text[x.start:x.end], x.pattern) for term, x in document_definitions(d)}


def test_each_defining_wording_is_found_with_its_sentence():
    found = defined(
        "我们推行“最多跑一次”改革。“好差评”是指群众对政务服务的评价制度。"
        "要实行“三公开”制度：即公开事项、公开流程、公开时限。"
        "凭“一证一码”（身份证和社会信用代码）办事。"
        "所谓“帮办代办”，就是由窗口人员替群众跑腿。"
        "手勤就是要多写，多写多练自然会提高。"
    )
    assert found["好差评"] == ("“好差评”是指群众对政务服务的评价制度。", "是指")
    assert found["三公开"][1] == "冒号" and found["三公开"][0].startswith("要实行“三公开”制度")
    assert found["一证一码"] == ("凭“一证一码”（身份证和社会信用代码）办事。", "括注")
    assert found["帮办代办"][1] == "所谓"
    assert found["手勤"] == ("手勤就是要多写，多写多练自然会提高。", "就是")
    assert "最多跑一次" not in found  # quoted, but nothing says what it is


def test_a_saying_explained_by_the_sentence_before_and_counted_phrases():
    found = defined("领导看信息，目的是了解情况。我们说政务信息是领导的“顺风耳”，就是这个意思。"
                    "应处理好十大关系，即：处理好真和假的关系。")
    assert found["顺风耳"][0].startswith("领导看信息") and found["顺风耳"][0].endswith("这个意思。")
    assert found["十大关系"] == ("应处理好十大关系，即：处理好真和假的关系。", "即")


def test_connectives_and_quoted_sayings_are_not_definitions():
    found = defined(
        "这就是我们的目标。第二个方面就是要抓落实。目的就是提高效率。"
        "坚决打消“报忧就是自找麻烦”的顾虑。"
        "抱着无所谓的态度。实现准入即准营。"
    )
    assert found == {}


def test_a_numbered_term_after_as_many_listed_items_is_defined_by_the_list():
    found = defined("确保做到任务、标准、责任、时限、奖惩“五明确”，形成责任链。"
                    "有的职能、事项、人员不能实现“三集中”。"
                    "推动实现业务能力、工作效率“三提升”。")
    assert found["五明确"][1] == "列举"
    assert "三集中" not in found  # the last "item" is a clause
    assert "三提升" not in found  # two items do not make 三


def test_digit_formulas_are_terms_and_a_spelled_out_one_is_defined():
    text = ("一是“1+19+7+n”工作法逐渐成熟。以1个领导小组统筹，市直19个部门指导7个县推进n个单位。"
            "推行“321608”审批机制，采取“5+2”工作模式。")
    assert digit_slogans(text) == ["1+19+7+n", "5+2", "321608"]
    found = defined(text)
    assert found["1+19+7+n"][1] == "展开"
    assert found["1+19+7+n"][0].endswith("推进n个单位。")


def test_mentions_are_counted_in_every_speech_with_width_folding():
    docs = [doc("推行“一窗受理”。一窗受理一次办好。", "a"), doc("没有提到。", "b"),
            doc("“ＡＢＣ”和abc。", "c")]
    index = build_term_index(docs, generation=3)
    entries = index.by_term()
    assert entries["一窗受理"].mentions == 2 and entries["一窗受理"].speeches == ("a",)
    assert index.generation == 3


def test_term_index_is_saved_with_the_generation_and_read_back(tmp_path):
    docs = [doc("“好差评”是指群众评价制度。好差评要用好。")]
    saved = write_term_index(tmp_path, docs, 7)
    assert load_term_index(tmp_path) == saved
    assert load_term_index(tmp_path / "missing") is None


@pytest.fixture(scope="module")
def bundled_glossary():
    from bench.corpus import bundled_documents

    _, docs = bundled_documents(BUNDLED)
    return {d.doc_id: d for d in docs}, build_term_index(docs)


def test_bundled_glossary_holds_the_known_definitions(bundled_glossary):
    docs, index = bundled_glossary
    entries = index.by_term()

    def sentence(term: str) -> str:
        d = entries[term].definitions[0]
        return docs[d.doc_id].text[d.start:d.end]

    assert "3个工作日完成企业开办" in sentence("321608")
    assert "政治功能强、支部班子强、党员队伍强、作用发挥强" in sentence("四强")
    assert sentence("六公开").startswith("要严格实行“六公开”制度：即公开服务内容")
    assert "统一导办、一号通办、一区咨询、一窗受理、一网审批、一码评价、一体监管" in sentence("七个一")
    assert "市直19个部门" in sentence("1+19+7+n")
    assert "身份证和社会信用代码" in sentence("一证一码")
    for term, entry in entries.items():
        for d in entry.definitions:
            text = docs[d.doc_id].text
            assert d.start <= d.term_start < d.term_end <= d.end
            assert text[d.term_start:d.term_end] == entry.term
    defined_terms = [e for e in index.terms if e.definitions]
    assert len(defined_terms) >= 30
