"""The Streamlit entry point of `zwqa ui`: two pages, 问答 (ui/chat/app.py) and 查政策
(ui/chat/lookup_page.py)."""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# `streamlit run ui/chat/main_page.py` puts only ui/chat/ on sys.path
if str(_HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(_HERE.parents[1]))

import streamlit as st  # noqa: E402

CHAT_PAGE = "app.py"
LOOKUP_PAGE = "lookup_page.py"

st.set_page_config(page_title="政务服务讲话问答", page_icon=":material/account_balance:", layout="wide")
from ui.chat.localise import localise_script  # noqa: E402

st.html(localise_script(), unsafe_allow_javascript=True)  # Streamlit's own strings in Chinese
st.navigation([
    st.Page(str(_HERE / CHAT_PAGE), title="问答", icon=":material/forum:", default=True),
    st.Page(str(_HERE / LOOKUP_PAGE), title="查政策", icon=":material/manage_search:"),
]).run()
