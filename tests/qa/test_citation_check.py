import pytest

from qa.citation_check import check_citations
from qa.evidence import SimpleTokenizer

TOK = SimpleTokenizer()


@pytest.fixture(scope="module", params=["simple", "jieba"])
def tokenizer(request):
    """The dependency-free tokenizer and the real jieba one from vectorstore."""
    if request.param == "simple":
        return SimpleTokenizer()
    from vectorstore.tokenize import Tokenizer

    return Tokenizer(["321608", "跨省通办"])

P1 = (
    "县政务服务中心党员干部带头推行“321608”审批机制（3个工作日完成企业开办、2个工作日完成不动产登记），"
    "使企业开办全流程时限压缩至1个工作日，较2022年缩短80%。"
)
P2 = "在推动“跨省通办”工作中，*县政务服务中心党支部与外省对接协调不主动，致使“跨省通办”事项仅开通12项。"
P3 = "2023年全县政务服务投诉中，涉及党员窗口的投诉占比达35%，反映出班子监督管理不到位。"
PASSAGES = [P1, P2, P3]


def test_made_up_passage_number_is_removed():
    checked = check_citations("企业开办全流程时限压缩至1个工作日[7]。", PASSAGES, TOK)
    assert checked.text == "企业开办全流程时限压缩至1个工作日。"
    assert checked.used == []
    assert [n for n, _ in checked.removed] == [7]
    assert "没有第7条来源" in checked.removed[0][1]


def test_supported_marker_is_kept_unsupported_one_removed(tokenizer):
    answer = "企业开办全流程时限压缩至1个工作日[1]。群众满意度达到99%[1]。"
    checked = check_citations(answer, PASSAGES, tokenizer)
    assert checked.text == "企业开办全流程时限压缩至1个工作日[1]。群众满意度达到99%。"
    assert checked.used == [1]
    assert len(checked.removed) == 1
    n, reason = checked.removed[0]
    assert n == 1 and "不足以支持" in reason


def test_adjacent_markers_share_the_claim_and_are_checked_separately(tokenizer):
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


def test_text_without_markers_is_unchanged():
    answer = "根据现有资料无法回答该问题。"
    checked = check_citations(answer, PASSAGES, TOK)
    assert (checked.text, checked.used, checked.removed) == (answer, [], [])


def test_min_support_is_respected():
    answer = "党员窗口的投诉很多[3]。"
    assert check_citations(answer, PASSAGES, TOK, min_support=0.0).used == [3]
    assert check_citations(answer, PASSAGES, TOK, min_support=0.99).used == []
