"""``ipskit certificates publish``: the verification site's files and their privacy."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from pathlib import Path

import pytest

from helpers import make_cohort, make_workspace, run
from ipskit.certificates.site import ITERATIONS, on_colour

PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Γιώργος Παπαδόπουλος")


def cli(ws: Path, *args: str):
    return run("-w", str(ws), *args)


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path)
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text() + "verification_url: https://r.example.org/check\n")
    make_cohort(ws, "taster", "ips-taster", None, PEOPLE)
    for n in (1, 2, 3):
        cli(ws, "roster", "taster", "add", f"Extra {n}", "--email", f"extra{n}@example.org")
    assert cli(ws, "attend", "taster", "1", "--all-present").exit_code == 0
    assert cli(ws, "certificates", "taster").exit_code == 0
    return ws


def register(ws: Path) -> list[dict[str, str]]:
    import csv

    path = ws / "cohorts" / "taster" / "certificates.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def site(ws: Path) -> Path:
    return ws / "out" / "verify"


def data(ws: Path) -> dict:
    text = (site(ws) / "register.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"/\*[^\n]*\*/\nwindow\.IPSKIT_REGISTER = (\{.*\});\n", text, re.S)
    assert match, text[:200]
    return json.loads(match[1])


def test_every_certificate_is_listed_under_a_key_of_its_code(ws):
    result = cli(ws, "certificates", "publish")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Published the verification page for 6 certificates in {site(ws)} (changed:"
        " index.html, register.js, verify.css, verify.js).",
        "Put the folder's files at https://r.example.org/check: certificates' QR codes point"
        " there.",
    ]
    published = data(ws)
    kdf = published["kdf"]
    assert (kdf["algorithm"], kdf["iterations"]) == ("PBKDF2-HMAC-SHA-256", ITERATIONS)
    salt = bytes.fromhex(kdf["salt"])
    listed = published["certificates"]
    assert len(listed) == 6
    for row in register(ws):
        key = hashlib.pbkdf2_hmac("sha256", row["code"].encode(), salt, ITERATIONS).hex()
        assert listed[key] == {
            "status": "valid", "course": row["course"], "issued": row["issued"],
            "hours": row["hours"], "sha256": row["sha256"], "date": None, "reason": None,
        }  # fmt: skip
    assert published["organisation"] == {"name": "Riverside Peer Network", "contact": None}


def test_no_name_email_or_code_is_in_any_published_file(ws):
    cli(ws, "certificates", "taster", "--participant", "p01", "--reissue")
    cli(ws, "certificates", "revoke", register(ws)[1]["code"], "--reason", "Issued in error")
    assert cli(ws, "certificates", "publish").exit_code == 0
    words = [*PEOPLE, "Siân", "Hughes", "extra1@example.org", "Extra 1"]
    codes = [row["code"] for row in register(ws)]
    for path in site(ws).iterdir():
        text = path.read_text(encoding="utf-8")
        for word in words:
            assert word.casefold() not in text.casefold(), (path.name, word)
        for code in codes:
            for form in (code, code.replace("-", "")):
                assert form.casefold() not in text.casefold(), (path.name, code)
    statuses = sorted(c["status"] for c in data(ws)["certificates"].values())
    assert statuses == ["revoked", "superseded", "valid", "valid", "valid", "valid", "valid"]
    superseded = next(c for c in data(ws)["certificates"].values() if c["status"] == "superseded")
    assert superseded["reason"] == "replaced by a newer certificate"
    revoked = next(c for c in data(ws)["certificates"].values() if c["status"] == "revoked")
    assert revoked["reason"] == "Issued in error" and revoked["date"]


def test_publishing_again_changes_nothing_and_a_revocation_only_the_data(ws):
    cli(ws, "certificates", "publish")
    before = {p.name: p.read_bytes() for p in site(ws).iterdir()}
    times = {p.name: p.stat().st_mtime_ns for p in site(ws).iterdir()}
    result = cli(ws, "certificates", "publish")
    assert result.stdout.startswith(
        f"The verification page in {site(ws)} is up to date (6 certificates)."
    )
    assert {p.name: p.stat().st_mtime_ns for p in site(ws).iterdir()} == times
    cli(ws, "certificates", "revoke", register(ws)[0]["code"], "--reason", "Issued in error")
    result = cli(ws, "certificates", "publish")
    assert "(changed: register.js)." in result.stdout
    after = {p.name: p.read_bytes() for p in site(ws).iterdir()}
    assert [n for n in before if before[n] != after[n]] == ["register.js"]


def test_the_site_is_readable_by_a_web_server_and_holds_only_its_files(ws):
    cli(ws, "certificates", "publish", "--out", str(ws / "public"))
    folder = ws / "public"
    assert sorted(p.name for p in folder.iterdir()) == [
        "index.html", "register.js", "verify.css", "verify.js",
    ]  # fmt: skip
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_workspace_can_restyle_the_page(ws):
    (ws / "templates" / "verify").mkdir(parents=True)
    (ws / "templates" / "verify" / "verify.css").write_text("body { color: black; }\n")
    cli(ws, "certificates", "publish")
    assert (site(ws) / "verify.css").read_text() == "body { color: black; }\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dry-run",), "publish takes --out DIR only"),
        (("--reason", "x"), "publish takes --out DIR only"),
    ],
)
def test_publish_takes_only_a_folder(ws, args, message):
    result = cli(ws, "certificates", "publish", *args)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not site(ws).exists()


def test_a_file_in_the_way_is_an_error(ws):
    (ws / "taken").write_text("x")
    result = cli(ws, "certificates", "publish", "--out", str(ws / "taken"))
    assert (result.exit_code, result.stderr) == (1, f"{ws / 'taken'}: exists and is not a folder\n")


@pytest.mark.parametrize(
    ("colour", "text"),
    [("#3d5a80", "#ffffff"), ("#2f5d62", "#ffffff"), ("#f2c94c", "#1d1d1b"),
     ("#ffffff", "#1d1d1b"), ("#000000", "#ffffff")],
)  # fmt: skip
def test_header_text_keeps_its_contrast_on_any_brand_colour(colour, text):
    assert on_colour(colour) == text


def test_keys_are_kept_for_speed_and_remade_when_the_salt_changes(ws):
    cli(ws, "certificates", "publish")
    cache = ws / "cohorts" / "taster" / ".publish-keys.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("Riverside Peer Network", "Riverside Peers"))
    assert "(changed: index.html, register.js)." in cli(ws, "certificates", "publish").stdout
    published = data(ws)
    salt = bytes.fromhex(published["kdf"]["salt"])
    expected = {
        hashlib.pbkdf2_hmac("sha256", row["code"].encode(), salt, ITERATIONS).hex()
        for row in register(ws)
    }
    assert set(published["certificates"]) == expected
