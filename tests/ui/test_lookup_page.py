"""The 查政策 page under Streamlit's AppTest, through the app's navigation, on a real index."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from vectorstore.index import open_committed_index

pytestmark = pytest.mark.slow

MAIN = Path(__file__).resolve().parents[2] / "ui" / "chat" / "main_page.py"
TIMEOUT = 300


@pytest.fixture
def page(bundled_index, tmp_path, monkeypatch) -> AppTest:
    for k in list(os.environ):
        if k.startswith("ZWQA_"):
            monkeypatch.delenv(k)
    env = {"ZWQA_INDEX_DIR": str(bundled_index.index_dir), "ZWQA_DATA_DIR": str(tmp_path),
           "ZWQA_CORPUS_DIR": str(bundled_index.corpus_dir),
           "ZWQA_LLM_PATH": str(tmp_path / "no-model.gguf"),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT)
    at.switch_page("lookup_page.py").run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if 'class="zwqa-card"' in h.proto.body]


def test_search_shows_every_mention_as_a_highlighted_card(page, bundled_index):
    assert [t.value for t in page.title] == ["查政策"]
    page.text_input(key="lookup_term").set_value("一窗受理").run()
    assert not page.exception, page.exception
    docs = open_committed_index(bundled_index.index_dir).documents()
    total = sum(d.text.count("一窗受理") for d in docs)
    assert any(f"共出现 {total} 次" in m.value for m in page.markdown)
    shown = cards(page)
    assert len(shown) == total and all('<mark class="zwqa-hl">一窗受理</mark>' in c for c in shown)
    assert len([b for b in page.button if b.label == "查看全文"]) == total
    page.button(key="full-0-0").click().run()  # opens the speech dialog
    assert not page.exception, page.exception


def test_definition_first_suggestions_for_a_miss_and_the_glossary(page):
    page.text_input(key="lookup_term").set_value("321608").run()
    labels = [h.proto.body for h in page.get("html")]
    first_card = next(i for i, b in enumerate(labels) if 'class="zwqa-card"' in b)
    assert "定义" in labels[first_card - 1] and "3个工作日完成企业开办" in labels[first_card]
    page.text_input(key="lookup_term").set_value("一窗受里").run()
    assert any("没有出现" in w.value for w in page.warning)
    page.button(key="suggest-0").click().run()
    assert page.text_input(key="lookup_term").value == "一窗受理"
    assert cards(page)
    table = page.dataframe[0].value
    assert list(table.columns) == ["术语", "定义", "讲话数", "出现次数"]
    assert len(table) >= 30 and table["定义"].str.len().min() > 0


def test_ask_this_hands_the_term_to_the_chat(page):
    page.text_input(key="lookup_term").set_value("321608").run()
    page.button(key="ask-term").click().run()
    assert not page.exception, page.exception
    answers = page.session_state["answers"]
    assert answers and answers[-1].question == "“321608”是什么？"
    assert answers[-1].citations and not answers[-1].refused
