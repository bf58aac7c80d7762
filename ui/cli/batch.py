"""`zwqa ask --batch`: answer a file of questions, one JSON line each, into a file or stdout.

Lines that are not UTF-8, not JSON, or lack id/question (or carry a malformed history) are
reported by number and skipped. The output file is checked before any model loads and written
under a temporary name, renamed over --out only when every question has been answered, so a
failed or killed run never empties an earlier answers file.
"""
from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, TextIO

from qa.serialize import BadLine, QuestionLine, parse_question_lines
from vectorstore.errors import OutputUnusable


def check_question_file(path: str) -> str | None:
    """Return why the question file cannot be read, or None when it can ("-" is stdin)."""
    if path == "-":
        return None
    p = Path(path)
    if not p.exists():
        return f"问题文件不存在：{path}"
    if p.is_dir():
        return f"问题文件是一个文件夹：{path}"
    if not os.access(p, os.R_OK):
        return f"没有权限读取问题文件：{path}"
    return None


class PendingOutput:
    """A temporary file beside --out, renamed over it by commit(); discard() keeps the old one."""

    def __init__(self, out: str):
        target = Path(out)
        if target.is_dir():
            raise OutputUnusable(f"输出文件是一个文件夹：{out}")
        if target.exists() and not stat.S_ISREG(target.stat().st_mode):
            raise OutputUnusable(f"输出文件不是普通文件：{out}（请写入普通文件）")
        folder = target.parent
        if not folder.is_dir():
            raise OutputUnusable(f"输出文件所在的文件夹不存在：{folder}")
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as e:
            raise OutputUnusable(f"无法在 {folder} 中写入输出文件：{e.strerror or e}") from e
        self.target = target
        self.tmp = Path(tmp)
        self.file: TextIO = os.fdopen(fd, "w", encoding="utf-8")

    def commit(self) -> None:
        """Flush the answers to disk and put them in place of --out."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        if self.target.exists():
            os.chmod(self.tmp, stat.S_IMODE(self.target.stat().st_mode))
        os.replace(self.tmp, self.target)

    def discard(self) -> Path | None:
        """Leave --out untouched; keep what was answered as <out>.partial and return its path
        (None when nothing was answered, or already committed or discarded)."""
        if self.file.closed:
            return None
        self.file.close()
        if self.tmp.stat().st_size == 0:
            self.tmp.unlink(missing_ok=True)
            return None
        partial = self.target.with_name(self.target.name + ".partial")
        os.replace(self.tmp, partial)
        return partial


@dataclass(frozen=True)
class BatchQuestion:
    """A usable line: the question and the conversation before it."""

    line: QuestionLine
    history: tuple[tuple[str, str], ...] = ()


def parse_history(value) -> tuple[tuple[str, str], ...] | None:
    """Return the history field as (question, answer) pairs, or None when malformed."""
    if value is None:
        return ()
    if not isinstance(value, list):
        return None
    pairs = []
    for pair in value:
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or not all(isinstance(x, str) for x in pair)):
            return None
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def read_batch(raw_lines: Iterable[bytes]) -> Iterator[BatchQuestion | BadLine]:
    """Yield each non-blank line of a question file (as bytes) as a BatchQuestion or BadLine."""
    for line_no, raw in enumerate(raw_lines, start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield BadLine(line_no, f"不是 UTF-8 编码（第 {e.start + 1} 字节起无法解码）")
            continue
        for item in parse_question_lines([text]):
            item = replace(item, line_no=line_no)
            if isinstance(item, BadLine):
                yield item
                continue
            history = parse_history(item.fields.get("history"))
            if history is None:
                yield BadLine(line_no, "history 字段应为 [问题, 回答] 对的列表")
                continue
            yield BatchQuestion(item, history)


def open_questions(path: str) -> BinaryIO:
    """Return the question file (or stdin for "-") as bytes."""
    return sys.stdin.buffer if path == "-" else open(path, "rb")


def answer_batch(answerer, questions: str, pending: PendingOutput | None, mode: str,
                 k: int | None) -> int:
    """Answer every line of the question file (or stdin for "-") into pending, or stdout when
    it is None; return the exit code (1 when lines were skipped). Progress and skipped lines
    go to stderr. On any failure pending is discarded (--out stays as it was) and the error
    propagates."""
    from vectorstore.errors import InvalidQuestion
    from qa.serialize import answer_to_dict, invalid_question_dict, to_json_line

    out = pending.file if pending is not None else sys.stdout
    answered = skipped = 0
    # A running count on a terminal; each message first clears it from the line.
    live = pending is not None and sys.stderr.isatty()
    clear = "\r\033[K" if live else ""
    source = open_questions(questions)
    try:
        for item in read_batch(source):
            if isinstance(item, BadLine):
                print(f"{clear}第 {item.line_no} 行：{item.reason}，已跳过", file=sys.stderr)
                skipped += 1
                continue
            q = item.line
            try:
                answer = answerer.answer(q.question, history=item.history, mode=mode, k=k)
                line = answer_to_dict(answer, q.id)
            except InvalidQuestion as e:
                print(f"{clear}第 {q.line_no} 行（{q.id}）：{e}", file=sys.stderr)
                line = invalid_question_dict(q.id, q.question, str(e))
            out.write(to_json_line(line) + "\n")
            out.flush()
            answered += 1
            if live:
                print(f"{clear}已回答 {answered} 题", end="", file=sys.stderr, flush=True)
    except BaseException:
        if pending is not None:
            kept = pending.discard()
            if kept is not None:
                print(f"{clear}已回答的 {answered} 题保存在 {kept}；{pending.target} 未改动", file=sys.stderr)
        raise
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    if pending is not None:
        pending.commit()
    print(f"{clear}完成：回答 {answered} 题，跳过 {skipped} 行", file=sys.stderr)
    return 1 if skipped else 0
