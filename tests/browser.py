"""Debian's chromium, driven through Playwright, for the tests that open a page in a browser.

These tests need Debian's chromium package and Playwright for Python (.ci/run installs
both); without them they fail, saying so, rather than skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Debian's chromium; on another system, point IPSKIT_TEST_CHROMIUM at a Chromium or Chrome.
CHROMIUM = Path(os.environ.get("IPSKIT_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium reaches for Google's services, which
# a closed network refuses (and which the no-requests tests would rightly catch).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def launched() -> Iterator[Any]:
    """A headless chromium for a module's tests (the body of its ``browser`` fixture)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: pip install -e '.[test]' installs it"
            " (the browser is Debian's chromium, not one Playwright downloads)",
            pytrace=False,
        )
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)", pytrace=False
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
