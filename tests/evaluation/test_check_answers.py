"""evaluation.check_answers on a small handmade answers file (the shape qa.serialize writes)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.check_answers import check_answer, main

SIQIANG = (
    "全面总结全县政务服务系统“四强”党支部(政治功能强、支部班子强、党员队伍强、作用发挥强)建设工作成效,"
    "分析存在问题,部署下一阶段重点任务。"
)
HUIQI = ("梳理更新惠企政策74条,推广应用“惠企通”平台,实现“线上一网、线下一窗”快速兑现,"
         "2023年累计办理惠企政策兑现4.34万件,兑现金额7.8亿元。")
QUESTION_4 = "“四强”党支部指的是哪四个方面强？"


def line(id, question, answer, citations, refused=False, generated=True):
    return {
        "id": id, "question": question, "answer": answer, "refused": refused, "rewritten": None,
        "citations": [{"n": n, "doc_id": "d", "title": "讲话", "section_path": "", "text": t,
                       "highlights": []} for n, t in citations],
        "retrieved": [], "timings_ms": {"generate": 1000.0} if generated else {},
    }


GOOD = line("q1", "2023年惠企政策兑现了多少件？",
            "2023年累计办理惠企政策兑现43400件[1]，兑现金额7.8亿元[1]。", [(1, HUIQI)])
INVENTED = line("q2", QUESTION_4,
                "四强党支部指的是政治功能强、业务融合强、党员作用强、组织建设强。[1]\n"
                "（已删除 1 处无法在来源中核实的引用）", [(1, SIQIANG)])
BLANK = line("q3", "惠企政策有多少条？", "现已梳理更新惠企政策[1]条。", [(1, HUIQI)])
QUOTES = line("q4", QUESTION_4, f"讲话原文中的相关表述：\n“{SIQIANG}”[1]", [(1, SIQIANG)])
REFUSED = line("q5", "补贴标准是多少？",
               "资料中未找到：已收录的讲话中没有与这个问题直接相关的内容。下面列出最接近的段落，仅供参考。",
               [], refused=True, generated=False)
UNCITED = line("q6", "惠企政策兑现金额是多少？",
               "兑现金额7.8亿元[1]。其中技改补贴占比达到45%。", [(1, HUIQI)])


def write(tmp_path: Path, lines) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def test_each_kind_of_answer_is_judged():
    assert check_answer(GOOD).problems == [] and check_answer(GOOD).sentences == 1
    invented = check_answer(INVENTED)
    assert invented.bad_sentences == 1 and invented.sentences == 1  # the system note is skipped
    assert "“业务融合强”“党员作用强”“组织建设强”" in invented.problems[0]
    assert "被当作数字" in check_answer(BLANK).problems[0]
    quotes = check_answer(QUOTES)
    assert quotes.fell_back_to_quotes and quotes.sentences == 0
    assert check_answer(REFUSED).sentences == 0
    uncited = check_answer(UNCITED)
    assert uncited.bad_sentences == 1 and "没有标注来源" in uncited.problems[0]


def test_problems_and_summary_are_printed_and_exit_is_1(tmp_path, capsys):
    path = write(tmp_path, [GOOD, INVENTED, BLANK, QUOTES, REFUSED, UNCITED])
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "[q2] “四强”党支部指的是哪四个方面强？" in out
    assert "[q1]" not in out
    assert out.strip().splitlines()[-1] == (
        "回答 6 条，核对句子 5 句，含无法核实内容的句子 3 句（涉及 3 条回答），改为原文摘录的回答 1 条")


def test_clean_answers_exit_0_and_unreadable_file_exits_2(tmp_path):
    assert main([str(write(tmp_path, [GOOD, QUOTES, REFUSED]))]) == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "answer": "x"}\n不是 JSON\n', encoding="utf-8")
    assert main([str(bad)]) == 2


@pytest.mark.slow
def test_runs_as_a_module(tmp_path):
    path = write(tmp_path, [GOOD, INVENTED])
    done = subprocess.run([sys.executable, "-m", "evaluation.check_answers", str(path)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 1, done.stderr
    assert "业务融合强" in done.stdout
