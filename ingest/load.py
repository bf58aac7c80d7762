"""Read a speech file (.txt .md .html .docx .pdf) into text, or say in Chinese why it cannot be read."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.formats import docx_text, html_to_text, pdf_text
from vectorstore.errors import UnreadableFile

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})
_PLAIN_SUFFIXES = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html"}

# File signatures of common binary formats, checked before any decoding attempt.
_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"PK\x03\x04",  # zip, docx/xlsx renamed to .txt
    b"%PDF-",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # old .doc/.xls
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
)
# Characters a real (Chinese or English) text file is made of; used to reject decodings that
# "succeed" on the wrong bytes (GB18030 decodes almost anything).
_PLAUSIBLE = re.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u2100-\u27bf\u3000-\u303f\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u0370-\u03ff\u0400-\u04ff"
    r"\u2460-\u24ff\u2e80-\u2fdf\u3040-\u30ff\u3200-\u33ff\ufeff]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SAMPLE = 200_000  # characters examined by the plausibility checks


@dataclass(frozen=True)
class LoadedText:
    """Text read from a file, with the encoding used (None for .docx/.pdf) and the file kind."""

    text: str
    encoding: str | None
    kind: str  # "txt", "md", "html", "docx", "pdf"


def load_file(path: Path) -> LoadedText:
    """Return the text of path, or raise UnreadableFile with a Chinese reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise UnreadableFile(path, f"不支持的文件类型 {shown}，支持：.txt .md .html .htm .docx .pdf")
    if not path.exists():
        raise UnreadableFile(path, "文件不存在")
    if not path.is_file():
        raise UnreadableFile(path, "不是文件")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableFile(path, f"无法打开文件：{e.strerror or e}") from e
    if not data.strip():
        raise UnreadableFile(path, "空文件")

    if suffix == ".docx":
        text, encoding, kind = docx_text(path, data), None, "docx"
    elif suffix == ".pdf":
        text, encoding, kind = pdf_text(path, data), None, "pdf"
    else:
        text, encoding = decode_bytes(path, data)
        kind = _PLAIN_SUFFIXES[suffix]
        if kind == "html":
            text = html_to_text(text)
    if not text.strip():
        raise UnreadableFile(path, "空文件" if kind != "pdf" else "PDF 中没有可提取的文字（可能是扫描件）")
    return LoadedText(text=text, encoding=encoding, kind=kind)


def decode_bytes(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding) for the bytes of a text file, or raise UnreadableFile."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with UTF-16-LE's
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _checked(path, data.decode(encoding)), encoding
            except UnicodeDecodeError as e:
                raise UnreadableFile(path, f"文件声明为 {encoding.upper()} 但内容无法解码") from e

    if any(data.startswith(m) for m in _MAGIC):
        raise UnreadableFile(path, "二进制文件，无法读取为文本")

    if b"\x00" in data:
        # Text with NUL bytes is only plausible as UTF-16 without a BOM: ASCII characters then
        # put the NUL in every other byte (odd positions for little-endian).
        for encoding in _utf16_candidates(data):
            try:
                text = data[: len(data) // 2 * 2].decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return _checked(path, text), encoding
        raise UnreadableFile(path, "二进制文件，无法读取为文本")

    try:
        return _checked(path, data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    # Chinese office files are usually GBK; GB18030 is its superset.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible(text):
        return _checked(path, text), "gb18030"

    guess = _charset_normalizer_guess(data)
    if guess is not None:
        return _checked(path, guess[0]), guess[1]
    if _looks_binary_bytes(data):
        raise UnreadableFile(path, "二进制文件，无法读取为文本")
    raise UnreadableFile(path, "无法识别的文本编码（请另存为 UTF-8 或 GBK）")


def _utf16_candidates(data: bytes) -> list[str]:
    """Return the UTF-16 byte orders whose NUL pattern the data shows, most likely first."""
    sample = data[:_SAMPLE]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    pairs = max(len(sample) // 2, 1)
    out = []
    # ASCII in UTF-16-LE is "x\0": NULs at odd positions, almost none at even positions.
    if odd_nuls > even_nuls * 4 and odd_nuls >= 0.05 * pairs:
        out.append("utf-16-le")
    if even_nuls > odd_nuls * 4 and even_nuls >= 0.05 * pairs:
        out.append("utf-16-be")
    return out


def _plausible(text: str) -> bool:
    """Return whether text is made almost only of characters real documents use."""
    sample = text[:_SAMPLE]
    if not sample:
        return True
    good = len(_PLAUSIBLE.findall(sample))
    return good >= 0.97 * len(sample)


def _checked(path: Path, text: str) -> str:
    """Return text unless it has so many control characters that it must be a binary file."""
    sample = text[:_SAMPLE]
    controls = len(_CONTROL.findall(sample))
    if controls > max(3, 0.01 * len(sample)):
        raise UnreadableFile(path, "二进制文件，无法读取为文本")
    return text.lstrip("\ufeff")


def _looks_binary_bytes(data: bytes) -> bool:
    """Return whether the bytes have the control-character density of a binary file."""
    sample = data[:_SAMPLE]
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13))
    return controls > max(3, 0.01 * len(sample))


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """Return (text, encoding) from charset-normalizer when it finds a plausible decoding."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the strict decoders above cover UTF-8 and GBK
        return None
    best = from_bytes(data[:_SAMPLE]).best()
    if best is None or best.encoding is None:
        return None
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if not _plausible(text):
        return None
    return text, best.encoding
