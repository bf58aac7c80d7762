import pytest

from qa.redaction import mentions_redaction, redacted_figures


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
    assert not mentions_redaction(text)


def test_spans_index_into_the_text():
    text = "累计推动总投资x亿元的x个重大项目，其中20xx年推动x个"
    spans = redacted_figures(text)
    assert [text[a:b] for a, b in spans] == ["x", "x", "20xx", "x"]
    assert spans == sorted(spans)
    assert mentions_redaction(text)
