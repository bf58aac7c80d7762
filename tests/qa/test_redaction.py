import pytest

from qa.redaction import RedactedAnswer, redacted_answer, redacted_figures


def flagged(text: str) -> list[str]:
    return [text[a:b] for a, b in redacted_figures(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("在全市“X”发展战略中主动作为", ["X"]),
        ("刚刚过去的20xx年，是我们党", ["20xx"]),
        ("中办发〔20××〕22号", ["20××"]),
        ("人社局等xx个单位已实现", ["xx"]),
        ("“一窗”分类受理率达到X%。", ["X"]),
        ("全区×项政务办事事项全部实现", ["×"]),
        ("把xx区“xxxx”品牌打造成", ["xx", "xxxx"]),
        ("全面构建和谐___和实现富民兴纳", ["___"]),
        ("承担着全县**项政务服务事项", ["**"]),
        ("刚才，*镇政务服务中心党支部", ["*"]),
        ("进驻ＸＸ个部门", ["ＸＸ"]),
    ],
)
def test_placeholders_are_flagged(text, expected):
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "“甘快办”APPX客户端",
        "Windows 和 Linux 系统",
        "访问www.gov.cn查询",
        "提供7×24小时不打烊服务",
        "面积为3 x 4米",
        "配备X光安检机",
        "**工作要点**",
        "__init__",
        "2023年办件量1200件",
    ],
)
def test_ordinary_text_is_not_flagged(text):
    assert flagged(text) == []


def test_spans_index_into_the_text():
    text = "累计推动总投资x亿元的x个重大项目，其中20xx年推动x个"
    spans = redacted_figures(text)
    assert [text[a:b] for a, b in spans] == ["x", "x", "20xx", "x"]
    assert spans == sorted(spans)


def _mentions(word):
    return lambda folded: 1.0 if word in folded else 0.0


def test_redacted_answer_finds_the_blanked_figure_the_question_asks_for():
    texts = ["会议强调要提升服务。", "全县现有X个党支部，党员120名。二是加强培训。"]
    found = redacted_answer("全县有多少个党支部？", texts, _mentions("党支部"))
    assert found == RedactedAnswer(text=1, start=0, end=17, mark="X")
    assert texts[1][found.start:found.end] == "全县现有X个党支部，党员120名。"
    assert found.explanation(texts[1][found.start:found.end]).endswith(
        "以“X”代替，无法确认具体数值。原文如下：\n“全县现有X个党支部，党员120名。”[1]")


def test_redacted_answer_only_for_figure_questions_and_years_only_when_asked():
    texts = ["20xx年全县新建党支部12个。"]
    assert redacted_answer("党支部建设有什么要求？", texts, _mentions("党支部")) is None
    assert redacted_answer("新建了多少个党支部？", texts, _mentions("党支部")) is None
    found = redacted_answer("哪一年新建了党支部？", texts, _mentions("党支部"))
    assert found is not None and found.mark == "20xx"


def test_a_figure_left_out_is_named_as_left_blank():
    texts = ["现有党支部个，党员名，其中青年党员占比较高。"]
    found = redacted_answer("现有多少个党支部？", texts, _mentions("党支部"))
    assert found is not None and found.mark == ""
    assert "该处留空" in found.explanation(texts[0])

