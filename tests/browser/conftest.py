"""Browser harness: Debian's Chromium driven by Playwright against a live server.

Every page a test lands on must be checked with axe-core (serious or critical
violations fail the test), must not trip the Content-Security-Policy, and must
reflow at 320 px without horizontal scrolling (WCAG 1.4.10); a test that
navigates somewhere without checking it fails at teardown.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still sequential.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
# WCAG 1.4.10 (reflow): content fits 320 CSS px without scrolling sideways.
REFLOW_WIDTH = 320
# The admin is Django's case handler surface, used at a desk on a wide screen and built by Django,
# not a citizen page; WCAG 1.4.10 is what we promise citizens.
REFLOW_EXEMPT_PREFIXES = ("/admin/",)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class CheckedPage:
    """A Playwright page that audits what it shows. Use `goto` for addresses,
    `follow(locator)` for clicks that load a new page, and `check()` after anything
    else that changes what is shown."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.csp_violations: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("console", self._console)

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.visited.append(frame.url)

    def _console(self, message):
        # Violations from scripts the test itself evaluates (axe-core) have no URL; they are not the page's.
        if (
            message.type == "error"
            and "Content Security Policy" in message.text
            and message.location.get("url")
        ):
            self.csp_violations.append(f"{message.text} at {message.location}")

    def __getattr__(self, name):
        return getattr(self.page, name)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check()
        return response

    def follow(self, locator):
        """Click something that loads a new page, wait for that page, and check it."""
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def check(self):
        """axe-core on the current page: fail on serious or critical violations."""
        self.page.wait_for_load_state("domcontentloaded")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        violations = self.page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
                }));
            }""",
            AXE_TAGS,
        )
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"Accessibility violations on {self.page.url}: {failing}"
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"
        self.check_reflow()
        self.checked.add(self.page.url)

    def check_reflow(self):
        """At 320 px the page is no wider than the window; the widest offenders are named on failure."""
        if urlsplit(self.page.url).path.startswith(REFLOW_EXEMPT_PREFIXES):
            return
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
        try:
            scroll_width, client_width, offenders = self.page.evaluate(
                """() => {
                    const root = document.documentElement;
                    const wide = [...document.body.querySelectorAll('*')]
                        .filter(el => el.getBoundingClientRect().right > root.clientWidth + 0.5)
                        .slice(-5)
                        .map(el => el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\\s+/).join('.') : '')
                             + ' right=' + Math.round(el.getBoundingClientRect().right));
                    return [root.scrollWidth, root.clientWidth, wide];
                }"""
            )
        finally:
            self.page.set_viewport_size(size)
        assert scroll_width <= client_width, (
            f"{self.page.url} scrolls sideways at {REFLOW_WIDTH} px: {scroll_width} px wide in "
            f"{client_width} px (WCAG 1.4.10); widest: {offenders}"
        )


AXE_SOURCE = (settings.NODE_MODULES_DIR / "axe-core" / "axe.min.js").read_text()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-US")
    checked = CheckedPage(context.new_page(), live_server.url)
    yield checked
    unchecked = [url for url in checked.visited if url not in checked.checked and url != "about:blank"]
    context.close()
    assert not unchecked, f"Pages visited without an accessibility check: {unchecked}"
