"""The chat's session state: the conversation shown, the question being answered, and the
callbacks of its buttons (open, rename, delete, regenerate, rate)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.chat import conversations, feedback
from ui.chat.answers import interrupted_answer, is_interrupted


def init_state() -> None:
    defaults = {
        "answers": [],  # list[vectorstore.records.Answer]
        "conversation": 0,  # bumped on switching, so widget keys of old answers are not reused
        "conversation_id": None,  # the saved file of this conversation (ui.chat.conversations)
        # The question being answered, kept from the moment it is asked: {"question", "started",
        # "partial" (text streamed so far), "draft" (the quotes an LLM answer starts from)}.
        "inflight": None,
        "upload_lines": [],
        "uploader": 0,
        "rejected": None,  # (text, why) of a question refused before it was posted
        "mode_auto": True,  # the user has not picked a mode yet
    }
    for k, v in defaults.items():
        st.session_state.setdefault(k, v)


def open_conversation(folder: Path, conversation_id: str | None) -> None:
    """Show a saved conversation (None: a new, empty one) and put its id in the page's URL, so
    a reload comes back to it."""
    answers = conversations.load_conversation(folder, conversation_id) if conversation_id else None
    if answers is None:
        conversation_id, answers = conversations.new_id(), []
    st.session_state.answers = answers
    st.session_state.conversation_id = conversation_id
    st.session_state.conversation += 1
    st.session_state.inflight = None
    if answers:
        st.query_params["c"] = conversation_id
    else:
        st.query_params.pop("c", None)


def save_answers(folder: Path) -> None:
    """Write the current conversation to its file and name it in the URL."""
    answers = st.session_state.answers
    cid = st.session_state.conversation_id
    if answers and cid:
        conversations.save_conversation(folder, cid, answers)
        st.query_params["c"] = cid


def delete_current(folder: Path) -> None:
    conversations.delete_conversation(folder, st.session_state.conversation_id)
    open_conversation(folder, None)


def rename_current(folder: Path, key: str) -> None:
    conversations.rename_conversation(folder, st.session_state.conversation_id,
                                      st.session_state.get(key) or "")


def start_question(question: str) -> None:
    """Keep question in the session before anything is drawn: a rerun cannot lose it."""
    if question and question.strip() and st.session_state.inflight is None:
        st.session_state.inflight = {"question": question, "started": False, "partial": "",
                                     "draft": None}


def submit_question() -> None:
    """Start the typed question, or refuse it before it is posted (too long, no words), keeping
    its text for the input to offer again."""
    from qa.question import clean_question
    from vectorstore.errors import InvalidQuestion

    text = st.session_state.get("chat_box") or ""
    try:
        clean_question(text)
    except InvalidQuestion as e:
        st.session_state.rejected = (text, str(e))
        return
    start_question(text)


def regenerate(i: int) -> None:
    """Ask answer i's question again; an interrupted answer is replaced by the new one."""
    answers = st.session_state.answers
    if i >= len(answers) or st.session_state.inflight is not None:
        return
    answer = answers[i]
    if is_interrupted(answer):
        del answers[i]
        st.session_state.conversation += 1  # widget keys follow answer positions
    start_question(answer.question)


def on_feedback(i: int, key: str, data_dir: Path) -> None:
    """Save a 👍 at once; a 👎 is saved with its reason when that box is sent."""
    rating = feedback.rating_from_widget(st.session_state.get(key))
    answers = st.session_state.answers
    if rating == "up" and i < len(answers):
        feedback.save_feedback(feedback.feedback_folder(data_dir), answers[i], rating)
        st.toast("谢谢，反馈已记录。")


def on_reason(i: int, key: str, data_dir: Path) -> None:
    answers = st.session_state.answers
    if i < len(answers):
        feedback.save_feedback(feedback.feedback_folder(data_dir), answers[i], "down",
                               reason=st.session_state.get(key) or "")
        st.session_state[f"{key}-sent"] = True
        st.toast("谢谢，反馈已记录。")


def keep_interrupted(folder: Path) -> None:
    """Keep a question whose answer a rerun cut off (the stop button, 查看全文, any click) in the
    history, with what was written so far, marked 已中断."""
    inflight = st.session_state.inflight
    if inflight is None or not inflight["started"]:
        return
    st.session_state.inflight = None
    st.session_state.answers.append(interrupted_answer(
        inflight["question"], inflight.get("mode", "extractive"), inflight["draft"],
        inflight["partial"]))
    save_answers(folder)
