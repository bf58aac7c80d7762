"""The command line's one error boundary: expected failures become a Chinese message (exit 2).

Anything listed here is a condition of the user's machine or input — bad settings, a missing
or unreadable path, an unreachable or vanished Chroma server, a damaged index, a bad
encoding — never a bug; a bug still ends in a traceback.
"""
from __future__ import annotations

from vectorstore.errors import REBUILD_HINT


_PYDANTIC_REASONS = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
}
_DAMAGED_SQLITE = ("database disk image is malformed", "file is not a database",
                   "database corruption", "malformed database schema")


def settings_message(error) -> str:
    """Return the Chinese message of a pydantic ValidationError raised by Settings()."""
    lines = []
    for e in error.errors():
        name = "ZWQA_" + "_".join(str(p) for p in e.get("loc", ())).upper()
        reason = _PYDANTIC_REASONS.get(e.get("type", ""))
        if reason is not None:
            reason = reason.format(**e.get("ctx", {}))
        else:
            ctx_error = e.get("ctx", {}).get("error")
            reason = str(ctx_error) if ctx_error is not None else e.get("msg", "")
        lines.append(f"设置 {name}={e.get('input')!r} 无效：{reason}")
    return "；".join(lines)


def _is_chroma_connection_error(e: BaseException) -> bool:
    try:
        import httpx
    except ImportError:
        return False
    return isinstance(e, (httpx.TransportError, ConnectionError))


def is_damaged_store(e: BaseException) -> bool:
    """Return True if e says an sqlite file (Chroma's) is damaged."""
    text = str(e).lower()
    return any(s in text for s in _DAMAGED_SQLITE)


def _embedded_store_damaged(e: BaseException, settings) -> bool:
    """Return True if e came from Chroma or sqlite and the embedded store fails its check:
    the check (about 5 ms per MB) runs only after such an error, not on every open."""
    import sqlite3

    if settings is None or getattr(settings, "chroma_url", ""):
        return False
    if not (type(e).__module__.startswith("chromadb") or isinstance(e, sqlite3.DatabaseError)):
        return False
    from vectorstore.chroma_client import embedded_store_damage

    return embedded_store_damage(settings.index_dir / "chroma") is not None


def expected_message(e: BaseException, settings=None) -> str | None:
    """Return the message for an expected failure, or None for a bug (let it propagate)."""
    from pydantic import ValidationError

    from vectorstore.errors import (ChromaUnavailable, EmbeddingModelMissing, IndexCorrupt,
                                    IndexMissing)

    if isinstance(e, ValidationError):
        return settings_message(e)
    known = [IndexMissing, IndexCorrupt, ChromaUnavailable, EmbeddingModelMissing]
    try:
        from vectorstore.errors import IngestBusy

        known.append(IngestBusy)
    except ImportError:
        pass
    if isinstance(e, tuple(known)):
        return str(e)
    url = getattr(settings, "chroma_url", "") if settings is not None else ""
    if url and _is_chroma_connection_error(e):
        return (f"与 Chroma 服务器 {url} 的连接中断（{e}）。请确认服务器仍在运行"
                "（chroma run --path <数据目录> --host <地址> --port <端口>），再重试")
    if is_damaged_store(e) or _embedded_store_damaged(e, settings):
        return f"Chroma 向量库文件已损坏（{e}）。{REBUILD_HINT}"
    if isinstance(e, UnicodeDecodeError):
        return f"文件不是 UTF-8 编码（第 {e.start} 字节起无法解码），请转存为 UTF-8 后重试"
    if isinstance(e, IsADirectoryError):
        return f"应为文件，却是文件夹：{e.filename}"
    if isinstance(e, FileNotFoundError):
        return f"文件或文件夹不存在：{e.filename}"
    if isinstance(e, PermissionError):
        return f"没有权限读写：{e.filename}"
    if isinstance(e, OSError) and e.filename:
        return f"无法读写 {e.filename}：{e.strerror or e}"
    return None


def positive_int(text: str) -> int:
    """Return text as an integer ≥ 1 (an argparse type: a bad value is a usage error)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数：{text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应不小于 1：{value}")
    return value


def set_aside_damaged_store(path, force: bool = False) -> None:
    """Before `ingest --rebuild`: move a damaged embedded Chroma store (or, with force, one
    that cannot be opened) aside as chroma.corrupt-<time>, and say so on stderr."""
    import sys

    from vectorstore.chroma_client import embedded_store_damage, move_aside

    damage = embedded_store_damage(path)
    if damage is None and not force:
        return
    if not path.exists():
        return
    moved = move_aside(path)
    print(f"向量库已损坏（{damage or '无法打开'}）：已移到 {moved}，现在重建", file=sys.stderr)
