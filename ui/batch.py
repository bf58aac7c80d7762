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


class OutputUnusable(ValueError):
    """--out cannot be written; str(e) says why, in Chinese."""


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
