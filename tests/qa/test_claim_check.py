"""Content units of generated sentences checked against real passages of the bundled corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa.claim_check import content_units, unsupported_units

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus"
CORPUS = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt")))


def passage(snippet: str) -> str:
    """Return the corpus paragraph (one line of a speech file) holding snippet."""
    for line in CORPUS.splitlines():
        if snippet in line:
            return line
    raise KeyError(snippet)


SIQIANG = passage("(政治功能强、支部班子强")
HUIQI = passage("兑现金额7.8亿元")
BINZHOU = passage("滨州成为全省保留")
ZHONGBAN = passage("中办发〔20xx〕22号、鲁办发")
YINGSHANG = passage("张光峰书记就加快")
JISHU = passage("申请技改补贴,从提交")
CHUANGKOU = passage("上限不超40周岁")
BANZI = passage("本科以上学历占比达85%")
S321608 = passage("8小时完成水电气报装")
HAOCHA = passage("强化落实各级政务大厅“好差评”")
TIAOLI = passage("即将于5月1日实施")
LIUTONGYI = passage("要优化审批流程,减少审批环节,压缩审批时限")
SHOUQUAN = passage("签订了《授权书》")
FAZHAN = passage("2015年10月，习近平总书记在党的十八届五中全会")
JITI = passage("第二十七次集体学习")
ZHIDAO = passage("下一步我们将认真贯彻《国务院关于加快推进")
QINGSONG = passage("通过推广使用“青松办”手机APP")
SHIFAN = passage("党员示范岗”28个")
QUANNIAN = passage("全年共受理行政审批事项11.2万件")
XINFAZHAN = "新发展理念包括哪些？"

PERTURBED = [  # (passage, question, sentence): each holds a unit the passage lacks
 (SIQIANG, "“四强”党支部指的是哪四个方面强？", "四强党支部指的是政治功能强、业务融合强、党员作用强、组织建设强。"),
 (SIQIANG, "“四强”党支部指的是哪四个方面强？", "“四强”党支部指的是政治功能强、支部班子强、党员队伍强、服务效能强。"),
 (YINGSHANG, "", "王建国书记就加快行政审批制度改革提出了新的更高的要求。"),
 (YINGSHANG, "", "2021年9月27日，市委、市政府召开全市打造一流营商环境动员大会。"),
 (BINZHOU, "", "保留市级行政许可事项74项，精简幅度达到67%。"),
 (BINZHOU, "", "市政府下发了《关于公布保留和调整的市级行政审批项目的通知》。"),
 (HUIQI, "", "2023年累计办理惠企政策兑现4.34亿件。"),
 (HUIQI, "", "兑现金额7.8万元。"),
 (BINZHOU, "", "济南成为全省保留市级行政许可事项最少的城市。"),
 (JISHU, "", "企业通过“惠企通”平台申请技改补贴，资金须在3个月内拨付到位。"),
 (HAOCHA, "政务服务“好差评”收到差评后，规定要在几个工作日内整改完毕？", "政务服务“好差评”收到差评后，规定要在3个工作日内整改完毕。"),
 (ZHONGBAN, "", "中央先后出台了中办发〔20xx〕23号等文件。"),
 (HUIQI, "", "推广应用“惠民通”平台，实现快速兑现。"),
 (CHUANGKOU, "", "窗口工作人员年龄上限不超过45周岁。"),
 (CHUANGKOU, "", "窗口工作人员原则上每三年轮换一次。"),
 (SHOUQUAN, "", "县公安局与进驻中心的工作人员签订了《授权书》。"),
 (S321608, "", "“321608”审批机制要求3个工作日完成企业开办、5个工作日完成施工许可。"),
 (BANZI, "", "35岁以下年轻干部占比达80%。"),
 (HUIQI, "", "梳理更新惠企政策74条，推广应用“惠企通”平台，全面实现企业补贴秒批秒办。"),
 (S321608, "321608审批机制是什么？", "321608审批机制是指企业开办3个工作日、不动产登记1个工作日、施工许可2个工作日。"),
 (TIAOLI, "《政府信息公开条例》从哪一年开始施行？", "《政府信息公开条例》从2014年5月1日开始施行。"),
 (TIAOLI, "", "会议传达了全国政务公开领导小组第九次会议精神。"),
 (LIUTONGYI, "", "讲话要求优化审批流程、精简申报材料、压缩审批时限。"),
 (LIUTONGYI, "", "“六统一”包括统一受理报件、统一组织会审、统一收费标准、统一发放证件。"),
 (FAZHAN, "", "2016年10月，习近平总书记在党的十八届五中全会上提出了新发展理念。"),
 (FAZHAN, XINFAZHAN, "新发展理念包括创新、协调、绿色、开放、安全。"),
 (FAZHAN, "", "习近平总书记在党的十九届五中全会上提出了“创新、协调、绿色、开放、共享”的发展理念。"),
 (JITI, "", "习近平总书记主持第二十八次集体学习时强调新发展理念是一个整体。"),
 (ZHIDAO, "", "我们将认真贯彻《国务院关于加快推进政务服务标准化规范化数字化的指导意见》。"),
 (ZHIDAO, "", "结合我市开展“营商环境提升年”行动的要求。"),
 (QINGSONG, "", "通过推广使用“青松通”手机APP推广便民服务事项。"),
 (SHIFAN, "", "设立“党员示范岗”28个、“党员责任区”25个。"),
 (QUANNIAN, "", "全年共受理行政审批事项11.2亿件。"),
 (QUANNIAN, "", "全年办理企业年检5000余家，新批企业900多家。"),
 (QUANNIAN, "", "审批建设项目136个，集中进行各类公共资源交易300件。"),
 (ZHIDAO, "", "严格落实《2023年政务服务和公共资源交易工作要点》。"),
 (FAZHAN, "", "协调发展注重的是解决城乡差距问题。"),
 (QINGSONG, "", "通过“办不成事反映窗口”建设，群众满意度达到98%。"),
]
FAITHFUL = [  # (passage, question, sentence): each says only what the passage says
 (SIQIANG, "“四强”党支部指的是哪四个方面强？", "“四强”党支部指作用发挥强、政治功能强、党员队伍强、支部班子强。"),
 (SIQIANG, "“四强”党支部指的是哪四个方面强？", "讲话提到，“四强”包括政治功能强、支部班子强等四个方面。"),
 (HUIQI, "", "2023年累计办理惠企政策兑现43400件，兑现金额7.8亿元。"),
 (JISHU, "", "企业通过“惠企通”平台申请技改补贴，从提交材料到资金到账仅用三个工作日。"),
 (YINGSHANG, "", "张光峰书记对加快行政审批制度改革提出了更高的要求。"),
 (BINZHOU, "", "滨州是全省保留市级行政许可事项最少的城市，精简幅度达到百分之七十六。"),
 (CHUANGKOU, "窗口工作人员的年龄有什么要求？", "窗口工作人员原则上两年轮换一次，年龄上限不超过40周岁。"),
 (ZHONGBAN, "", "中央先后出台了中办发【20xx】22号、鲁办发〔20xx〕18号等文件。"),
 (BANZI, "", "根据资料，本科以上学历占比85%，35岁以下的年轻干部占比60%。"),
 (S321608, "321608审批机制是什么？", "321608审批机制要求3个工作日完成企业开办、2个工作日完成不动产登记。"),
 (BINZHOU, "", "市政府下发了《关于公布保留和调整的市级行政许可和非行政许可审批项目(20xx年度)的决定》，保留市级行政许可事项七十四项。"),
 (HUIQI, "", "“惠企通”平台实现了“线上一网、线下一窗”快速兑现。"),
 (S321608, "", "企业开办全流程时限已压缩到一个工作日，比2022年缩短了80%。"),
 (S321608, "321608审批机制是什么？", "321608审批机制是指企业开办3个工作日、不动产登记2个工作日、施工许可1个工作日。"),
 (TIAOLI, "《政府信息公开条例》什么时候实施？", "《政府信息公开条例》将于五月一日实施。"),
 (TIAOLI, "", "会议传达了全国政务公开领导小组第八次会议精神。"),
 (LIUTONGYI, "", "讲话要求优化审批流程、减少审批环节、压缩审批时限的工作。"),
 (LIUTONGYI, "“六统一”审批办理机制指什么？", "“六统一”指统一受理报件、统一组织会审、统一承诺办结时间和统一发放证件等。"),
 (FAZHAN, XINFAZHAN, "新发展理念包括创新、协调、绿色、开放、共享。"),
 (FAZHAN, "", "2015年10月，习近平总书记在十八届五中全会上提出了“创新、协调、绿色、开放、共享”的发展理念。"),
 (FAZHAN, "", "绿色发展注重解决人与自然和谐问题，共享发展注重解决社会公平正义问题。"),
 (JITI, "", "二〇二一年一月二十八日，习近平总书记主持中共中央政治局第二十七次集体学习。"),
 (ZHIDAO, "", "我市要严格落实《2022年政务服务和公共资源交易工作要点》，持续深化“放管服”改革。"),
 (QINGSONG, "", "推广使用“青松办”手机APP，在更大范围推广便民服务事项。"),
 (SHIFAN, "", "设立了“党员责任区”15个、“党员示范岗”28个。"),
 (QUANNIAN, "", "全年共受理行政审批事项112000件，新批企业800多家。"),
 (QUANNIAN, "", "全年审批建设项目一百三十六个。"),
 (ZHIDAO, "", "围绕服务发展大局、聚焦民生领域热点，激发市场主体活力。"),
 (QINGSONG, "", "通过移动端办理，强化便民服务事项的自助服务功能。"),
 (FAZHAN, "", "创新发展注重的是解决发展动力问题。"),
]


def test_the_four_strengths_answer_is_caught_item_by_item():
    answer = "四强党支部指的是政治功能强、业务融合强、党员作用强、组织建设强。"
    bad = unsupported_units(answer, SIQIANG, "“四强”党支部指的是哪四个方面强？")
    assert bad == ["业务融合强", "党员作用强", "组织建设强"]


@pytest.mark.parametrize("cited, question, sentence", PERTURBED, ids=[s[:12] for _, _, s in PERTURBED])
def test_perturbed_sentence_is_caught(cited, question, sentence):
    assert unsupported_units(sentence, cited, question)


@pytest.mark.parametrize("cited, question, sentence", FAITHFUL, ids=[s[:12] for _, _, s in FAITHFUL])
def test_faithful_paraphrase_is_kept(cited, question, sentence):
    assert unsupported_units(sentence, cited, question) == []


def test_the_unsupported_part_is_named_as_written():
    assert unsupported_units("保留市级行政许可事项74项，精简幅度达到67%。", BINZHOU) == ["67%"]
    assert unsupported_units("兑现金额7.8万元。", HUIQI) == ["7.8万元"]
    assert unsupported_units("推广应用“惠民通”平台，实现快速兑现。", HUIQI) == ["“惠民通”"]


def test_boilerplate_and_the_question_are_not_units():
    assert content_units("讲话提到，根据资料，主要包括以下几个方面。") == []
    units = content_units("“四强”党支部包括四个方面。", question="“四强”党支部指的是哪四个方面强？")
    assert units == []
    # the source's own words are not boilerplate
    assert unsupported_units("紧扣《政府工作报告》目标任务。", ZHIDAO) == []
    assert unsupported_units("紧扣《政府工作总结》目标任务。", ZHIDAO) == ["《政府工作总结》"]
    assert unsupported_units("讲话指出申报材料精简了。", ZHIDAO) == ["申报材料精简"]


def test_document_and_article_numbers_must_match():
    cited = "出台了中办发〔2023〕22号文件，依据条例第十二条。"
    assert unsupported_units("依据中办发[2023]22号文件和第12条。", cited) == []
    assert unsupported_units("依据国办发〔2023〕22号文件。", cited) == ["国办发〔2023〕22号"]
    assert unsupported_units("依据条例第十三条。", cited) == ["第十三条"]
    assert unsupported_units("依据条例第12款。", cited) == ["第12款"]


def test_policy_terms_found_in_the_sentence_must_be_in_the_passage():
    cited = "推行一窗受理，群众办事更方便。"
    assert unsupported_units("推行一窗受理和一网通办。", cited, terms=["一网通办", "一窗受理"]) == [
        "一网通办"]
