"""Chinese for what Streamlit draws around the 查政策 page's search box and glossary table."""
from __future__ import annotations

from ui.chat.localise import translate


def test_search_box_hint_and_table_toolbar_become_chinese():
    assert translate("Press Enter to apply") == "按回车键确认"
    assert translate("Press ⌘+Enter to submit form") == "按回车键确认"
    assert translate("Download as CSV") == "下载表格"
    assert translate("Search") == "搜索"
    assert translate("Show/hide columns") == "显示或隐藏列"
    assert translate("Sort ascending") == "升序排列" and translate("Sort descending") == "降序排列"
    assert translate("Searching 一窗受理") == "Searching 一窗受理"  # whole strings only
