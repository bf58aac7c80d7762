import random
import time

import pytest

from vectorstore.sentences import sentence_spans


def _texts(text, spans):
    return [text[a:b] for a, b in spans]


def _assert_covers(text, spans, start=0, end=None):
    """Spans tile text[start:end] in order, leaving out exactly the newlines."""
    end = len(text) if end is None else end
    pos = start
    for a, b in spans:
        assert a < b
        assert "\n" not in text[a:b]
        assert set(text[pos:a]) <= {"\n"}, (pos, a)
        pos = b
    assert set(text[pos:end]) <= {"\n"}


def test_splits_after_terminators_with_closing_quotes():
    text = "他说：“今天开会。”大家都到了吗？到了！对……。好；下面开始"
    assert _texts(text, sentence_spans(text)) == [
        "他说：“今天开会。”",
        "大家都到了吗？",
        "到了！",
        "对……。",
        "好；",
        "下面开始",
    ]


def test_runs_of_terminators_stay_with_their_sentence():
    text = "真的吗？！当然。（见附件。）"
    assert _texts(text, sentence_spans(text)) == ["真的吗？！", "当然。", "（见附件。）"]


def test_newline_ends_a_sentence_and_belongs_to_none():
    text = "一、总体要求\n各单位要高度重视。\n\n谢谢大家"
    spans = sentence_spans(text)
    assert _texts(text, spans) == ["一、总体要求", "各单位要高度重视。", "谢谢大家"]
    _assert_covers(text, spans)


def test_sub_range_offsets_index_the_whole_text():
    text = "第一段。\n第二段第一句。第二句！\n第三段。"
    start = text.index("第二段")
    end = text.index("\n第三段")
    spans = sentence_spans(text, start, end)
    assert _texts(text, spans) == ["第二段第一句。", "第二句！"]
    assert spans[0][0] == start and spans[-1][1] == end


def test_over_long_sentence_is_cut_preferably_after_a_comma():
    text = "政务服务" * 30 + "，" + "优化营商环境" * 20 + "。"
    spans = sentence_spans(text, max_chars=200)
    assert all(b - a <= 200 for a, b in spans)
    assert text[spans[0][1] - 1] == "，"
    _assert_covers(text, spans)


def test_random_text_is_covered_without_gaps():
    rng = random.Random(7)
    alphabet = "政务服务改革，、。！？；”）\n" + "…" * 2
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        spans = sentence_spans(text, max_chars=15)
        _assert_covers(text, spans)
        assert all(b - a <= 15 for a, b in spans)


def test_two_megabytes_without_punctuation_is_hard_cut_fast():
    text = "政务服务中心窗口" * 250_000  # 2,000,000 characters, no terminator
    t0 = time.perf_counter()
    spans = sentence_spans(text)
    elapsed = time.perf_counter() - t0
    assert len(spans) == 4000
    assert all(b - a == 500 for a, b in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert elapsed < 2.0


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        sentence_spans("你好。", max_chars=0)
