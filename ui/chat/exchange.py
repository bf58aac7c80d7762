"""One question and its answer as the chat page draws them from the history, and the example
questions of an empty conversation."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.chat.answers import answer_footer, is_interrupted
from ui.chat.cards import draw_card
from ui.chat.corpus_facts import example_questions, load_dev_questions
from ui.chat.export import NEARBY, answer_markdown
from ui.chat.render import (
    anchor_id, answer_html, copy_button_html, md_literal, sources_label, text_html,
)
from ui.chat.session import on_feedback, on_reason, regenerate, start_question
from vectorstore.settings import PROJECT_ROOT

DEV_SET = PROJECT_ROOT / "data" / "eval" / "dev.jsonl"


def draw_exchange(i: int, answer, index, data_dir: Path) -> None:
    conv = st.session_state.conversation
    with st.chat_message("user"):
        st.html(text_html(answer.question))
    with st.chat_message("assistant"):
        if answer.rewritten:
            st.caption(md_literal(f"理解为：{answer.rewritten}"))
        if answer.refused:
            st.warning(md_literal(answer.text), icon=":material/search_off:")
        else:
            st.html(answer_html(answer.text, i, [c.n for c in answer.citations]))
        if answer.citations:
            st.html(f'<div class="zwqa-label">{sources_label(answer.citations)}</div>')
            for c in answer.citations:
                draw_card(index, c.chunk, c.highlights, f"[{c.n}]", anchor_id(i, c.n),
                          key=f"full-{conv}-{i}-{c.n}")
        elif answer.refused and answer.retrieved:
            st.html('<div class="zwqa-label">可能相关</div>')
            for j, hit in enumerate(answer.retrieved[:NEARBY], start=1):
                draw_card(index, hit.chunk, (), f"{j}.", "", key=f"near-{conv}-{i}-{j}")
        st.caption(md_literal(answer_footer(answer)))
        busy = st.session_state.inflight is not None
        c1, c2, c3 = st.columns([1, 1, 4])
        with c1:
            key = f"feedback-{conv}-{i}"
            st.feedback("thumbs", key=key, on_change=on_feedback, args=(i, key, data_dir))
        with c2:
            st.html(copy_button_html(answer_markdown(answer, i + 1)),
                    unsafe_allow_javascript=True)
        c3.button("重新生成", key=f"regen-{conv}-{i}", icon=":material/refresh:",
                  on_click=regenerate, args=(i,), disabled=busy,
                  type="primary" if is_interrupted(answer) else "tertiary")
        reason_key = f"reason-{conv}-{i}"
        if st.session_state.get(key) == 0 and not st.session_state.get(f"{reason_key}-sent"):
            with st.form(f"form-{reason_key}", border=False):
                st.text_area("哪里不对？（可不填）", key=reason_key, max_chars=500, height=80)
                st.form_submit_button("提交反馈", on_click=on_reason,
                                      args=(i, reason_key, data_dir))


def draw_examples(documents) -> None:
    rows = load_dev_questions(DEV_SET)
    examples = example_questions(rows, {d.source for d in documents})
    if not examples:
        return
    st.markdown("**可以这样问：**")
    cols = st.columns(2)
    for j, q in enumerate(examples):
        cols[j % 2].button(q, key=f"example-{j}", on_click=start_question, args=(q,),
                           width="stretch")
