"""The 查政策 page end to end in a real headless Chromium on `zwqa ui` (a copy of the bundled
index, extractive answers): suggestions while typing a term, one highlighted card per mention
with the count `zwqa lookup --json` gives, 查看全文, the glossary table against `zwqa terms`, and
问这个 asking the chat, which answers with citations (then 重新生成 asks again). Screenshots go
to artifacts/screenshots/<test>/."""
from __future__ import annotations

import json

import pytest

from tests.ui.browser import browser_page
from tests.ui.test_browser import english_on_page
from tests.ui.test_browser import served  # noqa: F401  (the running `zwqa ui` fixture)

pytestmark = pytest.mark.slow

TERM = "一窗受理"
TYPED = "一窗"


def cli_json(zwqa_cli, args: list[str], index_dir) -> str:
    proc = zwqa_cli.run(args, index_dir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_lookup_page_mentions_full_text_glossary_and_ask_this(served, zwqa_cli, capsys,  # noqa: F811
                                                              request):
    from playwright.sync_api import expect

    url, work = served
    index_dir = work / "index"  # the copy the page reads
    expected = json.loads(cli_json(zwqa_cli, ["lookup", TERM, "--json"], index_dir))
    defined_rows = [json.loads(line) for line in cli_json(
        zwqa_cli, ["terms", "--defined", "--json"], index_dir).splitlines() if line.strip()]
    all_terms = [line for line in cli_json(zwqa_cli, ["terms", "--json"], index_dir).splitlines()
                 if line.strip()]
    assert expected["total"] > 0 and len(defined_rows) >= 30
    with browser_page(request, capsys) as (page, shots):
        page.goto(url)

        # 1. The 查政策 page from the app's navigation.
        page.get_by_test_id("stSidebarNav").get_by_text("查政策").click()
        expect(page.get_by_role("heading", name="查政策")).to_be_visible()
        box = page.get_by_role("textbox", name="术语")
        expect(box).to_be_visible()
        page.screenshot(path=str(shots / "01-lookup-page.png"))

        # 2. Typing part of a term offers glossary terms that contain it.
        box.fill(TYPED)
        box.press("Enter")
        suggestion = page.get_by_role("button", name=TERM, exact=True)
        expect(suggestion).to_be_visible()
        page.screenshot(path=str(shots / "02-suggestions.png"))

        # 3. Picking one lists every mention as a card with the term highlighted, grouped
        # by speech with the counts `zwqa lookup --json` gives.
        suggestion.click()
        expect(box).to_have_value(TERM)
        summary = page.get_by_text(
            f"“{TERM}”共出现 {expected['total']} 次，见于 {len(expected['speeches'])} 篇讲话。")
        expect(summary).to_be_visible()
        for speech in expected["speeches"]:
            expect(page.get_by_test_id("stExpander").filter(
                has_text=f"《{speech['title']}》 {speech['count']} 次").first).to_be_visible()
        # The run for the picked term is over once only its speeches are drawn: until then
        # the speeches of the typed prefix's result are still on the page, left over.
        expect(page.get_by_test_id("stExpander")).to_have_count(len(expected["speeches"]))
        # Open the speeches drawn folded (their content is inert), so every card is on screen.
        closed = page.locator('[data-testid="stExpander"]'
                              ':has([data-testid="stExpanderDetails"][inert]) summary')
        folded = closed.count()
        while folded:
            closed.first.click()
            folded -= 1
            expect(closed).to_have_count(folded)
        expect(page.locator(".zwqa-card").last).to_be_visible()
        marks = page.locator(".zwqa-card mark")
        expect(marks).to_have_count(expected["total"])
        assert set(marks.all_inner_texts()) == {TERM}
        first_sentence = expected["speeches"][0]["mentions"][0]["sentence"]
        expect(page.locator(".zwqa-card").first).to_contain_text(first_sentence)
        english = english_on_page(page)
        assert english == [], "\n".join(english)
        summary.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "03-mentions.png"))

        # 4. 查看全文 opens the speech with the sentence marked and scrolled into view.
        page.get_by_role("button", name="查看全文").first.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        hit = dialog.frame_locator("iframe").first.locator("#zwqa-hit")
        expect(hit).to_contain_text(first_sentence)
        expect(hit.locator("mark").first).to_have_text(TERM)
        expect(hit).to_be_in_viewport()
        page.screenshot(path=str(shots / "04-full-text.png"))
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        # 5. The glossary: the defined terms of `zwqa terms --defined`, all terms on a toggle.
        page.get_by_role("tab", name="术语表").click()
        expect(page.get_by_text(f"{len(defined_rows)} 个术语；点击列名排序。")).to_be_visible()
        table = page.get_by_test_id("stDataFrame")
        expect(table).to_be_visible()
        # The grid draws on a canvas; its accessibility table (built shortly after) holds
        # the headers and the rows in view.
        expect(table.locator("[role=columnheader]")).to_contain_text(
            ["术语", "定义", "讲话数", "出现次数"])
        first_row = table.locator('tr[aria-rowindex="2"]')  # row 1 is the header
        expect(first_row).to_contain_text(defined_rows[0]["term"])
        table.hover()  # its toolbar shows, in Chinese too
        expect(page.get_by_test_id("stElementToolbar").first).to_be_visible()
        english = english_on_page(page)
        assert english == [], "\n".join(english)
        page.screenshot(path=str(shots / "05-glossary.png"))
        page.get_by_text("只看有定义的术语").click()
        expect(page.get_by_text(f"{len(all_terms)} 个术语；点击列名排序。")).to_be_visible()
        page.get_by_role("tab", name="查找").click()

        # 6. 问这个 asks the chat about the term; the answer cites the speeches.
        page.get_by_role("button", name="问这个").click()
        question = f"“{TERM}”是什么？"
        expect(page.locator(".zwqa-text", has_text=question).first).to_be_visible()
        card = page.locator("#zwqa-cite-0-1")
        expect(card).to_be_visible()
        expect(page.locator(".zwqa-answer").first).to_contain_text(TERM)
        expect(page.locator(".zwqa-answer a.zwqa-ref").first).to_be_visible()
        expect(card.locator("mark").first).to_contain_text(TERM)  # the supporting sentence
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "06-ask-this.png"))

        # 7. 重新生成 asks the same question again below it.
        page.get_by_role("button", name="重新生成").first.click()
        expect(page.locator("#zwqa-cite-1-1")).to_be_visible()
        expect(page.locator(".zwqa-text", has_text=question)).to_have_count(2)
        expect(page.locator(".zwqa-answer").nth(1)).to_contain_text(TERM)
        page.screenshot(path=str(shots / "07-regenerated.png"))
    for name in ("01-lookup-page", "02-suggestions", "03-mentions", "04-full-text",
                 "05-glossary", "06-ask-this", "07-regenerated"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
