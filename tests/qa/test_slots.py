"""The asked slot of a question and the value of that kind bound to its topic (qa.slots)."""
from __future__ import annotations

import pytest

from qa.slots import Slot, asked_slot, find_slot_value, value_binding, values_in


@pytest.mark.parametrize("question, kind", [
    ("政务服务“好差评”收到差评后，规定要在几个工作日内整改完毕？", "duration"),
    ("企业开办全流程要多久？", "duration"),
    ("县政务服务系统现有多少个党支部？", "count"),
    ("派去政务中心坐窗口的人，一般要多大岁数？", "count"),
    ("惠企政策兑现金额是多少？", "amount"),
    ("技改补贴的补贴标准是多少？", "amount"),
    ("党员窗口的投诉占比是多少？", "percent"),
    ("一窗分类受理率达到多少？", "percent"),
    ("《政府信息公开条例》从哪一年开始施行？", "date"),
    ("“帮代办”服务是什么时候推出的？", "date"),
    ("这项规定出自《行政许可法》第几条？", "article"),
    ("这个实施方案的文号是什么？", "doc_number"),
    ("企业申领政府扶持资金用的是哪个线上平台？", "entity"),
    ("窗口人员的考核由谁负责？", "entity"),
    ("“三集中、两到位”管理模式具体指什么？", "definition"),
    ("为什么要推行AB角制度？", "reason"),
    ("窗口的收费是怎么管理的？", "measure"),
    ("哪篇讲话提到了321608审批机制？请给出原文", "which_speech"),
    ("321608审批机制", "other"),
])
def test_asked_slot_recognises_the_kind_of_answer(question, kind):
    assert asked_slot(question).kind == kind


def test_a_list_question_carries_the_number_of_items():
    assert asked_slot("“四强”党支部指的是哪四个方面强？") == Slot("list", 4)
    assert asked_slot("政务中心有哪些便民服务？") == Slot("list", 0)


def test_values_of_each_kind_are_found_after_width_folding():
    assert values_in("count", "年龄以35周岁为主，上限不超40周岁。") == ["35周岁", "40周岁"]
    assert values_in("duration", "３个工作日完成企业开办，水电气报装8小时办结。") == ["3个工作日", "8小时"]
    assert values_in("percent", "涉及党员窗口的占35％。") == ["35%"]
    assert values_in("amount", "兑现金额7.8亿元。") == ["7.8亿元"]
    assert values_in("date", "2023年累计办理4.34万件。") == ["2023年"]
    assert values_in("article", "依据条例第十二条规定。") == ["第十二条"]
    assert values_in("doc_number", "印发了《实施方案》（政办发〔2023〕5号）。") == ["〔2023〕5号"]
    assert values_in("duration", "窗口工作人员要热情服务。") == []
    assert values_in("definition", "任何句子") == []


def _coverage(words):
    """A stand-in for qa.rerank.TermWeights.coverage: the share of the words in the text."""
    return lambda text: sum(w in text for w in words) / len(words)


PASSAGE = ("要完善“好差评”制度，对差评及时回访核实。中心每月开展一次业务培训。"
           "惠企通平台从提交材料到资金到账只用3个工作日。")


def test_a_value_far_from_the_topic_is_not_bound_to_it():
    cov = _coverage(["好差评", "差评", "整改"])
    share, match = value_binding(Slot("duration", unit="工作日"), cov, [PASSAGE])
    # The only deadline in working days answers another question, two sentences away; "每月"
    # next to the topic is a period, not a deadline in working days.
    assert match is not None and match.value == "3个工作日"
    assert share < 0.5


def test_a_value_next_to_the_topic_is_bound_to_it():
    passage = "要完善“好差评”制度。差评须在5个工作日内整改完毕。中心每月开展一次业务培训。"
    share, match = value_binding(Slot("duration"), _coverage(["好差评", "差评", "整改"]), [passage])
    assert share == pytest.approx(1.0)
    assert passage[match.start:match.end] == "差评须在5个工作日内整改完毕。"


def test_no_value_of_the_kind_gives_share_zero_and_a_slot_without_value_gives_one():
    cov = _coverage(["好差评"])
    assert value_binding(Slot("article"), cov, [PASSAGE]) == (0.0, None)
    assert value_binding(Slot("definition"), cov, [PASSAGE]) == (1.0, None)


def test_the_better_retrieved_passage_wins_a_tie():
    a = "窗口人员年龄以35周岁为主。"
    b = "窗口人员年龄上限40周岁。"
    match = find_slot_value(Slot("count"), _coverage(["窗口", "年龄"]), [a, b])
    assert match.text == 0 and match.value == "35周岁"


def test_a_duration_asked_in_a_unit_needs_a_value_in_that_unit():
    assert asked_slot("规定多少个工作日内答复？") == Slot("duration", 0, "工作日")
    assert asked_slot("隔多长时间排查一次？") == Slot("duration", 0, "")
    cov = _coverage(["排查"])
    text = "每学期开展一次安全排查。"
    assert find_slot_value(Slot("duration"), cov, [text]).value == "每学期"
    assert find_slot_value(Slot("duration", unit="工作日"), cov, [text]) is None


def test_list_sizes_in_chinese_numerals():
    assert asked_slot("“四级十一同”是哪十一项相同？") == Slot("list", 11)


def test_a_list_of_n_needs_n_items():
    cov = _coverage(["四强", "党支部"])
    three = "建设“四强”党支部：政治功能强、支部班子强、党员队伍强。"
    four = "建设“四强”党支部，即政治功能强、支部班子强、党员队伍强、作用发挥强。"
    assert find_slot_value(Slot("list", 5), cov, [three]) is None
    assert find_slot_value(Slot("list", 4), cov, [four]).text == 0


def test_naming_the_count_is_not_listing_the_items():
    cov = _coverage(["十件实事", "承诺"])
    named = "市长在《政府工作报告》中向人民代表承诺了“十件实事”。"
    assert find_slot_value(Slot("list", 10), cov, [named]) is None
    cov = _coverage(["六个通办"])
    quoted = "按照“一窗通办”“一地通办”“一次通办”“一网通办”“一证通办”“一码通办”“六个通办”要求推进。"
    assert find_slot_value(Slot("list", 6), cov, [quoted]).text == 0
    cov = _coverage(["三个方面"])
    following = "重点抓好三个方面。（一）优化流程。（二）压缩时限。（三）强化监督。"
    assert find_slot_value(Slot("list", 3), cov, [following]).text == 0
    assert find_slot_value(Slot("list", 4), cov, [following]) is None
    cov = _coverage(["四强", "党支部"])
    clauses = "截至2023年底，已建成“四强”党支部示范单位1200余个，通过强化政治功能，推动网办率提升，满意度提高。"
    assert find_slot_value(Slot("list", 4), cov, [clauses]) is None  # commas part clauses


def test_answerability_model_round_trips_through_json_and_applies_in_plain_python(tmp_path):
    from qa.answerability import AnswerabilityModel, auroc, load_model, save_model

    model = AnswerabilityModel(("coverage", "slot_share"), (2.0, 1.0), -0.5, 0.4,
                               mean=(0.5, 0.8), scale=(0.2, 0.3), meta={"n": 3})
    save_model(model, tmp_path / "m.json")
    again = load_model(tmp_path / "m.json")
    assert again == model
    low = again.probability({"coverage": 0.1, "slot_share": 0.0})
    high = again.probability({"coverage": 0.9, "slot_share": 1.0})
    assert low < again.threshold < high
    assert auroc([low, high, 0.2], [0, 1, 0]) == 1.0


def test_a_model_file_of_another_format_is_rejected(tmp_path):
    from qa.answerability import load_model

    (tmp_path / "m.json").write_text('{"format": 99, "features": [], "coef": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        load_model(tmp_path / "m.json")


def test_the_shipped_model_names_only_known_features():
    from qa.answerability import default_model
    from qa.refusal import assess  # noqa: F401  (the features come from assess)
    from evaluation.fit_answerability import FEATURES

    model = default_model()
    assert set(model.features) <= set(FEATURES) and 0.0 < model.threshold < 1.0


def test_a_count_asked_in_a_unit_needs_a_value_in_that_unit():
    assert asked_slot("一条信息被采用能加几分？") == Slot("count", 0, "分")
    assert asked_slot("新批的企业有多少家？") == Slot("count", 0, "家")
    assert asked_slot("最大不能超过多少周岁？") == Slot("count", 0, "岁")
    assert asked_slot("县政务服务系统现有多少个党支部？") == Slot("count", 0, "")  # 个: any unit
    cov = _coverage(["信息", "采用"])
    text = "去年下发了2个通知，全年编发信息300条。"
    assert find_slot_value(Slot("count"), cov, [text]).value == "2个"
    assert find_slot_value(Slot("count", unit="分"), cov, [text]) is None
    assert find_slot_value(Slot("count", unit="条"), cov, [text]).value == "300条"
    # families: 户 answers 家, 人次 answers 人, but 分中心 is no score
    assert find_slot_value(Slot("count", unit="家"), cov, ["新增市场主体1200户。"]).value == "1200户"
    assert find_slot_value(Slot("count", unit="人"), cov, ["服务群众500人次。"]).value == "500人次"
    assert find_slot_value(Slot("count", unit="分"), cov, ["设立3个分中心。"]) is None
    assert find_slot_value(Slot("count", unit="次"), cov, ["服务群众500人次。"]).value == "500人次"


@pytest.mark.parametrize("question, unit", [
    ("想去专办“疑难杂证”的窗口问问，打哪个电话？", "phone"),
    ("市政务中心的投诉电话号码是多少？", "phone"),
    ("在部署会上明确主要任务的是哪位市长？", "person"),
    ("“营商堵点疏通年”行动由哪个部门牵头？", "org"),
    ("制定这个暂行办法的是哪个县？", "place"),
    ("县里这次组织工作会议是几月几号开的？", "day"),
    ("一体化政务服务平台是哪一年搭建的？", "year"),
    ("窗口人员的考核由谁负责？", ""),  # 谁: a person or a body
    ("“帮代办”服务是什么时候推出的？", ""),  # any time
])
def test_entity_and_date_questions_carry_the_narrower_thing_asked(question, unit):
    slot = asked_slot(question)
    assert slot.kind in ("entity", "date") and slot.unit == unit


def test_a_phone_question_is_not_a_count_and_a_question_about_calls_is_no_phone_question():
    assert asked_slot("投诉电话是多少？") == Slot("entity", 0, "phone")
    assert asked_slot("12345热线接了多少个电话？").kind == "count"
    assert asked_slot("热线电话的接听质量拿了什么档次？").kind == "rank"


def test_a_narrower_entity_or_date_needs_a_value_of_that_kind():
    cov = _coverage(["会议", "牵头"])
    text = "会议要求，落实《工作要点》。此项工作由县行政审批局牵头，今年6月10日前完成。"
    assert find_slot_value(Slot("entity"), cov, [text]).value == "《工作要点》"
    assert "行政审批局" in find_slot_value(Slot("entity", unit="org"), cov, [text]).value
    assert find_slot_value(Slot("entity", unit="person"), cov, [text]) is None
    assert find_slot_value(Slot("entity", unit="phone"), cov, [text]) is None
    assert find_slot_value(Slot("entity", unit="phone"), cov, ["咨询请拨打0851-8888123。"]).value \
        == "0851-8888123"
    # A blanked place name ("___县") names no county.
    assert find_slot_value(Slot("entity", unit="place"), cov, ["制定了《___县责任追究办法》。"]) is None
    assert find_slot_value(Slot("date", unit="day"), cov, [text]).value == "6月10日"
    assert find_slot_value(Slot("date", unit="day"), cov, ["回顾2006年的工作，部署今年的任务。"]) is None
    assert find_slot_value(Slot("date", unit="year"), cov, ["4月10日召开会议。"]) is None
    assert find_slot_value(Slot("date"), cov, ["4月10日召开会议。"]).value == "4月10日"


def test_what_a_partial_answer_says_is_missing_follows_the_narrower_kind():
    assert Slot("date", unit="year").missing == "说明具体年份"
    assert Slot("entity", unit="phone").missing == "给出电话号码"
    assert Slot("date").missing == "说明具体时间"
    assert Slot("count", unit="家").missing == "给出具体数量"


def test_the_general_classifier_counts_things_but_no_score_or_age():
    cov = _coverage(["文件"])
    assert find_slot_value(Slot("count", unit="份"), cov, ["专门下发了两个文件。"]).value == "两个"
    assert find_slot_value(Slot("count", unit="家"), cov, ["新设3个市场主体服务站。"]).value == "3个"
    assert find_slot_value(Slot("count", unit="分"), cov, ["设立3个分中心。"]) is None
    assert find_slot_value(Slot("count", unit="岁"), cov, ["设立3个分中心。"]) is None
    # 回 is asked and answered like 次.
    assert asked_slot("常务会专门讨论了几回？") == Slot("count", 0, "回")
    assert find_slot_value(Slot("count", unit="回"), cov, ["常务会议两次研究政务中心工作。"]).value == "两次"


def test_money_words_ask_for_an_amount_not_a_count():
    assert asked_slot("评上星级的窗口能拿多少奖金？").kind == "amount"
    assert asked_slot("违反规定要罚款多少？").kind == "amount"
    assert asked_slot("去年表彰了多少个先进单位？").kind == "count"


def test_which_and_a_numeral_asks_for_a_list_of_that_many_whatever_the_classifier():
    assert asked_slot("“五级”到底是哪五级？") == Slot("list", 5)
    assert asked_slot("新搞了哪三套办法？") == Slot("list", 3)
    assert asked_slot("哪几个部门牵头？").kind == "list"  # 哪几个 lists, 几个 counts
    assert asked_slot("大厅设了几个窗口？").kind == "count"


def test_a_cadre_level_question_needs_a_level():
    slot = asked_slot("首席代表一般要什么级别的干部来当？")
    assert slot == Slot("rank", 0, "level") and slot.missing == "说明具体级别"
    cov = _coverage(["首席代表"])
    assert find_slot_value(slot, cov, ["首席代表原则上由副科级以上干部担任。"]).value == "副科级"
    assert find_slot_value(slot, cov, ["首席代表由业务骨干担任，排名第一。"]) is None


def test_a_web_address_question_is_no_count_and_needs_an_address():
    slot = asked_slot("县政务服务网子站的网址是多少？")
    assert slot == Slot("entity", 0, "url") and slot.missing == "给出网址"
    cov = _coverage(["子站"])
    assert find_slot_value(slot, cov, ["子站网址为www.zwfw.example.gov.cn，全天开放。"]).value \
        == "www.zwfw.example.gov.cn"
    assert find_slot_value(slot, cov, ["事项已在子站完成加载，共2000项。"]) is None


def test_a_blanked_year_is_no_count():
    assert values_in("count", "会议对20xx年度先进个人进行了表彰。") == []
    assert values_in("count", "会议对20个先进单位进行了表彰。") == ["20个"]
    assert values_in("count", "共受理2456件，xx件按时办结。") == ["2456件"]


def test_how_many_years_someone_worked_asks_for_a_duration_in_years():
    assert asked_slot("王贤串同志在后勤具体干了多少年？") == Slot("duration", 0, "年")
    cov = _coverage(["后勤"])
    slot = asked_slot("他在后勤干了多少年？")
    assert find_slot_value(slot, cov, ["后勤工作必须具备两个基本素质。"]) is None
    assert find_slot_value(slot, cov, ["他在后勤一干就是二十年。"]).value == "二十年"


def test_a_count_the_question_itself_names_is_its_topic_not_the_answer():
    cov = _coverage(["责任单位", "达标"])
    question = "全市96个责任单位中，有多少个单位没有达标？"
    assert find_slot_value(Slot("count"), cov, ["定期对全市96个责任单位进行通报。"], question) is None
    assert find_slot_value(Slot("count"), cov, ["96个责任单位中有12个未达标。"], question).value \
        == "12个"


def test_which_company_asks_for_a_body_and_words_ending_in_ju_are_no_bodies():
    assert asked_slot("首张许可证发给了哪家企业？") == Slot("entity", 0, "org")
    cov = _coverage(["牵头"])
    slot = Slot("entity", unit="org")
    assert find_slot_value(slot, cov, ["从中找到解难题、破困局的办法，服务发展大局。"]) is None
    assert find_slot_value(slot, cov, ["由县行政审批局牵头。"]).value.endswith("行政审批局")
    assert find_slot_value(slot, cov, ["发给了县宏达建材有限公司。"]).value.endswith("有限公司")


def test_wan_or_qian_alone_is_no_count_and_n_da_is_one():
    assert values_in("count", "主动公开政府信息X万余条，惠及千家万户。") == []
    assert values_in("count", "设置九大办事服务区。") == ["九大"]
    assert values_in("count", "学习党的二十大和十九大精神。") == []


def test_which_point_in_time_asks_for_a_date():
    assert asked_slot("专区计划哪个时间点前建齐？").kind == "date"


def test_a_list_of_no_stated_size_is_no_value_to_look_for_a_list_of_n_is():
    assert not asked_slot("国家卫健委采取了哪些措施来提高救援效率？").has_value
    assert asked_slot("“四强”党支部指的是哪四个方面强？").has_value
    cov = _coverage(["国家卫健委"])
    assert find_slot_value(Slot("list"), cov, ["国家卫健委采取“一省包一市”的做法。"]) is None


def test_a_fee_named_as_the_topic_is_no_amount_asked_a_quota_asked_is_one():
    assert asked_slot("中央财政对先行支付的救治费用等有什么规定？").kind != "amount"
    assert asked_slot("办理营业执照的费用是多少？").kind == "amount"
    assert asked_slot("陕西省预拨多少额度的医保基金？").kind == "amount"
