import codecs
import time
from pathlib import Path

import pytest

from ingest.load import SUPPORTED_SUFFIXES, load_file
from vectorstore.errors import UnreadableFile

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
SPEECH = "同志们：\n今天，我们召开全县政务服务工作会议，主要任务是部署2025年重点工作。\n一、提高政治站位\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".html", ".htm", ".docx", ".pdf"} <= set(SUPPORTED_SUFFIXES)


def test_utf8(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "讲话.txt", SPEECH.encode("utf-8")))
    assert loaded.text == SPEECH
    assert loaded.encoding == "utf-8"
    assert loaded.kind == "txt"


def test_utf8_with_bom_drops_the_bom(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "bom.txt", codecs.BOM_UTF8 + SPEECH.encode("utf-8")))
    assert loaded.text == SPEECH
    assert not loaded.text.startswith("\ufeff")


def test_gbk(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "gbk.txt", SPEECH.encode("gbk")))
    assert loaded.text == SPEECH
    assert loaded.encoding == "gb18030"


def test_gb18030_only_characters(tmp_path: Path) -> None:
    text = "㐀字在GB18030里有、在GBK里没有。政务服务会议讲话。"
    assert load_file(write(tmp_path, "gb.txt", text.encode("gb18030"))).text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    # Plain "utf-16" writes a BOM; the -le/-be codecs write none and are found by the NUL pattern.
    text = "2025年10月16日 政务服务 meeting notes\n第二行 line two\n" * 5
    loaded = load_file(write(tmp_path, "u16.txt", text.encode(encoding)))
    assert loaded.text == text


def test_markdown(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "讲话.md", "# 标题\n\n正文。".encode("utf-8")))
    assert loaded.kind == "md"
    assert loaded.text == "# 标题\n\n正文。"


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t "])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "empty.txt", data))
    assert err.value.reason == "空文件"
    assert err.value.path.name == "empty.txt"


def test_png_renamed_to_txt_is_binary(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "图片.txt", png))
    assert "二进制文件" in err.value.reason


def test_nul_bytes_that_are_not_utf16_are_binary(tmp_path: Path) -> None:
    data = bytes([0, 0, 0, 7, 200, 0, 0, 0, 13, 0, 0, 255] * 50)
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "data.txt", data))
    assert "二进制文件" in err.value.reason


def test_control_characters_are_binary(tmp_path: Path) -> None:
    data = bytes(range(1, 32)) * 40
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "ctrl.txt", data))
    assert "二进制文件" in err.value.reason


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "a.xyz", SPEECH.encode("utf-8")))
    assert "不支持的文件类型 .xyz" in err.value.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        load_file(tmp_path / "没有.txt")
    assert err.value.reason == "文件不存在"


def test_html_visible_text(tmp_path: Path) -> None:
    html = """<!doctype html><html><head><meta charset="utf-8"><title>页面标题</title>
    <style>p { color: red; }</style><script>var ad = "广告脚本";</script></head>
    <body><div>您好&amp;欢迎</div><p>同志们：</p><p>今天，我们
    召开会议。<br>第二句。</p><noscript>请启用脚本</noscript>
    <table><tr><td>事项</td><td>数量</td></tr></table></body></html>"""
    loaded = load_file(write(tmp_path, "page.html", html.encode("utf-8")))
    assert loaded.kind == "html"
    assert loaded.text.split("\n") == ["您好&欢迎", "同志们：", "今天，我们 召开会议。", "第二句。", "事项 数量"]
    for hidden in ("广告脚本", "color", "页面标题", "请启用脚本"):
        assert hidden not in loaded.text


def test_html_with_unclosed_head(tmp_path: Path) -> None:
    html = "<html><head><title>标题</title><body><p>正文第一段。</p><p>第二段。</p></body></html>"
    assert load_file(write(tmp_path, "p.html", html.encode("utf-8"))).text == "正文第一段。\n第二段。"


def test_unreadable_file_pickles_and_reads_well() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(UnreadableFile(Path("a.txt"), "空文件")))
    assert (err.path, err.reason, str(err)) == (Path("a.txt"), "空文件", "a.txt: 空文件")


def test_gbk_html(tmp_path: Path) -> None:
    html = '<html><head><meta charset="gbk"></head><body><p>政务服务讲话正文。</p></body></html>'
    loaded = load_file(write(tmp_path, "page.htm", html.encode("gbk")))
    assert loaded.text == "政务服务讲话正文。"


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("在全县政务服务工作会议上的讲话")
    document.add_paragraph("同志们：")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "事项"
    table.cell(0, 1).text = "办理时限"
    table.cell(1, 0).text = "企业开办"
    table.cell(1, 1).text = "1个工作日"
    document.add_paragraph("谢谢大家！")
    path = tmp_path / "讲话.docx"
    document.save(str(path))

    loaded = load_file(path)
    assert loaded.kind == "docx"
    assert loaded.encoding is None
    assert loaded.text.split("\n") == [
        "在全县政务服务工作会议上的讲话",
        "同志们：",
        "事项 | 办理时限",
        "企业开办 | 1个工作日",
        "谢谢大家！",
    ]


def test_text_renamed_to_docx(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "fake.docx", SPEECH.encode("utf-8")))
    assert "不是有效的 .docx" in err.value.reason


def _minimal_pdf(text: str) -> bytes:
    """Return a one-page PDF showing text in Helvetica, with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "speech.pdf", _minimal_pdf("Government services speech")))
    assert loaded.kind == "pdf"
    assert "Government services speech" in loaded.text


def test_pdf_without_text(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(UnreadableFile) as err:
        load_file(path)
    assert "没有可提取的文字" in err.value.reason


def test_broken_pdf(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        load_file(write(tmp_path, "broken.pdf", b"%PDF-1.4\n garbage without objects"))
    assert "PDF" in err.value.reason


def test_two_megabytes_without_punctuation(tmp_path: Path) -> None:
    text = "政务服务中心窗口办理事项" * 60_000  # about 2.1 MB of UTF-8, no punctuation, one line
    path = write(tmp_path, "long.txt", text.encode("utf-8"))
    assert path.stat().st_size > 2_000_000
    started = time.perf_counter()
    loaded = load_file(path)
    assert loaded.text == text
    assert time.perf_counter() - started < 5


def test_two_megabytes_gbk(tmp_path: Path) -> None:
    text = "政务服务中心窗口办理事项" * 90_000
    assert load_file(write(tmp_path, "long_gbk.txt", text.encode("gbk"))).text == text


def test_corpus_files_load_as_utf8() -> None:
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) == 5
    for path in files:
        loaded = load_file(path)
        assert loaded.encoding == "utf-8"
        assert "政务服务" in loaded.text
