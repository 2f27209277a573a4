"""The published verification page, driven in a real browser (headless Chromium).

The run's demo workspace is copied for the module and published; one certificate is then
revoked and one reissued (which supersedes the old one), and it is published again. The
page is opened from disk (file://) and from a local web server on 127.0.0.1, as a
verifier would: a code in the address, a code typed in, a PDF chosen or dropped.

These tests need Debian's chromium package and Playwright for Python (.ci/run installs
both); without them they fail, saying so, rather than skip.
"""

from __future__ import annotations

import base64
import csv
import functools
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from browser import DESKTOP, PHONE, launched
from helpers import run

try:
    from playwright.sync_api import expect
except ImportError:  # reported as a failure by the browser fixture
    expect = None

PAGE_FILES = ("index.html", "verify.css", "verify.js")
#: The day the demo issues and withdraws its certificates, as the page writes it.
TODAY = f"{date.today().day} {date.today():%B %Y}"


class Cert(NamedTuple):
    code: str
    participant: str
    cohort: str
    status: str  # issued, superseded or revoked, as the register says now
    pdf: Path
    reason: str


@dataclass
class Demo:
    root: Path
    site: Path
    certificates: list[Cert]
    revoked: Cert
    superseded: Cert
    replacement: Cert
    published: list[dict[str, bytes]]  # the site's files: first, again, after the changes

    @property
    def valid(self) -> list[Cert]:
        return [c for c in self.certificates if c.status == "issued"]


def site_files(site: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(site.iterdir())}


def publish(root: Path, *extra: str) -> None:
    result = run("-w", str(root), "certificates", "publish", *extra)
    assert result.exit_code == 0, result.output


def current_certificates(root: Path) -> list[Cert]:
    latest: dict[str, Cert] = {}
    for register in sorted(root.glob("cohorts/*/certificates.csv")):
        cohort = register.parent.name
        with register.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                pdf = root / "out" / cohort / "certificates" / (
                    f"certificate-{row['participant']}-{row['code']}.pdf"
                )  # fmt: skip
                latest[row["code"]] = Cert(row["code"], row["participant"], cohort,
                                           row["status"], pdf, row["reason"])  # fmt: skip
    return list(latest.values())


@pytest.fixture(scope="module")
def demo(demo_build, tmp_path_factory) -> Demo:
    # The run's demo (see conftest.py), copied: this module revokes and reissues in it.
    root = tmp_path_factory.mktemp("verify") / "demo"
    shutil.copytree(demo_build[0], root, symlinks=True)
    site = root / "out" / "verify"
    publish(root)
    published = [site_files(site)]
    publish(root)
    published.append(site_files(site))

    before = current_certificates(root)
    revoked = next(c for c in before if c.cohort == "intensive")
    result = run("-w", str(root), "certificates", "revoke", revoked.code.lower(),
                 "--reason", "Issued in error")  # fmt: skip
    assert result.exit_code == 0, result.output
    old = next(c for c in before if c.cohort == "first-cascade")
    result = run("-w", str(root), "certificates", "first-cascade",
                 "--participant", old.participant, "--reissue")  # fmt: skip
    assert result.exit_code == 0, result.output
    publish(root)
    published.append(site_files(site))

    now = current_certificates(root)
    by_code = {c.code: c for c in now}
    (replacement,) = (c for c in now if c.code not in {b.code for b in before})
    for cert in now:
        assert cert.pdf.is_file(), cert.pdf
    return Demo(root, site, now, by_code[revoked.code], by_code[old.code], replacement,
                published)  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    yield from launched()


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site, and remembers what was asked of it: a web host's log."""

    log: list[str]

    def log_message(self, format, *args):
        pass

    def log_request(self, code="-", size="-"):
        self.log.append(self.path)


@pytest.fixture(scope="module")
def server(demo, tmp_path_factory):
    """A web host with the site at /verify/, as at https://wrenmoor.example.org/verify."""
    web = tmp_path_factory.mktemp("web")
    (web / "verify").symlink_to(demo.site, target_is_directory=True)
    log: list[str] = []
    handler = functools.partial(type("Handler", (QuietHandler,), {"log": log}), directory=web)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", log
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


class Site(NamedTuple):
    url: str  # the page's address, without a fragment (the QR code's, for the server)
    own: str  # every request must start with this


@pytest.fixture(params=["file", "http"])
def site(request, demo) -> Site:
    if request.param == "file":
        return Site(f"{demo.site.as_uri()}/index.html", f"{demo.site.as_uri()}/")
    origin, _log = request.getfixturevalue("server")
    return Site(f"{origin}/verify", f"{origin}/verify")


class Tab(NamedTuple):
    page: object
    requests: list[str]


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport=DESKTOP)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield Tab(page, requests)
    context.close()
    assert errors == [], errors


# --- helpers ---------------------------------------------------------------------------


def answer(page):
    return page.locator("#result .answer")


def expect_answer(page, kind: str, *texts: str) -> None:
    """Wait for the page's answer to be ``kind`` and to say each of ``texts``."""
    box = answer(page)
    expect(box).to_have_attribute("data-answer", kind)
    for text in texts:
        expect(box).to_contain_text(text)


def forget_answer(page) -> None:
    """Empty the answer, so the next one is seen to arrive (not the last, still shown)."""
    page.evaluate("document.getElementById('result').textContent = ''")


def open_code(page, site: Site, code: str) -> None:
    """Load the page afresh with the code in its address, as a scanned QR code does."""
    page.goto("about:blank", wait_until="commit")
    page.goto(f"{site.url}#{code}", wait_until="commit")


def choose_file(page, path: Path) -> None:
    forget_answer(page)
    page.set_input_files("#file", str(path))


def drop_file(page, name: str, data: bytes, kind: str = "application/pdf") -> None:
    """A real drag and drop: dragenter, then drop, with a DataTransfer holding the file."""
    forget_answer(page)
    transfer = page.evaluate_handle(
        """([name, data, kind]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: kind}));
            return transfer;
        }""",
        [name, base64.b64encode(data).decode("ascii"), kind],
    )
    page.dispatch_event("#drop", "dragenter", {"dataTransfer": transfer})
    expect(page.locator("#drop")).to_have_class(re.compile(r"\bdragging\b"))
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    expect(page.locator("#drop")).not_to_have_class(re.compile(r"\bdragging\b"))


def altered(pdf: Path, folder: Path) -> Path:
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    target = folder / pdf.name
    target.write_bytes(bytes(data))
    return target


def assert_only_own_requests(requests: list[str], own: str) -> None:
    assert requests, "the page made no requests at all: was it opened?"
    strangers = [url for url in requests if not url.startswith(own)]
    assert strangers == [], f"requests outside the site ({own}): {strangers}"


#: The lowest contrast between any visible text and the background behind it.
LOWEST_CONTRAST = """() => {
  const channels = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const linear = (c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const c = channels(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  let worst = [99, ""];
  for (const el of document.querySelectorAll("body *")) {
    if (!(el instanceof HTMLElement) || !el.offsetParent) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const a = luminance(channels(getComputedStyle(el).color));
    const b = luminance(behind(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst[0]) worst = [ratio, el.tagName + " " + el.textContent.trim().slice(0, 40)];
  }
  return worst;
}"""


def assert_readable(page) -> None:
    ratio, where = page.evaluate(LOWEST_CONTRAST)
    assert ratio >= 4.5, f"contrast {ratio:.2f}:1 for {where!r}"


# --- the published files -----------------------------------------------------------------


def test_the_site_is_the_page_its_style_its_script_and_the_data(demo):
    assert sorted(demo.published[0]) == [
        "index.html", "logo.svg", "register.js", "verify.css", "verify.js"]  # fmt: skip
    data = demo.published[-1]["register.js"].decode("utf-8")
    first, second, end = data.split("\n")
    assert first.startswith("/*") and first.endswith("*/")
    assert second.startswith("window.IPSKIT_REGISTER = {") and second.endswith("};")
    assert end == ""


def test_the_page_without_its_data_weighs_under_100_kb(demo):
    weight = sum(len(demo.published[-1][name]) for name in PAGE_FILES)
    assert weight < 100_000, weight
    assert weight < 40_000, f"{weight} bytes: the page was meant to stay small"


def test_the_page_asks_for_nothing_outside_the_site(demo):
    html = demo.published[-1]["index.html"].decode("utf-8")
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert sorted(sources) == ["data:,", "logo.svg", "register.js", "verify.css", "verify.js"]
    for name in ("index.html", "verify.css", "verify.js"):
        text = demo.published[-1][name].decode("utf-8")
        # The SVG namespace is a name, not an address anything fetches.
        addresses = set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"'<>)]*", text))
        assert addresses <= {"http://www.w3.org/2000/svg"}, (name, addresses)
        assert "@import" not in text and "url(" not in text, name


def test_no_published_file_holds_a_name_an_email_or_a_code(demo):
    names: set[str] = set()
    emails: set[str] = set()
    for roster in demo.root.glob("cohorts/*/roster.csv"):
        with roster.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                names |= {row["name"], row["certificate_name"]} - {""}
                emails |= {row["email"]} - {""}
    for register in demo.root.glob("cohorts/*/certificates.csv"):
        with register.open(encoding="utf-8", newline="") as f:
            names |= {row["name_on_certificate"] for row in csv.DictReader(f)}
    codes = {c.code for c in demo.certificates}
    assert len(names) > 30 and len(emails) > 5 and len(codes) == 32
    words = names | emails | codes | {code.replace("-", "") for code in codes}
    for path in sorted(demo.site.iterdir()):
        text = path.read_bytes().decode("utf-8").casefold()
        found = sorted(word for word in words if word.casefold() in text)
        assert found == [], f"{path.name} holds {found}"


def test_publishing_again_changes_nothing_and_a_revocation_changes_only_the_data(demo):
    first, again, after = demo.published
    assert again == first
    assert sorted(after) == sorted(first)
    assert [name for name in sorted(first) if first[name] != after[name]] == ["register.js"]


def test_every_certificate_is_listed_once_under_a_key(demo):
    data = demo.published[-1]["register.js"].decode("utf-8")
    keys = re.findall(r'"([0-9a-f]{64})":\{', data)
    assert len(keys) == len(set(keys)) == len(demo.certificates)


# --- in the browser: codes ---------------------------------------------------------------


def test_every_certificate_of_the_demo_is_genuine_by_the_code_in_its_address(
    tab, demo, site, request
):
    page = tab.page
    log_start = len(request.getfixturevalue("server")[1]) if site.url.startswith("http") else 0
    assert len(demo.valid) == 30
    for number, cert in enumerate(demo.valid):
        if number % 10 == 0:
            open_code(page, site, cert.code)
        else:  # the same page, another address: as when a second code is scanned into it
            forget_answer(page)
            page.evaluate("code => { location.hash = code }", cert.code)
        expect_answer(
            page, "genuine",
            "This certificate is genuine. It was issued by Wrenmoor Peer Support Network"
            f" on {TODAY} for Intentional Peer Support: ",
        )  # fmt: skip
        expect(page.locator("#code")).to_have_value(cert.code)
    assert_only_own_requests(tab.requests, site.own)
    if site.url.startswith("http"):
        # The code travels in the fragment, which browsers never send: the web host's log
        # holds no certificate code.
        log = request.getfixturevalue("server")[1][log_start:]
        assert "/verify/register.js" in log
        codes = {c.code for c in demo.certificates}
        assert not [path for path in log for code in codes if code in path.upper()]


def test_the_answer_names_the_course_hours_and_organisation(tab, demo, site):
    cert = next(c for c in demo.valid if c.cohort == "ten-week")
    open_code(tab.page, site, cert.code)
    expect_answer(
        tab.page, "genuine",
        f"It was issued by Wrenmoor Peer Support Network on {TODAY} for Intentional"
        " Peer Support: ten-week course (23 contact hours).",
        "Questions? Contact Wrenmoor Peer Support Network: 3 Tanner's Row, Wrenmoor",
    )  # fmt: skip


def test_a_revoked_code_reads_withdrawn_with_its_date_and_reason(tab, demo, site):
    open_code(tab.page, site, demo.revoked.code)
    expect_answer(tab.page, "revoked", "Withdrawn certificate",
                  "This certificate was withdrawn by Wrenmoor Peer Support Network on"
                  f" {TODAY}. It is no longer valid. Reason: Issued in error")  # fmt: skip


def test_a_superseded_code_reads_replaced(tab, demo, site):
    open_code(tab.page, site, demo.superseded.code)
    expect_answer(tab.page, "superseded", "Replaced by a newer certificate",
                  f"it was replaced by a newer certificate on {TODAY}",
                  "Ask the holder for the current one.")  # fmt: skip
    open_code(tab.page, site, demo.replacement.code)
    expect_answer(tab.page, "genuine", "This certificate is genuine.")


def test_a_made_up_code_is_unknown_and_gibberish_is_not_a_code(tab, demo, site):
    codes = {c.code for c in demo.certificates}
    made_up = next(c for c in ("K7QM-4XTD", "K7QM-4XTE", "K7QM-4XTF") if c not in codes)
    open_code(tab.page, site, made_up)
    expect_answer(tab.page, "unknown-code", "No such certificate",
                  "Wrenmoor Peer Support Network has no certificate with this code.",
                  "hello@wrenmoor.example.org")  # fmt: skip
    open_code(tab.page, site, "main")
    expect_answer(tab.page, "not-a-code", "That is not a certificate code")


def test_a_code_typed_as_people_type_it_is_found_using_the_keyboard_only(tab, demo, site):
    page = tab.page
    cert = demo.valid[0]
    page.goto(site.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "code"
    assert page.evaluate("document.activeElement.labels[0].textContent") == (
        "Certificate code, e.g. K7QM-4XTD"
    )
    page.keyboard.type(cert.code.replace("-", "").lower())
    page.keyboard.press("Enter")
    expect_answer(page, "genuine", "This certificate is genuine.")
    # A code with spaces, and the hashchange of a page already open.
    page.fill("#code", "")
    page.keyboard.type(f" {cert.code[:4].lower()} {cert.code[5:]} ")
    page.keyboard.press("Enter")
    expect_answer(page, "genuine")
    page.evaluate("code => { location.hash = code }", demo.revoked.code)
    expect_answer(page, "revoked")
    # On to the Check button and the file input, each showing where the keyboard is.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "file"
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('label[for=file]')).outlineStyle"
    )
    assert outline == "solid"


def test_typing_mistakes_are_explained(tab, demo, site):
    page = tab.page
    page.goto(site.url)
    page.click("button[type=submit]")
    expect_answer(page, "empty", "Type a code first")
    page.fill("#code", "K7QM-4XT")
    page.keyboard.press("Enter")
    expect_answer(page, "not-a-code", "That is not a certificate code",
                  "A certificate code has eight letters and digits")  # fmt: skip
    # Crockford's base 32 has no O, I or L: typed for 0 and 1, they are read as those.
    cert = next(c for c in demo.valid if "0" in c.code or "1" in c.code)
    page.fill("#code", cert.code.replace("0", "O").replace("1", "l"))
    page.keyboard.press("Enter")
    expect_answer(page, "genuine")


def test_an_old_certificate_with_its_code_in_the_query_string_is_checked(tab, demo, site):
    cert = demo.valid[0]
    tab.page.goto(f"{site.url}?code={cert.code}")
    expect_answer(tab.page, "genuine")


def test_the_answer_is_announced_to_screen_readers(tab, demo, site):
    page = tab.page
    page.goto(site.url)
    result = page.locator("#result")
    expect(result).to_have_attribute("role", "status")
    expect(result).to_have_attribute("aria-live", "polite")
    assert result.inner_text() == ""  # there before the answer, so its arrival is spoken
    page.fill("#code", demo.revoked.code)
    page.click("button[type=submit]")
    expect(result).to_contain_text("Withdrawn certificate")
    expect(page.get_by_role("status")).to_contain_text("Reason: Issued in error")
    for control in page.locator("input, button").all():
        name = control.evaluate(
            "e => (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent).trim()"
        )
        assert name, control.evaluate("e => e.outerHTML")


# --- in the browser: files ---------------------------------------------------------------


def test_every_certificate_of_the_demo_is_genuine_by_its_pdf(tab, demo, site):
    page = tab.page
    page.goto(site.url)
    for cert in demo.valid:
        choose_file(page, cert.pdf)
        expect_answer(page, "genuine", "This file is a genuine certificate, exactly as"
                      f" Wrenmoor Peer Support Network issued it on {TODAY}")  # fmt: skip
    assert_only_own_requests(tab.requests, site.own)


def test_a_dropped_pdf_is_checked(tab, demo, site):
    page = tab.page
    page.goto(site.url)
    cert = demo.valid[-1]
    drop_file(page, cert.pdf.name, cert.pdf.read_bytes())
    expect_answer(page, "genuine", "This file is a genuine certificate")
    drop_file(page, "certificate.pdf", demo.revoked.pdf.read_bytes())
    expect_answer(page, "revoked", "Reason: Issued in error")


def test_a_revoked_or_superseded_pdf_reads_so(tab, demo, site):
    page = tab.page
    page.goto(site.url)
    choose_file(page, demo.revoked.pdf)
    expect_answer(page, "revoked", "This certificate was withdrawn by Wrenmoor Peer Support"
                  f" Network on {TODAY}. It is no longer valid. Reason: Issued in error")  # fmt: skip
    choose_file(page, demo.superseded.pdf)
    expect_answer(page, "superseded", f"replaced by a newer certificate on {TODAY}")
    choose_file(page, demo.replacement.pdf)
    expect_answer(page, "genuine")


def test_an_altered_pdf_reads_altered(tab, demo, site, tmp_path):
    page = tab.page
    page.goto(site.url)
    choose_file(page, altered(demo.valid[3].pdf, tmp_path))
    expect_answer(page, "altered", "Altered file", "This file is not the one that was issued.",
                  "it may have been edited, or damaged",
                  "contact Wrenmoor Peer Support Network for a true copy")  # fmt: skip
    data = bytearray(demo.valid[5].pdf.read_bytes())
    data[len(data) // 2] ^= 0x20
    drop_file(page, "certificate.pdf", bytes(data))
    expect_answer(page, "altered")


def test_files_that_are_not_certificates(tab, demo, site, tmp_path):
    page = tab.page
    page.goto(site.url)
    note = tmp_path / "note.txt"
    note.write_text("Not a certificate at all.\n", encoding="utf-8")
    choose_file(page, note)
    expect_answer(page, "not-a-pdf", "That file is not a PDF")
    # A PDF, but none ipskit issued and naming no code of the register.
    other = demo.root / "out" / "report.pdf"
    choose_file(page, other)
    expect_answer(page, "unknown-file", "Wrenmoor Peer Support Network has no record of this file")
    assert_only_own_requests(tab.requests, site.own)


# --- in the browser: where the page cannot work -----------------------------------------


def test_without_web_crypto_the_page_says_it_needs_https(browser, demo):
    # As over plain http from another host: browsers offer crypto.subtle only to secure
    # pages (https, localhost, files).
    context = browser.new_context()
    context.add_init_script("delete Crypto.prototype.subtle")
    page = context.new_page()
    page.goto(f"{demo.site.as_uri()}/index.html#{demo.valid[0].code}")
    expect_answer(page, "insecure", "This page cannot check certificates here", "https://")
    context.close()


def test_without_its_data_the_page_says_so(browser, demo, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(demo.site, copy)
    (copy / "register.js").unlink()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{copy.as_uri()}/index.html#{demo.valid[0].code}")
    expect_answer(page, "no-register", "The list of certificates is missing")
    context.close()


def test_without_javascript_the_page_says_what_to_do(browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo.site.as_uri()}/index.html#{demo.valid[0].code}")
    # (Playwright's text locators skip <noscript>, so CSS ones are used here.)
    message = page.locator("noscript .answer")
    expect(message).to_be_visible()
    expect(message.locator("h2")).to_have_text("This page needs JavaScript")
    assert "ask Wrenmoor Peer Support Network to check" in " ".join(message.inner_text().split())
    expect(page.locator("#code")).to_be_hidden()
    context.close()


# --- how it looks ------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_answer_reads_with_enough_contrast_and_fits_a_phone(
    browser, demo, viewport, tmp_path
):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    url = f"{demo.site.as_uri()}/index.html"
    for code, kind in [(demo.valid[0].code, "genuine"), (demo.revoked.code, "revoked"),
                       (demo.superseded.code, "superseded"), ("K7QM-4XTD", "unknown-code")]:  # fmt: skip
        page.goto("about:blank")
        page.goto(f"{url}#{code}")
        expect_answer(page, kind)
        assert_readable(page)
        # Nothing wider than the screen, and the answer in view of someone who scanned.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        box = answer(page).bounding_box()
        assert box is not None and box["y"] < viewport["height"] * 0.6
    choose_file(page, altered(demo.valid[1].pdf, tmp_path))
    expect_answer(page, "altered")
    assert_readable(page)
    context.close()


def test_the_page_follows_the_organisations_branding(browser, tmp_path):
    from PIL import Image

    root = tmp_path / "bright"
    assert run("init", str(root), "--org", "Bright & <b>Bold</b> Peers").exit_code == 0
    Image.new("RGB", (120, 40), (20, 60, 120)).save(root / "mark.png")
    settings = root / "ipskit.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "  # logo: logo.png",
            '  logo: mark.png\n  colour: "#3d5a80"\n  contact: "01632 960 000"',
        ),
        encoding="utf-8",
    )
    site = tmp_path / "published"
    publish(root, "--out", str(site))
    assert sorted(p.name for p in site.iterdir()) == [
        "index.html", "logo.png", "register.js", "verify.css", "verify.js"]  # fmt: skip

    context = browser.new_context(viewport=PHONE)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(f"{site.as_uri()}/index.html#K7QM-4XTD")
    expect_answer(page, "unknown-code",
                  "Bright & <b>Bold</b> Peers has no certificate with this code.",
                  "Questions? Contact Bright & <b>Bold</b> Peers: 01632 960 000")  # fmt: skip
    header = page.locator(".masthead")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(61, 90, 128)"
    # Every colour a workspace may have is dark enough for white text (see test_colour_contrast).
    assert header.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    expect(page.locator(".organisation")).to_have_text("Bright & <b>Bold</b> Peers")
    assert page.locator(".masthead b").count() == 0
    assert page.evaluate("document.querySelector('.logo').naturalWidth") == 120
    assert page.title() == "Check a certificate: Bright & <b>Bold</b> Peers"
    assert_readable(page)
    assert_only_own_requests(requests, f"{site.as_uri()}/")
    assert any(url.endswith("/logo.png") for url in requests)
    context.close()
