import re

from qa.citation_check import MARKER, check_citations, claims_citing, marker_numbers
from qa.evidence import SimpleTokenizer

TOK = SimpleTokenizer()

P1 = (
    "县政务服务中心党员干部带头推行“321608”审批机制（3个工作日完成企业开办、2个工作日完成不动产登记），"
    "使企业开办全流程时限压缩至1个工作日，较2022年缩短80%。"
)
P2 = "在推动“跨省通办”工作中，*县政务服务中心党支部与外省对接协调不主动，致使“跨省通办”事项仅开通12项。"
P3 = "2023年全县政务服务投诉中，涉及党员窗口的投诉占比达35%，反映出班子监督管理不到位。"
PASSAGES = [P1, P2, P3]
SIQIANG = (
    "全面总结全县政务服务系统“四强”党支部(政治功能强、支部班子强、党员队伍强、作用发挥强)建设工作成效,"
    "分析存在问题,部署下一阶段重点任务。"
)
HAOCHA = "严格政务服务监督监管，强化落实各级政务大厅“好差评”系统运用，配足评价器，实现PC端、移动端均可评价。"


def test_made_up_passage_number_drops_its_sentence():
    checked = check_citations("企业开办全流程时限压缩至1个工作日[7]。", PASSAGES, TOK)
    assert checked.text == ""
    assert checked.used == []
    assert [n for n, _ in checked.removed] == [7]
    assert "没有第7条来源" in checked.removed[0][1]
    assert checked.dropped == ["企业开办全流程时限压缩至1个工作日[7]。"]


def test_made_up_number_beside_a_good_one_leaves_the_marker(tokenizer):
    checked = check_citations("企业开办全流程时限压缩至1个工作日[1,7]。", PASSAGES, tokenizer)
    assert checked.text == "企业开办全流程时限压缩至1个工作日[1]。"
    assert checked.used == [1]
    assert [n for n, _ in checked.removed] == [7]


def test_sentence_with_a_figure_the_passage_lacks_is_dropped(tokenizer):
    answer = "企业开办全流程时限压缩至1个工作日[1]。群众满意度达到99%[1]。"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == "企业开办全流程时限压缩至1个工作日[1]。"
    assert checked.used == [1]
    assert checked.dropped == ["群众满意度达到99%[1]。"]
    assert len(checked.removed) == 1
    n, reason = checked.removed[0]
    assert n == 1 and reason.startswith("“99%”") and "在来源[1]中找不到，已删除这句话" in reason


def test_the_four_strengths_answer_is_dropped_naming_the_invented_items(tokenizer):
    answer = "四强党支部指的是政治功能强、业务融合强、党员作用强、组织建设强。[1]"
    checked = check_citations(answer, [SIQIANG], tokenizer, question="“四强”党支部指的是哪四个方面强？")
    assert checked.text == "" and checked.used == []
    assert checked.removed == [(1, "“业务融合强”“党员作用强”“组织建设强”在来源[1]中找不到，已删除这句话")]


def test_the_four_strengths_reordered_and_trimmed_are_kept(tokenizer):
    answer = "“四强”党支部指作用发挥强、政治功能强、党员队伍强、支部班子强[1]。其中包括政治功能强等[1]。"
    checked = check_citations(answer, [SIQIANG], tokenizer, question="“四强”党支部指的是哪四个方面强？")
    assert (checked.text, checked.used, checked.removed) == (answer, [1], [])


def test_invented_deadline_is_dropped(tokenizer):
    answer = "政务服务“好差评”收到差评后，规定要在3个工作日内整改完毕。[1]"
    checked = check_citations(answer, [HAOCHA], tokenizer,
                              question="政务服务“好差评”收到差评后，规定要在几个工作日内整改完毕？")
    assert checked.text == ""
    assert checked.removed[0][1].startswith("“3个工作日”")


def test_markers_used_as_blanks_are_rejected(tokenizer):
    answer = "政务服务系统现有[2]个党支部、[3]名党员。“跨省通办”事项仅开通12项[2]。"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == "“跨省通办”事项仅开通12项[2]。"
    assert checked.dropped == ["政务服务系统现有[2]个党支部、[3]名党员。"]
    assert checked.removed == [(2, "“[2]个”把引用标注当作了数字或词语，无法核实，已删除这句话")]


def test_markers_ending_a_sentence_are_not_blanks_for_the_next_one(tokenizer):
    answer = "“跨省通办”事项仅开通12项。[2]涉及党员窗口的投诉占比达35%。[3]"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == answer and checked.removed == [] and checked.used == [2, 3]


def test_marker_inside_a_clause_is_rejected(tokenizer):
    checked = check_citations("根据[3]涉及党员窗口的投诉占比达35%。", PASSAGES, tokenizer)
    assert checked.text == "" and checked.used == []


def test_sentence_with_content_but_no_marker_is_dropped(tokenizer):
    answer = "“跨省通办”事项仅开通12项[2]。全县政务服务投诉占比达35%。"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == "“跨省通办”事项仅开通12项[2]。"
    assert checked.removed[0][0] == 0 and "没有标注来源" in checked.removed[0][1]


def test_adjacent_markers_share_the_claim_and_an_unrelated_one_goes(tokenizer):
    checked = check_citations("“跨省通办”事项仅开通12项[2][3]。", PASSAGES, tokenizer)
    assert checked.text == "“跨省通办”事项仅开通12项[2]。"
    assert checked.used == [2]
    assert [n for n, _ in checked.removed] == [3]


def test_group_marker_keeps_its_good_numbers():
    checked = check_citations("涉及党员窗口的投诉占比达35%[3,7]。", PASSAGES, TOK)
    assert checked.text == "涉及党员窗口的投诉占比达35%[3]。"
    checked = check_citations("涉及党员窗口的投诉占比达35%［1，3］。", PASSAGES, TOK)
    assert checked.text == "涉及党员窗口的投诉占比达35%［3］。"
    assert checked.used == [3]


def test_marker_after_the_full_stop_checks_the_sentence_before(tokenizer):
    answer = "企业开办全流程时限压缩至1个工作日。[1] 涉及党员窗口的投诉占比达35%。[3]"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == answer
    assert checked.used == [1, 3]
    assert checked.removed == []


def test_each_clause_is_checked_against_its_own_marker(tokenizer):
    answer = "“321608”审批机制要求3个工作日完成企业开办[1]，“跨省通办”事项仅开通12项[2]。"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == answer
    assert checked.used == [1, 2]
    swapped = "“321608”审批机制要求3个工作日完成企业开办[2]，“跨省通办”事项仅开通12项[1]。"
    assert check_citations(swapped, PASSAGES, tokenizer).text == answer  # each re-cited


def test_a_dropped_list_line_takes_its_line_with_it(tokenizer):
    answer = "主要包括：\n1. 3个工作日完成企业开办[1]\n2. 5个工作日完成施工许可[1]\n3. 2个工作日完成不动产登记[1]"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == "主要包括：\n1. 3个工作日完成企业开办[1]\n3. 2个工作日完成不动产登记[1]"
    assert checked.used == [1]


def test_text_without_markers_or_content_is_unchanged():
    answer = "根据现有资料无法回答该问题。"
    checked = check_citations(answer, PASSAGES, TOK)
    assert (checked.text, checked.used, checked.removed) == (answer, [], [])


def test_min_support_decides_a_clause_without_content_units():
    answer = "有投诉[3]。"
    assert check_citations(answer, PASSAGES, TOK, min_support=0.0).used == [3]
    checked = check_citations(answer, PASSAGES, TOK, min_support=0.99)
    assert checked.used == [] and "不足以支持" in checked.removed[0][1]
    assert not re.search(r"\d\.\d", checked.removed[0][1])  # a user reads it: no internal score


def test_policy_terms_come_from_the_tokenizer(word_tokenizer):
    from vectorstore.tokenize import Tokenizer

    answer = "企业开办全流程时限压缩至1个工作日，还可以马上办[1]。"
    assert check_citations(answer, PASSAGES, Tokenizer(["马上办"])).text == ""
    assert "马上办" not in word_tokenizer.user_terms
    assert check_citations(answer, PASSAGES, word_tokenizer).text == answer  # jieba splits it


def test_a_dropped_sentence_reports_only_why_it_was_dropped(tokenizer):
    answer = "“跨省通办”事项仅开通12项[2][3]，群众满意度达到99%[2]。"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == ""
    assert len(checked.removed) == 1  # not also "[3] taken out of the first clause"
    n, reason = checked.removed[0]
    assert n == 2 and reason.startswith("“99%”") and reason.endswith("在来源[2]中找不到，已删除这句话")


def test_a_clause_citing_the_wrong_passage_is_cited_to_the_one_that_holds_it(tokenizer):
    checked = check_citations("“跨省通办”事项仅开通12项[1]。", PASSAGES, tokenizer)
    assert checked.text == "“跨省通办”事项仅开通12项[2]。"
    assert checked.used == [2]
    assert checked.removed == []
    assert checked.recited == [(1, "“12项”“跨省通办”在来源[1]中找不到，见于来源[2]，已改为引用[2]")]
    # a sentence no passage fully holds is still dropped
    assert check_citations("“跨省通办”事项仅开通15项[1]。", PASSAGES, tokenizer).text == ""


def test_marker_numbers_reads_every_way_of_writing_a_marker():
    assert [marker_numbers(m) for m in MARKER.finditer("甲[1]乙［2，3］丙【4、5】")] == [[1], [2, 3], [4, 5]]


def test_claims_citing_gives_the_sentences_that_cite_a_passage():
    text = "设立党员示范岗28个[1]。时限压缩至1个工作日[1,2]。投诉占比达35%[2]。[1]"
    assert claims_citing(text, 1) == "设立党员示范岗28个时限压缩至1个工作日"
    assert claims_citing(text, 2) == "时限压缩至1个工作日投诉占比达35%"
    assert claims_citing(text, 3) == ""
