"""A large-print copy of a certificate, on request: the same facts in 16pt type and larger."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import run
from tagged import structure_of
from test_certificates import PEOPLE, URL, qr_of, register_rows, taster, text_of

#: Two people meeting, drawn without a word: every word on the page is the copy's own.
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60" width="100" height="60">
<circle cx="38" cy="30" r="24" fill="#2f5d62"/><circle cx="62" cy="30" r="24" fill="#7aa095"/>
</svg>
"""
ORGANISATION = "Riverside Peer Network"


def with_logo(ws: Path) -> Path:
    (ws / "logo.svg").write_text(LOGO)
    settings = ws / "ipskit.yaml"
    settings.write_text(settings.read_text().replace("  # logo: logo.png", "  logo: logo.svg"))
    return ws


def copy_path(ws: Path, pid: str, code: str) -> Path:
    return ws / "out" / "taster" / "certificates" / f"certificate-{pid}-{code}-large-print.pdf"


def snapshot(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*")) if p.is_file()}


def pieces(path: Path) -> list[tuple[float, str]]:
    """Each piece of text the file draws, with its size in points (font size by matrices)."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((round(abs(size * tm[3] * cm[3]), 1), text.strip()))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return found


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> Path:
    """The taster's certificates issued (p01 Siân, p02 Tomasz, p03 Γιώργος), with a logo."""
    ws = with_logo(taster(tmp_path_factory.mktemp("large")))
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    return ws


@pytest.fixture(scope="module")
def greek(issued) -> tuple[Path, str, Path, object]:
    """Γιώργος's certificate (p03) in large print: the workspace, code, file and run."""
    code = register_rows(issued)[2][0]
    result = run("-w", str(issued), "certificates", "large-print", code.lower())
    return issued, code, copy_path(issued, "p03", code), result


@pytest.fixture
def ws(issued, tmp_path) -> Path:
    """A copy of the issued workspace, for a test that changes it."""
    return Path(shutil.copytree(issued, tmp_path / "ws", symlinks=True))


def test_the_copy_is_written_beside_the_certificate_and_listed(greek):
    ws, code, path, result = greek
    listed = ws / "cohorts" / "taster" / "certificate-copies.csv"
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == (
        f"Wrote a large-print copy of certificate {code} (p03), 1 page, to {path}\n"
        f"Recorded in {listed}: it verifies as the certificate does\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(listed.stat().st_mode) == 0o600
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert listed.read_text() == (
        f"code,kind,date,sha256\n{code},large-print,{date.today().isoformat()},{digest}\n"
    )
    # The certificate itself is as it was issued.
    original = path.with_name(f"certificate-p03-{code}.pdf")
    assert hashlib.sha256(original.read_bytes()).hexdigest() == register_rows(ws)[2][6]


def test_the_copy_says_what_the_certificate_says(greek):
    ws, code, path, _ = greek
    text = " ".join(text_of(path).split())  # a long name or title may wrap
    for part in ("Γιώργος Παπαδόπουλος", "Certificate of attendance", "This is to certify that",
                 "Intentional Peer Support: taster evening", "1.75 contact hours",
                 f"Certificate {code}", "RIVERSIDE PEER NETWORK", "Alex Morgan", "Lead trainer",
                 "Jo Evans", "Trained by Alex Morgan", "Issued ", URL, "Large-print copy"):  # fmt: skip
        assert part in text, part
    others = [word for name in PEOPLE if name != "Γιώργος Παπαδόπουλος" for word in name.split()]
    assert others and not [word for word in others if word in text]
    assert "{{" not in text
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    info = reader.metadata
    assert info.title == (
        "Certificate of attendance (large print): Intentional Peer Support: taster evening"
    )
    assert info.author == ORGANISATION
    assert info.subject == f"Certificate {code}, issued by {ORGANISATION}"


def test_every_word_is_in_16pt_type_or_larger(greek):
    _, code, path, _ = greek
    found = pieces(path)
    assert found and all(size >= 16 for size, _ in found), sorted(found)[:3]
    sizes = dict((text, size) for size, text in found)
    assert sizes["Γιώργος"] >= 30 and sizes["Παπαδόπουλος"] >= 30  # the name, largest
    assert sizes["Certificate of attendance"] >= 30
    assert sizes[code] >= 20


def test_the_copy_is_tagged_with_the_qr_codes_and_the_logos_alternative_text(greek):
    _, code, path, _ = greek
    tagged = structure_of(path)
    assert tagged.lang == "en-GB" and tagged.shows_title
    assert "Γιώργος" not in tagged.title
    figures = {node.alt for node in tagged.elements("/Figure")}
    assert figures == {
        ORGANISATION,
        f"QR code: check this certificate at {URL} with code {code}",
    }
    for part in ("Γιώργος", "Παπαδόπουλος"):
        (element,) = tagged.text_in(part)
        assert element.lang == "el", part
    (heading,) = tagged.elements("/H1")
    assert "Certificate of attendance" in "".join(n.text for n in heading.walk())


@pytest.mark.slow
def test_the_qr_code_holds_the_verification_address(greek):
    _, code, path, _ = greek
    assert qr_of(path) == [f"{URL}#{code}"]


def test_verify_says_the_copy_is_genuine(greek, tmp_path):
    ws, code, path, _ = greek
    result = run("-w", str(ws), "verify", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"genuine: certificate {code}, issued {date.today().isoformat()} to p03 of cohort"
        " taster for Intentional Peer Support: taster evening (1.75 hours); the file is its"
        f" large-print copy, made {date.today().isoformat()}\n"
    )
    answer = json.loads(run("-w", str(ws), "verify", str(path), "--format", "json").stdout)
    assert (answer["verdict"], answer["code"], answer["copy"], answer["copy_made"]) == (
        "genuine", code, "large-print", date.today().isoformat(),
    )  # fmt: skip
    # A changed copy claims its code, and is not the copy made.
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    altered = run("-w", str(ws), "verify", str(changed))
    assert altered.exit_code == 3, altered.output
    assert altered.stdout.startswith(f"altered: the file claims to be certificate {code}")


def test_revoking_the_certificate_revokes_its_copy_and_refuses_another(ws):
    code = register_rows(ws)[0][0]
    made = run("-w", str(ws), "certificates", "large-print", code)
    assert made.exit_code == 0, made.output
    path = copy_path(ws, "p01", code)
    revoked = run("-w", str(ws), "certificates", "revoke", code, "--reason", "Issued in error")
    assert revoked.exit_code == 0, revoked.output
    today = date.today().isoformat()
    verdict = run("-w", str(ws), "verify", str(path))
    assert (verdict.exit_code, verdict.stdout) == (4, (
        f"revoked: certificate {code}, issued {today} to p01 of cohort taster; revoked"
        f" {today}: Issued in error; the file is its large-print copy, made {today}\n"
    ))  # fmt: skip
    before = snapshot(ws)
    refused = run("-w", str(ws), "certificates", "large-print", code)
    assert (refused.exit_code, refused.stdout, refused.stderr) == (1, "", (
        f"certificate {code} was revoked on {today} (Issued in error), so it gets no"
        " large-print copy: to issue a new certificate, 'ipskit certificates taster"
        " --reissue --participant p01'\n"
    ))  # fmt: skip
    assert snapshot(ws) == before


def test_a_superseded_certificate_points_to_the_one_that_replaced_it(ws):
    old = register_rows(ws)[1][0]
    reissued = run("-w", str(ws), "certificates", "taster", "--reissue", "-p", "p02")
    assert reissued.exit_code == 0, reissued.output
    new = register_rows(ws)[-1][0]
    before = snapshot(ws)
    refused = run("-w", str(ws), "certificates", "large-print", old)
    assert (refused.exit_code, refused.stderr) == (1, (
        f"certificate {old} was superseded on {date.today().isoformat()} (replaced by {new}),"
        " so it gets no large-print copy: make the copy of the current one, 'ipskit"
        f" certificates large-print {new}'\n"
    ))  # fmt: skip
    assert snapshot(ws) == before
    assert run("-w", str(ws), "certificates", "large-print", new).exit_code == 0


def test_an_unknown_code_changes_nothing(issued):
    before = snapshot(issued)
    unknown = run("-w", str(issued), "certificates", "large-print", "ABCD-EFGH")
    assert (unknown.exit_code, unknown.stdout, unknown.stderr) == (
        1, "", "no register in this workspace holds certificate ABCD-EFGH\n",
    )  # fmt: skip
    not_a_code = run("-w", str(issued), "certificates", "large-print", "p01")
    assert (not_a_code.exit_code, not_a_code.stderr) == (
        1, "'p01' is not a certificate code such as K7QM-4XTD\n",
    )  # fmt: skip
    assert snapshot(issued) == before


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ((), "large-print takes a certificate's code: 'certificates large-print CODE'"
             " (for a cohort named large-print, 'certificates issue large-print')"),
        (("K7QM-4XTD", "--dry-run"), "large-print takes a code and --out FILE only"),
        (("K7QM-4XTD", "--reason", "x"), "large-print takes a code and --out FILE only"),
        (("K7QM-4XTD", "-p", "p01"), "large-print takes a code and --out FILE only"),
    ],
)  # fmt: skip
def test_large_print_takes_a_code_and_out_only(issued, args, shown):
    result = run("-w", str(issued), "certificates", "large-print", *args)
    assert (result.exit_code, result.stderr) == (1, shown + "\n")


@pytest.mark.parametrize(
    ("word", "shown"),
    [("large-prnt", "unexpected 'K7QM-4XTD': did you mean 'certificates large-print K7QM-4XTD'?"),
     ("taster", "unexpected 'K7QM-4XTD': to revoke, write 'certificates revoke K7QM-4XTD'; for a"
                " large-print copy, 'certificates large-print K7QM-4XTD'")],
)  # fmt: skip
def test_a_code_after_a_cohort_or_a_mistyped_word_says_what_was_meant(issued, word, shown):
    result = run("-w", str(issued), "certificates", word, "K7QM-4XTD")
    assert (result.exit_code, result.stderr) == (1, shown + "\n")


def test_forget_refuses_a_copy_for_the_erased_and_deletes_the_ones_made(ws):
    code = register_rows(ws)[0][0]
    assert run("-w", str(ws), "certificates", "large-print", code).exit_code == 0
    path = copy_path(ws, "p01", code)
    kept = path.read_bytes()
    forgot = run("-w", str(ws), "forget", "taster", "p01", "--yes")
    assert forgot.exit_code == 0, forgot.output
    assert f"  certificates/{path.name}\n" in forgot.stdout
    assert not path.exists()
    assert not list((ws / "out").rglob("*p01*"))
    before = snapshot(ws)
    refused = run("-w", str(ws), "certificates", "large-print", code)
    assert (refused.exit_code, refused.stderr) == (1, (
        f"certificate {code} cannot be copied: p01 asked to be forgotten and their name was"
        " erased, so there is no name to print (the certificate they hold still verifies)\n"
    ))  # fmt: skip
    assert snapshot(ws) == before
    # The copy the person kept still verifies: the list of copies holds no name.
    path.write_bytes(kept)
    assert run("-w", str(ws), "verify", str(path)).exit_code == 0


def test_an_archived_cohort_is_refused(ws):
    code = register_rows(ws)[0][0]
    assert run("-w", str(ws), "cohorts", "archive", "taster").exit_code == 0
    before = snapshot(ws)
    refused = run("-w", str(ws), "certificates", "large-print", code)
    assert (refused.exit_code, refused.stderr) == (
        1, "cohort taster is archived: ipskit cohorts unarchive taster to change it\n",
    )  # fmt: skip
    assert snapshot(ws) == before


def test_out_writes_the_copy_where_asked(ws, tmp_path):
    code = register_rows(ws)[0][0]
    target = tmp_path / "for Siân" / "large.pdf"
    result = run("-w", str(ws), "certificates", "large-print", code, "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote a large-print copy of certificate {code} (p01),"
                                    f" 1 page, to {target}\n")  # fmt: skip
    assert not copy_path(ws, "p01", code).exists()
    assert run("-w", str(ws), "verify", str(target)).exit_code == 0
    # A folder gets the file by id and code.
    folder = tmp_path / "printing"
    folder.mkdir()
    again = run("-w", str(ws), "certificates", "large-print", code, "-o", str(folder))
    assert again.exit_code == 0, again.output
    assert [p.name for p in folder.iterdir()] == [f"certificate-p01-{code}-large-print.pdf"]


def test_a_name_language_the_trainer_gave_marks_the_name(ws):
    assert run("-w", str(ws), "roster", "taster", "edit", "p01", "--name-lang", "cy").exit_code == 0
    code = register_rows(ws)[0][0]
    assert run("-w", str(ws), "certificates", "large-print", code).exit_code == 0
    (element,) = structure_of(copy_path(ws, "p01", code)).text_in("Siân Hughes")
    assert element.lang == "cy"


def test_without_an_address_logo_or_signatories_it_is_still_large_print(tmp_path):
    ws = taster(tmp_path, url=None, people=("Siân Hughes",))
    settings = ws / "ipskit.yaml"
    text = settings.read_text()
    start = text.index("signatories:\n  - name: Alex Morgan")
    end = text.index("\n", text.index("  - name: Jo Evans"))
    settings.write_text(text[:start] + "signatories: []" + text[end:])
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    code = register_rows(ws)[0][0]
    result = run("-w", str(ws), "certificates", "large-print", code)
    assert result.exit_code == 0, result.output
    path = copy_path(ws, "p01", code)
    found = pieces(path)
    assert all(size >= 16 for size, _ in found), sorted(found)[:3]
    text = " ".join(text_of(path).split())
    assert f"To check it, give its code to {ORGANISATION}" in text
    assert "Jo Evans" not in text
    figures = [node.alt for node in structure_of(path).elements("/Figure")]
    assert figures == [
        f"QR code: this certificate's code, {code}. To check it, give the code to {ORGANISATION}."
    ]


def test_help_lists_large_print():
    result = run("certificates", "--help")
    assert result.exit_code == 0
    assert "'ipskit certificates large-print CODE [--out FILE]'" in " ".join(result.stdout.split())


def test_a_list_of_copies_broken_by_hand_is_refused_by_line(ws):
    code = register_rows(ws)[0][0]
    assert run("-w", str(ws), "certificates", "large-print", code).exit_code == 0
    listed = ws / "cohorts" / "taster" / "certificate-copies.csv"
    listed.write_text(listed.read_text().replace(",large-print,", ",tiny-print,"))
    result = run("-w", str(ws), "verify", str(copy_path(ws, "p01", code)))
    assert (result.exit_code, result.stderr) == (
        1, f"{listed}:2: the kind must be one of large-print\n",
    )  # fmt: skip
    # Verifying by code, or the certificate's own file, does not need the list.
    assert run("-w", str(ws), "verify", code).exit_code == 0
    original = ws / "out" / "taster" / "certificates" / f"certificate-p01-{code}.pdf"
    assert run("-w", str(ws), "verify", str(original)).exit_code == 0
