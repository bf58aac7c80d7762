"""End to end in a real headless Chromium: `zwqa ui` serves the page on a copy of the bundled
index; the test asks, reads the answer and a citation card, opens the whole speech, uploads a
.docx made here, asks about it, exports the conversation, and saves screenshots. In LLM mode
(the bundled model on its llama.cpp server) the quotes show within a second of asking, the
generated answer replaces them once checked, and the stop button keeps the quotes."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ui.browser import CHROMIUM, SLOW, browser_page

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GENERATION = 900_000  # ms: a generated answer on two busy shared cores (reading ~500 prompt tokens)

DOCX_TITLE = "在全县“云帆帮办”服务推进会上的讲话"
DOCX_PARAGRAPHS = [
    DOCX_TITLE,
    "同志们：",
    "今天召开会议，总结“云帆帮办”服务开展情况，部署下一步工作。",
    "一、工作成效",
    "全县首创“云帆帮办”服务，由专职帮办员为企业提供从咨询到领证的全程代办，"
    "2024年累计代办事项4127件，企业满意率达到99.6%。",
    "二、下一步打算",
    "要把“云帆帮办”延伸到全部乡镇便民服务中心，做到企业办事不出镇。",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"zwqa ui exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"zwqa ui did not come up in {timeout} s:\n{log.read_text()[-3000:]}")


def serve(bundled_index, work: Path, **settings: str):
    """Yield the url of `zwqa ui` on a copy of the bundled index in work, with extra ZWQA_
    settings (lower-case names), stopping it afterwards."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does it)")
    shutil.copytree(bundled_index.index_dir, work / "index")  # the upload must not touch the shared one
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZWQA_")}
    env.update(
        ZWQA_INDEX_DIR=str(work / "index"),
        ZWQA_CORPUS_DIR=str(bundled_index.corpus_dir),
        ZWQA_DATA_DIR=str(work / "data"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    env.update({f"ZWQA_{k.upper()}": v for k, v in settings.items()})
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "server.log"
    script = Path(sys.executable).parent / "zwqa"
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "ui.cli"]
    with open(log, "w") as out:
        proc = subprocess.Popen([*cmd, "ui", "--port", str(port)], env=env, cwd=PROJECT_ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def served(bundled_index, tmp_path_factory):
    """Return (url, work folder) of `zwqa ui` running on a copy of the bundled index, with no
    chat model (extractive answers)."""
    work = tmp_path_factory.mktemp("browser")
    for url in serve(bundled_index, work, llm_path=str(work / "no-model.gguf")):
        yield url, work


@pytest.fixture(scope="module")
def served_llm(bundled_index, tmp_path_factory):
    """Return the url of `zwqa ui` with the bundled local chat model (its own llama.cpp server)."""
    work = tmp_path_factory.mktemp("browser-llm")
    yield from serve(bundled_index, work, llm_path="", llm_base_url="")


# Latin words a Chinese page may show: file types and units, and product names in the speeches.
ALLOWED_LATIN = {"MB", "TXT", "MD", "HTML", "DOCX", "PDF", "txt", "md", "html", "docx", "pdf",
                 "Markdown", "App", "APP", "app", "AI", "AB", "PPT"}
_VISIBLE_STRINGS = """() => {
  const out = [];
  const skip = (el) => el.closest('.zwqa-card, .zwqa-answer, .zwqa-text, [data-testid="stChatInputTextArea"]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    // Material icons are drawn from their names' letters and hidden from screen readers.
    if (!el || skip(el) || el.closest('script, style, [data-testid="stIconMaterial"], [aria-hidden="true"]')) continue;
    if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    out.push(n.nodeValue);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (skip(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""


def english_on_page(page) -> list[str]:
    """Return the visible strings and accessibility labels of the page (speech text and answers
    left out) that hold a Latin word other than the allowed ones."""
    import re

    found = []
    for text in page.evaluate(_VISIBLE_STRINGS):
        # Names of files and settings a message may quote (ZWQA_LLM_PATH, scripts/setup.sh, GGUF).
        text = re.sub(r"[\w./-]*(?:/|_|\.)[\w./-]+|\bGGUF\b|\bOpenAI\b", "", text)
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN
        if words:
            found.append(text.strip())
    return found


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for text in DOCX_PARAGRAPHS:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_ask_read_cards_open_speech_upload_and_export(served, tmp_path_factory, capsys, request):
    from playwright.sync_api import expect

    url, work = served
    with browser_page(request, capsys, accept_downloads=True,
                      permissions=["clipboard-read", "clipboard-write"]) as (page, shots):
        page.goto(url)

        # 1. The empty chat offers example questions.
        expect(page.get_by_text("可以这样问")).to_be_visible()
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        page.screenshot(path=str(shots / "01-start.png"))

        # 2. Ask; the answer quotes the speech and a citation card highlights the sentence.
        chat = page.get_by_test_id("stChatInputTextArea")
        chat.fill("哪篇讲话提到青松办？请给出原文")
        chat.press("Enter")
        card = page.locator("#zwqa-cite-0-1")
        expect(card).to_be_visible()
        expect(page.locator(".zwqa-answer").first).to_contain_text("青松办")
        expect(card.locator("mark").first).to_contain_text("青松办")
        page.screenshot(path=str(shots / "02-answer.png"))
        # Every string the page shows or reads out is Chinese (uploader, speech filter,
        # feedback, help icons included).
        page.get_by_role("combobox").first.click()  # the speech filter's list is open
        english = english_on_page(page)
        assert english == [], "\n".join(english)
        page.keyboard.press("Escape")

        # The [1] in the answer leads to the card.
        page.locator(".zwqa-answer a.zwqa-ref").first.click()
        expect(card).to_be_in_viewport()

        # 3. The whole speech opens with the cited passage marked and scrolled into view.
        page.get_by_role("button", name="查看全文").first.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        frame = dialog.frame_locator("iframe").first
        hit = frame.locator("#zwqa-hit")
        expect(hit).to_contain_text("青松办")
        expect(hit.locator("mark").first).to_contain_text("青松办")
        expect(hit).to_be_in_viewport()
        scrolled = frame.locator("body").evaluate(
            "b => [window.scrollY, document.getElementById('zwqa-hit').offsetTop]")
        if scrolled[1] > 600:  # a passage far down the speech: the frame must have scrolled
            assert scrolled[0] > 0, scrolled
        page.screenshot(path=str(shots / "03-full-speech.png"))
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        # No sentence is quoted twice among the cards of one answer.
        quoted = [m.inner_text() for m in page.locator(".zwqa-card details mark").all()]
        assert quoted and len(quoted) == len(set(quoted)), quoted

        # 复制 puts the answer with its footnotes on the clipboard.
        page.get_by_role("button", name="复制").first.click()
        expect(page.get_by_role("button", name="已复制").first).to_be_visible()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "青松办" in copied and "[^1-1]: 《" in copied

        # A 3,000-character question is refused before it is posted; its text stays.
        long_question = "请问政务服务中心的窗口怎样设置" * 200
        chat.fill(long_question)
        chat.press("Enter")
        expect(page.get_by_text("问题太长").first).to_be_visible()
        expect(chat).to_have_value(long_question)
        assert page.locator(".zwqa-text", has_text=long_question[:30]).count() == 0
        chat.fill("")

        # A reload restores the conversation from the URL.
        assert "c=" in page.url
        page.reload()
        expect(page.locator(".zwqa-answer").first).to_contain_text("青松办")
        chat = page.get_by_test_id("stChatInputTextArea")

        # 4. Upload a .docx made here; the page says what was indexed.
        docx_path = make_docx(tmp_path_factory.mktemp("upload") / "云帆帮办讲话.docx")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(docx_path))
        result = page.get_by_text("云帆帮办讲话.docx：已导入")
        expect(result).to_be_visible()
        expect(result).to_contain_text(DOCX_TITLE)
        assert (work / "data" / "uploads" / "云帆帮办讲话.docx").is_file()
        result.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "04-uploaded.png"))

        # 5. Ask about the uploaded speech: the answer cites it.
        chat.fill("“云帆帮办”2024年累计代办了多少件事项？")
        chat.press("Enter")
        new_card = page.locator("#zwqa-cite-1-1")
        expect(new_card).to_be_visible()
        expect(new_card).to_contain_text(DOCX_TITLE)
        expect(new_card.locator("mark").first).to_contain_text("4127")
        expect(page.locator(".zwqa-answer").nth(1)).to_contain_text("4127")
        new_card.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "05-upload-answer.png"))

        # 6. Export: Markdown with both questions and the citations as footnotes.
        with page.expect_download() as dl:
            page.get_by_role("button", name="导出对话").click()
        exported = Path(dl.value.path()).read_text(encoding="utf-8")
        assert "## 1. 哪篇讲话提到青松办？请给出原文" in exported
        assert "## 2. “云帆帮办”2024年累计代办了多少件事项？" in exported
        assert "[^2-1]: 《" + DOCX_TITLE + "》" in exported
    for name in ("01-start", "02-answer", "03-full-speech", "04-uploaded", "05-upload-answer"):
        assert (shots / f"{name}.png").stat().st_size > 10_000


def test_llm_mode_shows_the_quotes_within_a_second_then_the_checked_generated_answer(
        served_llm, capsys, request):
    from playwright.sync_api import expect

    with browser_page(request, capsys) as (page, shots):
        page.goto(served_llm)
        # The model loads in the background; the page switches to 生成回答 when it is ready.
        expect(page.get_by_text("生成回答：大模型依据检索到的段落作答")).to_be_visible(timeout=SLOW)
        expect(page.get_by_role("radio", name="生成回答")).to_be_checked()

        # 1. The first question (it also loads what an answer needs): quotes first, then
        # the generated answer replaces them: the stop button goes, the answer is final in
        # 生成回答 mode and its [n] lead to cards.
        chat = page.get_by_test_id("stChatInputTextArea")
        chat.fill("321608审批机制是什么？")
        chat.press("Enter")
        expect(page.locator(".zwqa-answer").first).to_contain_text("讲话原文中的相关表述")
        expect(page.get_by_role("button", name="停止生成")).to_be_visible()
        page.screenshot(path=str(shots / "01-draft.png"))
        expect(page.get_by_role("button", name="停止生成")).to_have_count(0, timeout=GENERATION)
        expect(page.get_by_text("生成回答 · 用时").first).to_be_visible()
        final = page.locator(".zwqa-answer").first
        expect(final).to_contain_text("321608")
        expect(final.locator("a.zwqa-ref").first).to_be_visible()
        expect(page.locator("#zwqa-cite-0-1")).to_contain_text("321608")
        page.screenshot(path=str(shots / "02-final.png"))

        # 2. The ask: the extractive answer is on screen within 1 s of asking.
        chat.fill("“四强”党支部指的是哪四个方面强？")
        chat.press("Enter")
        draft = page.locator(".zwqa-answer").nth(1)
        expect(draft).to_contain_text("讲话原文中的相关表述", timeout=1000)
        expect(draft).to_contain_text("“四强”党支部")
        expect(page.locator("#zwqa-cite-1-1")).to_be_visible()

        # 3. Stopping keeps the question and the quotes, marked 已中断 with 重新生成; the input
        # was closed while the answer was written.
        expect(chat).to_be_disabled()
        page.get_by_role("button", name="停止生成").click()
        expect(page.get_by_text("已中断").first).to_be_visible()
        expect(page.get_by_text("“四强”党支部指的是哪四个方面强？")).to_be_visible()
        expect(page.get_by_role("button", name="重新生成").nth(1)).to_be_visible()
        expect(chat).to_be_enabled()
        expect(page.get_by_role("button", name="停止生成")).to_have_count(0)
        expect(page.locator(".zwqa-answer").nth(1)).to_contain_text("讲话原文中的相关表述")
        page.screenshot(path=str(shots / "03-stopped.png"))

        # 4. 重新生成 asks again; clicking 查看全文 on an older card while the model writes
        # keeps the question and what was written, marked 已中断.
        page.get_by_role("button", name="重新生成").nth(1).click()
        expect(page.get_by_role("button", name="停止生成")).to_be_visible()
        page.get_by_role("button", name="查看全文").first.click()  # the first answer's card
        expect(page.get_by_role("button", name="停止生成")).to_have_count(0)
        expect(page.get_by_text("“四强”党支部指的是哪四个方面强？")).to_be_visible()
        expect(page.locator(".zwqa-answer").nth(1)).to_contain_text("政治功能强")
        expect(page.get_by_text("已中断").first).to_be_visible()
        page.screenshot(path=str(shots / "04-interrupted-by-click.png"))
