"""The chat page under Streamlit's AppTest, against a real index of the bundled corpus (real
embedder, Chroma and BM25; the chat model is switched off so answers are extractive)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.chat import render
from ui.chat.answers import INTERRUPTED, is_interrupted
from ui.chat.feedback import FILE_NAME
from vectorstore.catalog import current_generation
from vectorstore.index import open_committed_index

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parents[2] / "ui" / "chat" / "app.py"
TIMEOUT = 300  # the first run loads the embedding model on two shared cores


@pytest.fixture(scope="module")
def app_env(bundled_index, tmp_path_factory) -> dict[str, str]:
    """Environment of the app: the bundled index, a scratch data folder, no chat model."""
    data = tmp_path_factory.mktemp("ui-data")
    return {
        "ZWQA_INDEX_DIR": str(bundled_index.index_dir),
        "ZWQA_CORPUS_DIR": str(bundled_index.corpus_dir),
        "ZWQA_DATA_DIR": str(data),
        "ZWQA_LLM_PATH": str(data / "no-model.gguf"),  # missing on purpose: extractive only
    }


def start(monkeypatch, env: dict[str, str]) -> AppTest:
    for k in list(os.environ):
        if k.startswith("ZWQA_"):
            monkeypatch.delenv(k)
    for k, v in {**env, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}.items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(app_env, monkeypatch) -> AppTest:
    return start(monkeypatch, app_env)


def ask(at: AppTest, question: str):
    """Return the newest Answer after typing question into the chat input."""
    before = len(at.session_state["answers"])
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    answers = at.session_state["answers"]
    assert len(answers) == before + 1
    return answers[-1]


def bodies(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def cards(at: AppTest) -> list[str]:
    return [b for b in bodies(at) if 'class="zwqa-card"' in b]


def example_buttons(at: AppTest):
    return [b for b in at.button if (b.key or "").startswith("example-")]


def test_ask_shows_answer_with_linked_citation_cards(app):
    assert 4 <= len(example_buttons(app)) <= 6
    assert app.radio(key="mode").disabled  # no chat model: 生成回答 is greyed out
    assert app.radio(key="mode").value == "extractive"

    answer = ask(app, "哪篇讲话提到青松办？请给出原文")
    assert not answer.refused and answer.citations
    assert example_buttons(app) == []  # the examples make way for the conversation
    answer_html = next(b for b in bodies(app) if 'class="zwqa-answer"' in b)
    shown = cards(app)
    assert len(shown) == len(answer.citations)
    label = f"来源：引用 {len(answer.citations)} 段"
    assert sum(label in b for b in bodies(app)) == 1  # the count is what was cited
    assert not any("段相关讲话" in c.value for c in app.caption)
    for c, card in zip(answer.citations, shown):
        assert f'href="#{render.anchor_id(0, c.n)}"' in answer_html
        assert f'id="{render.anchor_id(0, c.n)}"' in card
        assert render.esc(c.chunk.title) in card
        assert card.count("<mark") == len(render.normalise_spans(c.highlights, len(c.chunk.text)))
    first = answer.citations[0]
    quoted = "".join(first.chunk.text[a:b] for a, b in first.highlights)
    assert "青松办" in quoted  # the supporting sentence is the one highlighted
    assert [b.label for b in app.button if (b.key or "").startswith("full-")] == ["查看全文"] * len(shown)
    assert len(app.feedback) == 1


def test_example_button_asks_its_question(app):
    button = example_buttons(app)[0]
    label = button.label
    button.click().run()
    assert not app.exception
    assert [a.question for a in app.session_state["answers"]] == [label]


def test_refusal_is_a_warning_with_nearest_passages(app):
    answer = ask(app, "火星上的恐龙吃什么？")
    assert answer.refused and not answer.citations
    assert any("资料中未找到" in w.value for w in app.warning)
    assert not any('class="zwqa-answer"' in b for b in bodies(app))
    assert any("可能相关" in b for b in bodies(app))
    shown = cards(app)
    assert len(shown) == min(3, len(answer.retrieved)) > 0
    for hit, card in zip(answer.retrieved, shown):
        assert render.esc(hit.chunk.title) in card


def test_follow_up_shows_what_it_was_understood_as(app):
    ask(app, "321608审批机制是什么？")
    second = ask(app, "那它是哪一年提出的？")
    assert second.rewritten and "321608" in second.rewritten
    assert render.md_literal(f"理解为：{second.rewritten}") in [c.value for c in app.caption]
    assert len(app.feedback) == 2  # both exchanges are still on the page


def test_speech_and_date_filters_restrict_the_sources(app, bundled_index):
    documents = open_committed_index(bundled_index.index_dir).documents()
    target = next(d for d in documents if "四强" in d.title)
    app.multiselect(key="speeches").set_value([target.doc_id]).run()
    answer = ask(app, "党支部建设有哪些要求？")
    assert answer.retrieved and answer.citations
    for hit in answer.retrieved:
        assert target.doc_id in (hit.chunk.doc_id, *hit.chunk.also_in_ids)
    assert "已按侧栏的检索范围筛选" in answer.notes

    app.multiselect(key="speeches").set_value([]).run()
    unfiltered = ask(app, "党支部建设有哪些要求？")
    assert any(target.doc_id not in (h.chunk.doc_id, *h.chunk.also_in_ids) for h in unfiltered.retrieved)

    # One speech has a date, and it is the web page's publication date: no date filter (its
    # range would be one day), and the filter's labels are the short titles, 篇N kept.
    assert len({d.date for d in documents if d.date}) < 2
    assert not [c for c in app.checkbox if c.key == "use_dates"] and not app.date_input
    labels = app.multiselect(key="speeches").options
    assert "县政务服务中心工作会议（篇十一）" in labels and len(set(labels)) == len(labels)


def test_invalid_question_is_explained_and_not_kept(app):
    app.chat_input[0].set_value("？？？！！").run()
    assert not app.exception
    assert app.session_state["answers"] == []
    assert any("没有可以检索的文字" in w.value for w in app.warning)


def test_feedback_is_saved_with_question_answer_and_citations(app, app_env):
    answer = ask(app, "哪篇讲话提到“萍萍帮办”服务队伍？请给出原文")
    path = Path(app_env["ZWQA_DATA_DIR"]) / "feedback" / FILE_NAME
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    app.feedback[0].set_value(1).run()
    assert not app.exception
    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before) + 1
    row = json.loads(after[-1])
    assert row["rating"] == "up" and row["question"] == answer.question
    assert row["answer"] == answer.text
    assert [c["chunk_id"] for c in row["citations"]] == [c.chunk.id for c in answer.citations]


def test_too_long_question_is_refused_before_it_is_posted_and_kept_in_the_input(app):
    from qa.question import MAX_QUESTION_CHARS

    text = "请问政务服务中心的窗口怎样设置" * (3000 // 15)
    assert len(text) > MAX_QUESTION_CHARS
    app.chat_input[0].set_value(text).run()
    assert not app.exception
    assert app.session_state["answers"] == [] and app.session_state["inflight"] is None
    assert any("问题太长" in w.value for w in app.warning)
    assert not any(text[:40] in b for b in bodies(app))  # no bubble of the question
    assert app.chat_input[0].proto.value == text and app.chat_input[0].proto.set_value


def test_interrupted_answer_stays_marked_with_regenerate(app):
    # What a rerun in the middle of an answer (a click on 查看全文, the stop button) leaves behind.
    question = "哪篇讲话提到青松办？请给出原文"
    app.session_state["inflight"] = {"question": question, "started": True, "mode": "extractive",
                                      "partial": "青松办", "draft": None}
    app.run()
    assert not app.exception
    kept = app.session_state["answers"]
    assert [a.question for a in kept] == [question] and is_interrupted(kept[0])
    assert app.session_state["inflight"] is None
    assert any(INTERRUPTED in c.value for c in app.caption)
    assert not app.chat_input[0].disabled
    regen = next(b for b in app.button if (b.key or "").startswith("regen-"))
    assert regen.label == "重新生成"
    regen.click().run()
    assert not app.exception
    answers = app.session_state["answers"]
    assert [a.question for a in answers] == [question]  # replaced, not added
    assert not is_interrupted(answers[0]) and answers[0].citations


def test_export_and_clear(app):
    download = app.download_button[0]
    assert download.disabled  # nothing to export yet
    answer = ask(app, "哪篇讲话提到青松办？请给出原文")
    download = app.download_button[0]
    assert not download.disabled and download.proto.url  # the Markdown file is registered
    assert download.proto.label == "导出对话"
    from ui.chat.export import conversation_markdown

    md = conversation_markdown(app.session_state["answers"])
    assert md.count("[^1-") >= 2 * len(answer.citations)  # references and their definitions

    fresh = next(b for b in app.button if b.label == "新对话")
    fresh.click().run()
    assert app.session_state["answers"] == []
    assert len(example_buttons(app)) >= 4


def test_conversation_is_saved_and_a_reload_restores_it_from_the_url(app, app_env, monkeypatch):
    from ui.chat import conversations

    answer = ask(app, "哪篇讲话提到青松办？请给出原文")
    cid = app.session_state["conversation_id"]
    assert app.query_params["c"] == [cid] or app.query_params["c"] == cid
    folder = conversations.conversations_folder(Path(app_env["ZWQA_DATA_DIR"]))
    assert (folder / f"{cid}.json").is_file()

    reloaded = AppTest.from_file(str(APP), default_timeout=TIMEOUT)  # a new browser session
    reloaded.query_params["c"] = cid
    reloaded.run()
    assert not reloaded.exception
    assert reloaded.session_state["answers"] == [answer]
    assert any(b.label == answer.question and b.key == f"open-{cid}" for b in reloaded.button)

    # Delete asks first (a popover), then the conversation and its file are gone.
    confirm = next(b for b in reloaded.button if b.label == "确认删除")
    confirm.click().run()
    assert reloaded.session_state["answers"] == [] and not (folder / f"{cid}.json").exists()


def test_thumbs_down_asks_why_and_stores_the_reason(app, app_env):
    ask(app, "哪篇讲话提到“萍萍帮办”服务队伍？请给出原文")
    path = Path(app_env["ZWQA_DATA_DIR"]) / "feedback" / FILE_NAME
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    app.feedback[0].set_value(0).run()
    assert not app.exception
    after = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    assert after == before  # saved with its reason, once the box is sent
    app.text_area[0].set_value("引用的段落没有回答问题")  # sent with the form's button
    next(b for b in app.button if b.label == "提交反馈").click().run()
    assert not app.exception
    rows = path.read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(before) + 1
    row = json.loads(rows[-1])
    assert row["rating"] == "down" and row["reason"] == "引用的段落没有回答问题"
    assert not any(b.label == "提交反馈" for b in app.button)


def test_first_start_ingests_the_corpus_with_progress(monkeypatch, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "讲话.txt").write_text(
        "在全区窗口服务提升会议上的讲话\n"
        "同志们：\n今天召开会议，部署窗口服务提升工作。\n"
        "一、推行“晨曦帮办”\n全区窗口推行“晨曦帮办”服务，每天早上七点半提前开窗，为群众办理急事。\n"
        "二、压缩办理时限\n不动产登记办理时限压缩到两个工作日。\n",
        encoding="utf-8",
    )
    env = {
        "ZWQA_INDEX_DIR": str(tmp_path / "index"),
        "ZWQA_CORPUS_DIR": str(corpus),
        "ZWQA_DATA_DIR": str(tmp_path / "data"),
        "ZWQA_LLM_PATH": str(tmp_path / "no-model.gguf"),
    }
    at = start(monkeypatch, env)
    assert current_generation(tmp_path / "index") is not None
    assert [m.value for m in at.metric][:1] == ["1 篇"]
    answer = ask(at, "“晨曦帮办”每天几点开窗？")
    assert answer.citations and "晨曦帮办" in answer.citations[0].chunk.text
