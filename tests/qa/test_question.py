import pytest

from qa.question import MAX_QUESTION_CHARS, asks_for_figure, clean_question, topic_words
from vectorstore.errors import InvalidQuestion


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x1b\x7f", "😀🎉", "？？！", None])
def test_questions_without_words_are_rejected_with_a_message(bad):
    with pytest.raises(InvalidQuestion) as e:
        clean_question(bad)
    assert str(e.value)


def test_overlong_question_is_rejected_and_says_the_limit():
    with pytest.raises(InvalidQuestion, match=str(MAX_QUESTION_CHARS)):
        clean_question("审批" * 5000)


def test_control_characters_are_dropped_and_spaces_collapsed():
    assert clean_question(" 321608\x00审批\n\n机制 是什么？ ") == "321608审批 机制 是什么？"


def test_topic_words_drop_the_asking():
    assert topic_words("哪篇讲话提到青松办？请给出原文").replace(" ", "").startswith("青松办")
    assert "是什么" not in topic_words("321608审批机制是什么？")


@pytest.mark.parametrize("q,expected", [
    ("全县有多少个党支部？", True), ("几个工作日内办结？", True), ("办理时限多久？", True),
    ("AB角制度是什么？", False), ("哪篇讲话提到青松办？", False),
])
def test_asks_for_figure(q, expected):
    assert asks_for_figure(q) is expected


@pytest.mark.parametrize("question, term", [
    ("“321608”是什么？", "321608"), ("青松办是什么意思", "青松办"), ("“好差评”的含义是什么？", "好差评"),
    ("321608审批机制的时限是多少？", None), ("哪篇讲话提到青松办？", None),
])
def test_a_question_asking_what_a_term_is_names_the_term(question, term):
    from qa.question import asked_term

    assert asked_term(question) == term


def test_a_question_for_every_speech_mentioning_a_term_gives_the_term():
    from qa.question import speeches_mentioning

    assert speeches_mentioning("哪些讲话提到“三集中、三到位”？请给出原文") == ["三集中、三到位"]
    assert speeches_mentioning("哪几篇讲话讲到了“一池共享”？") == ["一池共享"]
    assert speeches_mentioning("哪篇讲话提到“青松办”？") == []
    assert speeches_mentioning("哪些讲话提到要实现数据共享？") == []
