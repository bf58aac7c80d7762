"""The headless Chromium page the browser tests drive (Playwright over Debian's chromium)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.ui.screenshots import screenshot_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SLOW = 240_000  # ms: answers and ingest run on two shared CPU cores


@contextmanager
def browser_page(request, capsys, **page_options) -> Iterator[tuple[object, Path]]:
    """Yield (page, screenshot folder) for the test of request: a 1400×1000 page in a new
    headless Chromium, every wait SLOW at the most; the folder is printed so a reader of the
    test log finds the screenshots. page_options go to Browser.new_page."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=SLOW)
    shots = screenshot_dir(request.node.name)
    with capsys.disabled():
        print(f"\n截图保存在：{shots}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, **page_options)
            page.set_default_timeout(SLOW)
            yield page, shots
        finally:
            browser.close()
