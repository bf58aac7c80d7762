"""The Streamlit chat page: questions about the indexed speeches, answered with cited paragraphs.

Start it with `zwqa ui` (or `streamlit run ui/chat/app.py`). The page calls qa and draws what
comes back: its resources come from ui.chat.resources (built once per process by qa.system),
the sidebar from ui.chat.sidebar, the history from ui.chat.exchange and the answer being written
from ui.chat.streaming; HTML lives in ui.chat.render.
"""
from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # `streamlit run ui/chat/app.py` puts only ui/chat/ on sys.path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from ui.chat import conversations  # noqa: E402
from ui.chat.background import LOADING  # noqa: E402
from ui.chat.exchange import draw_examples, draw_exchange  # noqa: E402
from ui.chat.localise import localise_script  # noqa: E402
from ui.chat.render import PAGE_CSS, TITLE, md_literal  # noqa: E402
from ui.chat.resources import open_resources  # noqa: E402
from ui.chat.session import (  # noqa: E402
    init_state, keep_interrupted, open_conversation, start_question, submit_question,
)
from ui.chat.sidebar import draw_sidebar  # noqa: E402
from ui.chat.streaming import ask  # noqa: E402
from vectorstore.settings import Settings  # noqa: E402


def start_session(folder: Path) -> None:
    """Restore the conversation the URL names in a new session, keep a question a rerun cut
    off, and take the question 查政策's 问这个 handed over."""
    init_state()
    if st.session_state.conversation_id is None:  # a new session: the URL names what to show
        open_conversation(folder, st.query_params.get("c"))
    keep_interrupted(folder)  # a run that ended mid-answer left its question here
    handed_over = st.session_state.pop("ask_next", None)  # 查政策's 问这个
    if handed_over:
        start_question(handed_over)


def watch_llm(llm) -> None:
    """Redraw the page once the chat model is ready (or has failed) while it loads."""
    if llm.state != LOADING:
        return

    @st.fragment(run_every=2.0)
    def watch() -> None:
        if llm.state != LOADING:
            st.rerun(scope="app")

    watch()


def draw_chat(answers, index, data_dir: Path) -> None:
    """Draw the history, a question refused before it was posted, and the chat input."""
    for i, answer in enumerate(answers):
        draw_exchange(i, answer, index, data_dir)
    rejected = st.session_state.rejected
    st.session_state.rejected = None
    if rejected:  # shown above the input, which holds the text again for editing
        st.warning(md_literal(rejected[1]), icon=":material/edit_note:")
        st.session_state.chat_box = rejected[0]
    # The input is pinned to the bottom wherever it is called; it is closed while an answer is
    # being written (its on_submit has already kept a new question in st.session_state).
    st.chat_input("请输入问题，例如：“四强”党支部指的是哪四个方面强？", key="chat_box",
                  on_submit=submit_question, disabled=st.session_state.inflight is not None)


def main() -> None:
    st.set_page_config(page_title=TITLE, page_icon=":material/account_balance:", layout="wide")
    settings = Settings()
    folder = conversations.conversations_folder(settings.data_dir)
    start_session(folder)
    st.html(PAGE_CSS)
    st.html(localise_script(), unsafe_allow_javascript=True)  # Streamlit's own strings in Chinese
    resources = open_resources(settings)
    index = resources.index
    documents = index.documents()
    answers = st.session_state.answers
    mode, filters, k = draw_sidebar(settings, resources, documents, answers, folder)
    watch_llm(resources.llm)

    st.title(TITLE)
    st.caption("回答只依据已收录的讲话，每处引用都能展开原文段落核对。")
    if not index.chunks:
        st.info("索引中还没有讲话：请在左侧上传讲话文件。")
        return
    draw_chat(answers, index, settings.data_dir)
    inflight = st.session_state.inflight
    if not answers and inflight is None:
        draw_examples(documents)
    if inflight is not None:
        ask(inflight["question"], resources.answerer, mode, filters, k, index, folder)


main()
