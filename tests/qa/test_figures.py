"""Numbers written one way: Chinese numerals, 万/亿, percentages, ranges."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qa.claim_check import unsupported_units
from qa.figures import cn_to_int, document_numbers, figures, fold


@pytest.mark.parametrize("text, value", [
    ("三", 3), ("十二", 12), ("两千", 2000), ("二十五", 25), ("一百零五", 105), ("四万", 40000),
    ("二〇二三", 2023), ("十", 10),
])
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


def test_fold_writes_numbers_one_way_and_drops_slack():
    assert fold("4.34万件") == fold("43400件") == "43400件"
    assert fold("百分之三十") == fold("30％") == "30%"
    assert fold("三个工作日") == fold("３个工作日")
    assert fold("办理的事项，了解了") == "办理事项 解"


def test_figures_of_a_sentence_skip_numerals_that_are_words():
    found = figures("一是打造一个平台，三个工作日内办结，第三条规定，7.8亿元，4.34万件。")
    assert [(f.value, f.unit, f.ordinal) for f in found] == [
        (Decimal(3), "工作日", False), (Decimal(3), "条", True),
        (Decimal(780000000), "元", False), (Decimal(43400), "件", False)]


def test_passage_range_gives_its_unit_to_the_first_number():
    found = figures("办结时限为3至5个工作日", strict=False)
    assert [(f.value, f.unit) for f in found] == [(Decimal(3), "工作日"), (Decimal(5), "工作日")]
    assert unsupported_units("办结时限最短3个工作日。", "办结时限为3至5个工作日。") == []


def test_document_numbers_keep_the_issuer_abbreviation():
    assert [f for _, f in document_numbers("出台了中办发〔20xx〕22号、国发[2016]55号文件")] == [
        "中办发[20xx]22号", "国发[2016]55号"]
