"""Definition forms of the glossary, each from a real sentence of the bundled speeches (or, for
forms the bundled speeches do not use, a sentence written like them), and the false ones it
must reject; then the glossary of the bundled corpus against a list checked by hand."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.term_lists import count_named, head_word
from ingest.terms import build_term_index, document_definitions
from vectorstore.records import SpeechDocument

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "corpus"


def defined(text: str) -> dict[str, tuple[str, str]]:
    """Return term → (defining text, pattern) for every definition found in text."""
    d = SpeechDocument(doc_id="d1", title="测试讲话", text=text, source="t.txt")
    return {term: (d.text[x.start:x.end], x.pattern) for term, x in document_definitions(d)}


def test_counted_terms_name_their_count_and_head():
    assert [count_named(t) for t in ("三个到位", "十大关系", "两头", "政务公开")] == [3, 10, 2, None]
    assert [head_word(t) for t in ("三个到位", "十大关系", "三集中", "三项机制")] == [
        "到位", "关系", "集中", "机制"]


def test_a_definition_listing_its_items_over_several_sentences_spans_all_of_them():
    text = ("做好信息工作应处理好十大关系，即：处理好真和假的关系，避免信息失真；处理好深和浅的关系，"
            "避免信息肤浅；处理好长和短的关系，避免信息空泛；处理好详和略的关系，避免信息残缺；"
            "处理好宽和窄的关系，避免信息狭窄；处理好精和散的关系，避免信息冗杂；处理好喜和忧的关系，"
            "避免信息遮丑；处理好华和实的关系，避免信息苍白；处理好文和题的关系，避免信息脱节；"
            "处理好缓和急的关系，避免信息滞后。编发信息要注意把握六方面要求。\n"
            "最重要的是要吃透“两头”，即：一要吃透中央、省委、地委的精神和县委的部署要求；"
            "二要吃透本乡镇本部门组织工作的现有基础。要找准创新重点和创新方向。")
    found = defined(text)
    assert found["十大关系"] == (text[:text.index("编发")], "即")
    assert found["两头"][0].endswith("二要吃透本乡镇本部门组织工作的现有基础。")


def test_numbered_items_run_to_the_last_one_the_term_counts():
    found = defined("要严格实行“三类事项办理制”：一是即办事项的直接办理制，必须当场受理办结；"
                    "二是控制事项的明确答复制，并说明理由。三是补办事项的告知答复制，请申请人补正；"
                    "同时做好登记。五要广泛宣传。")
    assert found["三类事项办理制"] == (
        "要严格实行“三类事项办理制”：一是即办事项的直接办理制，必须当场受理办结；"
        "二是控制事项的明确答复制，并说明理由。三是补办事项的告知答复制，请申请人补正；同时做好登记。",
        "冒号")


def test_a_headline_term_followed_by_its_items():
    found = defined("三是加大三个力度。即加大与党委信息科室的交流力度；加大与+政务网、+电视台等新闻媒体"
                    "的合作力度；加大向兄弟县+政府办的学习力度，拓宽视野，扩大信息来源。\n"
                    "做好政务中心工作，重点要抓好“三个到位”。一是人员配备到位。各单位要有形象意识。"
                    "二是制度建设到位。要始终把制度建设作为管理的核心来抓。三是监督管理到位。要规范操作。")
    assert found["三个力度"] == (
        "三是加大三个力度。即加大与党委信息科室的交流力度；加大与+政务网、+电视台等新闻媒体的合作力度；"
        "加大向兄弟县+政府办的学习力度，拓宽视野，扩大信息来源。", "列举")
    assert found["三个到位"][0].startswith("做好政务中心工作")
    assert found["三个到位"][0].endswith("三是监督管理到位。")


def test_headlines_that_only_announce_parts_of_a_speech_or_miss_items_are_not_definitions():
    found = defined("根据会议安排，讲三个方面的问题。第一，关于政务服务工作的现状。第二，存在的问题。"
                    "第三，下一步工作。\n"
                    "重点要抓好“三个到位”。一是人员配备到位。二是制度建设到位。\n"  # the third is missing
                    "二是做到两个“主动”。克服“坐等信息”作法，主动掌握上级对信息需求的情况。")
    assert found == {}


def test_the_words_of_a_numbered_term_counted_out_in_its_sentence():
    sentence = ("各有关部门、单位要坚决贯彻“三集中、两到位”要求，将同一审批权限向一名分管领导集中、"
                "审批事项向一个科室集中、审批科室向政务服务中心集中，做到审批事项进驻中心到位、"
                "审批权限授权到位。")
    found = defined(sentence + "有的职能、事项、人员不能实现“三集中”，部门职能科室没有整建制进驻。")
    assert found["三集中、两到位"] == (sentence, "展开")
    assert found["三集中"] == (sentence, "展开") and found["两到位"] == (sentence, "展开")
    # 按照“三集中三到位”改革要求，…已基本进驻到位: one 到位 is not three.
    assert defined("按照“三集中、三到位”改革要求，各窗口单位政务服务事项已基本进驻到位。") == {}


def test_quoted_items_before_a_numbered_term_and_a_list_closed_by_a_comma():
    found = defined(
        "按照“一窗通办”“一地通办”“一次通办”“一网通办”“一证通办”“一码通办”“六个通办”要求，"
        "加快推进权力事项和公共服务事项精细化、标准化。"
        "政务信息工作服务领导决策、指导部门工作、反映人民群众的呼声，集“三个服务”于一体。"
        "围绕“六个通办”“五个便利化”“四个领域延伸”要求，重点抓好三方面任务。")
    assert found["六个通办"][1] == "列举" and found["六个通办"][0].startswith("按照“一窗通办”")
    assert found["三个服务"] == (
        "政务信息工作服务领导决策、指导部门工作、反映人民群众的呼声，集“三个服务”于一体。", "列举")
    assert set(found) == {"六个通办", "三个服务"}  # 四个领域延伸 follows two items, not four


def test_this_kind_refers_to_the_kind_the_sentence_before_named():
    found = defined("三是突出加强预警类信息的调研编报，为领导科学预测、超前防范提供有效服务。"
                    "这类信息主要是指经济社会和政府行政的过程中出现的苗头性、倾向性问题。")
    assert found["预警类信息"][1] == "是指"
    assert found["预警类信息"][0].startswith("三是突出加强预警类信息")
    assert found["预警类信息"][0].endswith("倾向性问题。")


def test_short_names():
    found = defined("为深化简政放权、放管结合、优化服务改革（以下简称“放管服”），制定本方案。"
                    "“好差评”是政务服务评价的简称，群众可以当场评价。")
    assert found["放管服"][1] == "简称" and found["放管服"][0].startswith("为深化简政放权")
    assert found["好差评"] == ("“好差评”是政务服务评价的简称，群众可以当场评价。", "简称")


def test_bare_jiushi_after_an_unquoted_word_and_purposes_of_actions_are_not_definitions():
    found = defined(
        "教师是教书育人，后勤人员就是服务育人。"
        "思考很重要，思考就是升华，就是加工，就是分析。"
        "政府领导是宏观领导，领导就是管全局、抓大事。"
        "政务中心窗口就是部门，权力要到窗口。"
        "建立政务服务中心，就是要清晰明确审批事项，清楚规范行政许可设定。"
        "组建沾化县政务服务中心，就是要按照“三集中、两到位”原则，重点突出企业注册。"
        "脚勤就是要多深入基层，获取第一手材料。"
    )
    assert set(found) == {"脚勤"}  # a quality glossed by what it asks of you


@pytest.fixture(scope="module")
def bundled():
    from bench.corpus import bundled_documents

    _, docs = bundled_documents(BUNDLED)
    return {d.doc_id: d for d in docs}, build_term_index(docs).by_term()


# Checked by hand against the speeches: term → words its defining text must hold.
HAND_CHECKED = {
    "321608": ("3个工作日完成企业开办", "8小时完成水电气报装"),
    "四强": ("政治功能强、支部班子强、党员队伍强、作用发挥强",),
    "六公开": ("公开服务内容", "公开办结时限"),
    "七个一": ("统一导办、一号通办、一区咨询、一窗受理、一网审批、一码评价、一体监管",),
    "七类事项办理制": ("一是即办事项的直接办理制", "七是特急事项的紧急办理制"),
    "十大关系": ("处理好真和假的关系", "处理好缓和急的关系，避免信息滞后。"),
    "两头": ("一要吃透中央、省委、地委的精神", "二要吃透本乡镇本部门"),
    "三个到位": ("一是人员配备到位", "二是制度建设到位", "三是监督管理到位"),
    "三个力度": ("交流力度", "合作力度", "学习力度"),
    "三集中、两到位": ("向一名分管领导集中", "审批权限授权到位"),
    "六个通办": ("“一窗通办”“一地通办”“一次通办”“一网通办”“一证通办”“一码通办”",),
    "三个服务": ("服务领导决策、指导部门工作、反映人民群众的呼声",),
    "预警类信息": ("苗头性、倾向性问题",),
    "五明确": ("任务、标准、责任、时限、奖惩",),
    "1+19+7+n": ("以1个市政务公开领导小组", "市直19个部门", "7个县", "n个基层单位"),
    "一证一码": ("身份证和社会信用代码",),
}
NOT_DEFINED = ("后勤人员", "思考", "领导", "政务中心窗口", "建立政务服务中心", "最多跑一次")


def test_bundled_glossary_has_the_hand_checked_definitions_and_at_least_30(bundled):
    docs, entries = bundled

    def text(term: str) -> str:
        d = entries[term].definitions[0]
        return docs[d.doc_id].text[d.start:d.end]

    for term, words in HAND_CHECKED.items():
        assert all(w in text(term) for w in words), (term, text(term))
    for term in NOT_DEFINED:
        assert term not in entries or not entries[term].definitions, term
    assert sum(1 for e in entries.values() if e.definitions) >= 30
