"""Uploads: safe file names, size and type checks, saving under the upload folder."""
from __future__ import annotations

import pytest

from ingest.pipeline import IngestReport
from ui.chat import uploads
from vectorstore.catalog import Catalog, FileEntry
from vectorstore.records import SpeechDocument


@pytest.mark.parametrize("given, expected", [
    ("讲话稿.docx", "讲话稿.docx"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\system32\\讲话.TXT", "讲话.txt"),
    ("／etc／讲话.md", "讲话.md"),
    ("..", uploads.FALLBACK_STEM),
    (".hidden.txt", "hidden.txt"),
    ("a<b>c:d\"e|f?g*h.pdf", "abcdefgh.pdf"),
    ("讲话\x00\x1f\n稿.txt", "讲话稿.txt"),
    ("evil\u202etxt.exe", "eviltxt.exe"),  # a right-to-left override cannot disguise the type
    ("CON.txt", "_CON.txt"),
    ("  讲话   稿 .txt ", "讲话 稿.txt"),
    ("$(rm -rf ~);`x`.txt", "(rm -rf ~)x.txt"),
    ("稿.tar.gz", "稿.tar.gz"),
])
def test_sanitize_filename(given, expected):
    assert uploads.sanitize_filename(given) == expected


def test_sanitized_name_never_leaves_the_folder_and_is_bounded():
    for given in ["../x.txt", "/abs/x.txt", "a/../../b.txt", "..\\..\\c.txt", "x" * 500 + ".txt"]:
        name = uploads.sanitize_filename(given)
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert len(name) <= uploads.MAX_STEM_CHARS + 11


def test_upload_problems():
    assert uploads.upload_problem("a.txt", 10) is None
    assert "不支持的文件类型 .exe" in uploads.upload_problem("a.exe", 10)
    assert "无扩展名" in uploads.upload_problem("README", 10)
    assert uploads.upload_problem("a.txt", 0) == "空文件"
    too_big = uploads.upload_problem("a.pdf", uploads.MAX_UPLOAD_BYTES + 1)
    assert "文件太大" in too_big and "20 MB" in too_big


def test_save_upload_writes_under_the_folder(tmp_path):
    folder = tmp_path / "uploads"
    first = uploads.save_upload("../../逃逸.txt", "内容".encode(), folder)
    assert first.path == (folder / "逃逸.txt").resolve()
    assert first.path.read_text(encoding="utf-8") == "内容"
    assert not first.replaced and first.problem is None
    assert not (tmp_path / "逃逸.txt").exists()
    again = uploads.save_upload("逃逸.txt", "新内容".encode(), folder)
    assert again.replaced and again.path.read_text(encoding="utf-8") == "新内容"
    assert [p.name for p in folder.iterdir()] == ["逃逸.txt"]  # no temporary file left


def test_save_upload_refuses_without_writing(tmp_path):
    out = uploads.save_upload("病毒.exe", b"MZ", tmp_path)
    assert out.path is None and "不支持" in out.problem
    assert list(tmp_path.iterdir()) == []


def test_result_lines_report_each_file(tmp_path):
    good = uploads.save_upload("好.txt", "在某会议上的讲话\n正文。".encode(), tmp_path)
    bad = uploads.save_upload("坏.txt", b"\x00\x01", tmp_path)
    refused = uploads.save_upload("图.png", b"x", tmp_path)
    doc = SpeechDocument("d1", "在某会议上的讲话", "正文。", "好.txt")
    catalog = Catalog(files={str(good.path): FileEntry(str(good.path), "sha", [doc], [object(), object()])})
    report = IngestReport(skipped=[{"file": str(bad.path), "reason": "不是文本文件"}])
    lines = uploads.result_lines([good, bad, refused], report, catalog)
    assert lines == [
        (True, "好.txt：已导入 《在某会议上的讲话》，2 段"),
        (False, "坏.txt：未导入，不是文本文件"),
        (False, "图.png：未导入，不支持的文件类型 .png，支持：.txt .md .html .docx .pdf"),
    ]
    assert uploads.discard_rejected([good, bad, refused], report) == [bad.path]
    assert good.path.exists() and not bad.path.exists()
