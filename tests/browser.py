"""Opening the HTML we write in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright;
never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class PageVisit:
    problems: list[str] = field(default_factory=list)  # console errors/warnings, page errors, failed requests
    text: str = ""
    broken_images: int = 0
    evaluated: object = None  # what ``evaluate`` returned once the page had loaded


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: .ci/run must apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")


def visit(
    path: Path, screenshot: Path, element_screenshots: dict[str, Path] | None = None, evaluate: str | None = None
) -> PageVisit:
    """Load a local HTML file, record every problem the browser reports, save screenshots; ``evaluate`` is a
    JavaScript expression read once the page has loaded (e.g. ``document.title``)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    seen = PageVisit()
    with tempfile.TemporaryDirectory(prefix="flowmart-chromium-") as profile, sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=BROWSER_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: (
                    seen.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
                ),
            )
            page.on("pageerror", lambda e: seen.problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: seen.problems.append(f"request failed: {r.url}"))
            page.goto(path.as_uri(), wait_until="load")
            seen.broken_images = page.evaluate(
                "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
            )
            seen.text = page.inner_text("body")
            if evaluate:
                seen.evaluated = page.evaluate(evaluate)
            page.screenshot(path=str(screenshot))
            for selector, target in (element_screenshots or {}).items():
                page.locator(selector).screenshot(path=str(target))
        finally:
            browser.close()
    return seen


@contextmanager
def offline_page(path: Path) -> Iterator[tuple[object, PageVisit, list[str]]]:
    """A page with ``path`` loaded in headless Chromium where every request that is not file: or data: is
    aborted and recorded (the third value: it must stay empty for a self-contained file), and console
    errors/warnings and page errors are recorded in the visit's problems."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    seen, outside = PageVisit(), []

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    with tempfile.TemporaryDirectory(prefix="flowmart-chromium-") as profile, sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=BROWSER_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = browser.new_page()
            page.route("**/*", route)
            page.on(
                "console",
                lambda m: (
                    seen.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
                ),
            )
            page.on("pageerror", lambda e: seen.problems.append(f"page error: {e}"))
            page.goto(path.as_uri(), wait_until="load")
            yield page, seen, outside
        finally:
            browser.close()
