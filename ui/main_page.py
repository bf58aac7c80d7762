"""The Streamlit entry point of `zwqa ui`: two pages, 问答 (ui/app.py) and 查政策 (ui/lookup_page.py)."""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE.parent) not in sys.path:  # `streamlit run ui/main_page.py` puts only ui/ on sys.path
    sys.path.insert(0, str(_HERE.parent))

import streamlit as st  # noqa: E402

CHAT_PAGE = "app.py"
LOOKUP_PAGE = "lookup_page.py"

st.set_page_config(page_title="政务服务讲话问答", page_icon=":material/account_balance:", layout="wide")
from ui.localise import localise_script  # noqa: E402

st.html(localise_script(), unsafe_allow_javascript=True)  # Streamlit's own strings in Chinese
st.navigation([
    st.Page(str(_HERE / CHAT_PAGE), title="问答", icon=":material/forum:", default=True),
    st.Page(str(_HERE / LOOKUP_PAGE), title="查政策", icon=":material/manage_search:"),
]).run()
