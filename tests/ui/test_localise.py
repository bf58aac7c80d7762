"""Streamlit's own English strings and their Chinese replacements."""
from __future__ import annotations

import json
import re

from ui.chat.localise import REPLACEMENTS, localise_script, translate


def test_streamlit_strings_seen_in_the_page_become_chinese():
    assert translate("Upload") == "上传"
    assert translate("20MB per file") == "单个文件不超过 20 MB"
    assert translate("Limit 20MB per file • TXT, MD, HTML") == "单个文件不超过 20 MB"
    assert translate("Select all") == "全选"
    assert translate("Thumbs up") == "有帮助" and translate("Thumbs down") == "没帮助"
    assert translate("Help for 引用段落数") == "引用段落数的说明"
    assert translate("Drag and drop files here") == "把文件拖到这里"
    assert translate("24 options available.") == "共 24 项"
    assert translate("option 学习党的二十大精神心得体会 focused, 1 of 24.") == "学习党的二十大精神心得体会，第 1 项，共 24 项"


def test_other_text_is_left_alone():
    for text in ["321608审批机制", "Uploads", "上传讲话", "PDF", "Help me"]:
        assert translate(text) == text


def test_every_replacement_is_chinese_and_reaches_the_script():
    script = localise_script()
    rules = json.loads(re.search(r"const rules = (\[.*?\])\.map", script, re.S).group(1))
    assert [tuple(r) for r in rules] == REPLACEMENTS
    for _, chinese in REPLACEMENTS:
        assert not re.search(r"[A-Za-z]", chinese.replace("MB", ""))
