"""Re-check the sentences of saved answers against the passages they cite.

    zwqa ask --batch questions.jsonl --mode llm --out answers.jsonl
    python -m evaluation.check_answers answers.jsonl

Every sentence of an answer that carries [n] markers is checked with qa.claim_check against the
text of the passages it cites (the "citations" of the answer line, see qa.serialize): a figure,
document number, quoted term, title, name, list item or content phrase that none of them holds
is a problem, and so is a marker used as a blank ("现有[2]个") or a number naming no citation.
In a generated (not refused) answer, a sentence with content units but no marker is a problem
too. Answers that fell back to quoting the source are counted; their quotes are the source.
Prints the problems per answer and a summary; exits 1 when any problem is found, 2 when the
file cannot be read.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from qa.citation_check import MARKER, answer_sentences, marker_numbers
from qa.claim_check import Passage, content_units
from qa.extractive import QUOTES_HEADER
from qa.serialize import json_lines
from vectorstore.text import WORD_CHAR

# Lines the answerer adds itself, not claims of the model.
_SYSTEM_LINE = re.compile(r"^[（(]已删除|^讲话原文中的相关表述|^资料中未找到|^讲话原文没有给出")
_BLANK_MARKER = re.compile(MARKER.pattern + f"(?={WORD_CHAR.pattern})")


@dataclass
class AnswerCheck:
    """The outcome for one answer line: sentences checked and the problems found (Chinese)."""

    id: str
    question: str
    sentences: int = 0
    bad_sentences: int = 0
    fell_back_to_quotes: bool = False
    problems: list[str] = field(default_factory=list)


def check_answer(line: dict) -> AnswerCheck:
    """Return the check of one answer line of `zwqa ask --batch` output."""
    text = line.get("answer") or ""
    question = line.get("rewritten") or line.get("question") or ""
    result = AnswerCheck(id=str(line.get("id")), question=line.get("question") or "")
    if text.startswith(QUOTES_HEADER):
        result.fell_back_to_quotes = "generate" in (line.get("timings_ms") or {})
        return result
    cited = {c["n"]: Passage(c.get("text") or "") for c in line.get("citations") or []}
    for sentence in answer_sentences(text):
        if _SYSTEM_LINE.match(sentence.strip()):
            continue
        problem = _sentence_problem(sentence, cited, question, line.get("refused", False))
        if problem is None:
            continue
        result.sentences += 1
        if problem:
            result.bad_sentences += 1
            result.problems.append(f"“{sentence.strip()}”：{problem}")
    return result


def _sentence_problem(sentence: str, cited: dict[int, Passage], question: str,
                      refused: bool) -> str | None:
    """Return "" for a sound sentence, a description of its problem, or None when there is
    nothing to check (no marker and no content units, or an uncited line of a refusal)."""
    numbers = [x for m in MARKER.finditer(sentence) for x in marker_numbers(m)]
    body = MARKER.sub("", sentence)
    units = content_units(body, question)
    if not numbers:
        if not units or refused:
            return None
        return "没有标注来源：" + _shown(units)
    if blank := _BLANK_MARKER.search(sentence):
        return f"标注{blank.group()}被当作数字或词语使用"
    unknown = [n for n in dict.fromkeys(numbers) if n not in cited]
    if unknown:
        return "引用了不存在的来源" + "".join(f"[{n}]" for n in unknown)
    passages = [cited[n] for n in dict.fromkeys(numbers)]
    missing = [u for u in units if not any(p.supports(u) for p in passages)]
    if missing:
        return "来源" + "".join(f"[{n}]" for n in dict.fromkeys(numbers)) + "中找不到" + _shown(missing)
    return ""


def _shown(units) -> str:
    return "".join(f"“{u.text.strip('“”')}”" for u in units)


def read_answers(lines: Iterable[str]) -> list[dict]:
    """Return the answer objects of a JSON-lines file; blank lines are skipped."""
    out = []
    for line_no, obj in json_lines(lines):
        if isinstance(obj, json.JSONDecodeError):
            raise ValueError(f"第 {line_no} 行不是合法的 JSON（{obj.msg}）") from obj
        if not isinstance(obj, dict) or "answer" not in obj:
            raise ValueError(f"第 {line_no} 行不是回答（缺少 answer 字段）")
        out.append(obj)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.check_answers",
                                     description="逐句核对回答中的内容是否见于所引来源")
    parser.add_argument("answers", help="zwqa ask --batch --out 写出的 JSON lines 文件")
    args = parser.parse_args(argv)
    try:
        with open(args.answers, encoding="utf-8") as f:
            answers = read_answers(f)
    except (OSError, ValueError) as e:
        print(f"无法读取 {args.answers}：{e}", file=sys.stderr)
        return 2
    checks = [check_answer(a) for a in answers]
    for c in checks:
        if c.problems:
            print(f"[{c.id}] {c.question}")
            for p in c.problems:
                print(f"  - {p}")
    bad = sum(c.bad_sentences for c in checks)
    print(f"回答 {len(checks)} 条，核对句子 {sum(c.sentences for c in checks)} 句，"
          f"含无法核实内容的句子 {bad} 句（涉及 {sum(bool(c.problems) for c in checks)} 条回答），"
          f"改为原文摘录的回答 {sum(c.fell_back_to_quotes for c in checks)} 条")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
