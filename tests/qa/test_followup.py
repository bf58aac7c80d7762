import pytest

from qa.followup import needs_rewrite, rewrite_rule_based, topic_of

HISTORY = [("321608审批机制是什么？", "“321608”审批机制是指3个工作日完成企业开办……[1]")]


@pytest.mark.parametrize(
    "question",
    ["那它的时限呢？", "还有呢？", "第二点具体怎么做？", "这个机制的时限是多少？", "具体怎么做？",
     "为什么？", "另外，它的时限是多久？", "时限呢？", "上述措施由谁负责？", "第3条呢？"],
)
def test_follow_ups_need_rewriting(question):
    assert needs_rewrite(question, HISTORY)


@pytest.mark.parametrize(
    "question",
    ["如何优化营商环境？", "县政务服务中心开展了哪些党员志愿服务活动？",
     "应该如何推进“四强”党支部建设？", "那么营商环境方面有哪些举措？", "“跨省通办”事项开通了多少项？"],
)
def test_standalone_questions_do_not_even_with_history(question):
    assert not needs_rewrite(question, HISTORY)


def test_nothing_to_lean_on_without_history():
    assert not needs_rewrite("那它的时限呢？", [])
    assert rewrite_rule_based("那它的时限呢？", []) == "那它的时限呢？"


@pytest.mark.parametrize(
    "question, expected",
    [
        ("那它的时限呢？", "321608审批机制的时限是什么？"),
        ("还有呢？", "321608审批机制是什么？还有哪些内容？"),
        ("第二点具体怎么做？", "321608审批机制 第二点具体怎么做？"),
        ("这个机制的时限是多少？", "321608审批机制的时限是多少？"),
        ("它有哪些作用？", "321608审批机制有哪些作用？"),
        ("还有哪些措施？", "321608审批机制还有哪些措施？"),
        ("另外，它的时限是多久？", "321608审批机制的时限是多久？"),
        ("具体怎么做？", "321608审批机制 具体怎么做？"),
        ("那呢？", "321608审批机制是什么？"),
    ],
)
def test_rule_based_rewrites(question, expected):
    assert rewrite_rule_based(question, HISTORY) == expected


def test_standalone_question_is_returned_unchanged():
    assert rewrite_rule_based("如何优化营商环境？", HISTORY) == "如何优化营商环境？"


def test_chained_follow_ups_keep_the_original_subject():
    history = HISTORY + [("那它的时限呢？", "企业开办全流程时限压缩至1个工作日[1]")]
    assert rewrite_rule_based("还有呢？", history) == "321608审批机制的时限是什么？还有哪些内容？"
    history.append(("还有呢？", "……"))
    assert rewrite_rule_based("第二点具体怎么做？", history) == "321608审批机制的时限 第二点具体怎么做？"


def test_rewrite_is_deterministic():
    assert len({rewrite_rule_based("那它的时限呢？", HISTORY) for _ in range(5)}) == 1


@pytest.mark.parametrize(
    "question, topic",
    [
        ("321608审批机制是什么？", "321608审批机制"),
        ("请问如何推进“四强”党支部建设？", "推进“四强”党支部建设"),
        ("“321608”审批机制包括哪些内容？", "“321608”审批机制"),
        ("怎样优化营商环境呢", "优化营商环境"),
    ],
)
def test_topic_of(question, topic):
    assert topic_of(question) == topic
