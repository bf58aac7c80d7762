"""The text of formatted files: an HTML page's visible text, a .docx's paragraphs and tables,
a PDF's pages (the readers raise UnreadableFile with a Chinese reason)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from vectorstore.errors import UnreadableFile

# --- HTML -----------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl",
    "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
    "thead", "tfoot", "title", "tr", "ul",
}
_CELL_TAGS = {"td", "th"}
_HIDDEN_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed",
              "source", "track", "wbr", "param"}


class _VisibleText(HTMLParser):
    """Collects the text a browser would show, with block elements on their own lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.hidden = 0  # an unclosed <head> ends where the body starts
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag == "pre":
            self.pre += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK_TAGS and tag not in _VOID_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        # Outside <pre>, source line breaks are just spaces to a browser.
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML page: no script/style/head, one block per line."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --- DOCX and PDF ---------------------------------------------------------------------------


def docx_text(path: Path, data: bytes) -> str:
    """Return the paragraphs and table rows of a .docx in document order."""
    if not data.startswith(b"PK"):
        raise UnreadableFile(path, "不是有效的 .docx 文件（可能是旧版 .doc，请另存为 .docx）")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except ImportError as e:
        raise UnreadableFile(path, "缺少 python-docx，无法读取 .docx") from e
    except Exception as e:  # python-docx raises assorted errors on damaged files
        raise UnreadableFile(path, f".docx 文件已损坏，无法读取（{type(e).__name__}）") from e

    lines: list[str] = []

    def add_table(table: Table) -> None:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                value = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                # Merged cells come back once per grid column; show them once.
                if value and (not cells or cells[-1] != value):
                    cells.append(value)
            if cells:
                lines.append(" | ".join(cells))
            for cell in row.cells:
                for inner in cell.tables:
                    add_table(inner)

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            add_table(block)
    return "\n".join(lines)


def pdf_text(path: Path, data: bytes) -> str:
    """Return the extracted text of every page of a PDF, pages separated by newlines."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile(path, "不是有效的 PDF 文件")
    try:
        from pypdf import PdfReader
    except ImportError as e:
        raise UnreadableFile(path, "缺少 pypdf，无法读取 PDF") from e
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as e:
                raise UnreadableFile(path, "PDF 已加密，无法读取") from e
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except Exception as e:  # pypdf raises many error types on damaged or encrypted files
        if "encrypt" in str(e).lower() or "password" in str(e).lower():
            raise UnreadableFile(path, "PDF 已加密，无法读取") from e
        raise UnreadableFile(path, f"PDF 文件已损坏，无法读取（{type(e).__name__}）") from e
    return "\n".join(pages)
