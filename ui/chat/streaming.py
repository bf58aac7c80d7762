"""Asking on the chat page: the answer's events drawn as they come (the quotes first in LLM
mode, with a stop button), then the final answer kept in the history."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.chat.answers import conversation_history
from ui.chat.background import pump
from ui.chat.cards import draw_card
from ui.chat.render import anchor_id, answer_html, md_literal, text_html
from ui.chat.session import save_answers


def draw_draft(draft, index) -> None:
    """Draw the quotes an LLM answer starts from: text and citation cards, at once."""
    n = len(st.session_state.answers)
    st.html(answer_html(draft.text, n, [c.n for c in draft.citations]))
    for c in draft.citations:
        draw_card(index, c.chunk, c.highlights, f"[{c.n}]", anchor_id(n, c.n),
                  key=f"draft-{st.session_state.conversation}-{n}-{c.n}")


def stream_answer(events, index, rewritten, body, inflight: dict) -> object | None:
    """Draw the events of one answer as they come; return the final Answer (None if none)."""
    import itertools

    generated = status = None
    text, final = "", None
    dots = itertools.cycle(["…", "……", "………"])
    for ev in events:
        if ev is None:  # nothing new yet (the model is reading): a redraw lets 停止生成 act
            if status is not None:
                status.caption(f"正在生成{next(dots)}")
        elif ev.kind == "rewritten":
            rewritten.caption(md_literal(f"理解为：{ev.text}"))
        elif ev.kind == "retrieved":
            # How many passages were searched is not what the answer cites: no count here.
            body.caption("已找到相关讲话，正在组织回答…")
        elif ev.kind == "draft":
            inflight["draft"] = ev.answer
            with body.container():
                draw_draft(ev.answer, index)
                st.button("停止生成", icon=":material/stop_circle:", key="stop-generation")
                st.caption("原文摘录如上；大模型正在据此生成回答，核对引用后将替换摘录…")
                generated = st.empty()
                status = st.empty()
        elif ev.kind == "token":
            text += ev.text
            inflight["partial"] = text
            target = generated if generated is not None else body
            target.html(answer_html(text, len(st.session_state.answers)))
        elif ev.kind == "progress" and status is not None:
            # Also the point where a click on 停止生成 takes effect (at the next page call).
            status.caption(f"正在生成{next(dots)}")
        elif ev.kind == "done":
            final = ev.answer
    return final


def ask(question: str, answerer, mode: str, filters, k: int, index, folder: Path) -> None:
    """Stream the answer to question onto the page, then keep it in the history and redraw.

    In LLM mode the quotes appear first with a stop button; the generated answer streams under
    them and takes their place once its citations are checked."""
    from vectorstore.errors import InvalidQuestion

    answers = st.session_state.answers
    inflight = st.session_state.inflight
    inflight.update(started=True, mode=mode)
    with st.chat_message("user"):
        st.html(text_html(question))
    with st.chat_message("assistant"):
        rewritten = st.empty()
        body = st.empty()
        body.caption("正在检索讲话…")
        # Stopping (停止生成, any click) hands the model over to the next question at once.
        events = pump(answerer.stream(question, conversation_history(answers), mode,
                                      filters, k),
                      on_stop=getattr(answerer.generator, "stop_current", None))
        try:
            final = stream_answer(events, index, rewritten, body, inflight)
        except InvalidQuestion as e:
            st.session_state.inflight = None
            body.warning(str(e))
            return
        except ValueError as e:  # e.g. the chat model went away
            st.session_state.inflight = None
            body.error(md_literal(str(e)))
            return
        except Exception as e:  # keep the page usable; the log has the traceback
            import logging

            logging.getLogger(__name__).exception("answering %r failed", question)
            st.session_state.inflight = None
            body.error(md_literal(f"回答时出错：{e}。请重试，或改用原文摘录。"))
            return
        finally:
            # A rerun (the stop button, a new question) ends this run at the next page call:
            # close the stream so the model stops writing and is free for the next question.
            events.close()
    st.session_state.inflight = None
    if final is None:
        return
    if filters is not None:
        final.notes.append("已按侧栏的检索范围筛选")
    answers.append(final)
    save_answers(folder)
    st.rerun()
