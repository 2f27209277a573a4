"""Certificates: issued once to those who completed, recorded, verifiable, revocable."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

import ipskit.certificates.batch_pdf
from helpers import make_cohort, make_workspace, run
from ipskit.certificates.verifying import EXIT_CODES
from ipskit.cohorts.certificate_register import COLUMNS

PEOPLE = ("Siân Hughes", "Tomasz Wiśniewski", "Γιώργος Παπαδόπουλος", "Sam Patel")
URL = "https://riverside.example.org/verify"


def taster(tmp_path: Path, *, url: str | None = URL, people=PEOPLE) -> Path:
    """A one-evening course everyone but Sam attended."""
    ws = make_workspace(tmp_path)
    settings = ws / "ipskit.yaml"
    text = settings.read_text()
    text = text.replace(
        "signatories: []",
        "signatories:\n  - name: Alex Morgan\n    role: Lead trainer\n  - name: Jo Evans",
    )
    settings.write_text(text + (f"verification_url: {url}\n" if url else ""))
    make_cohort(ws, "taster", "ips-taster", None, people, "--trainer", "Alex Morgan")
    assert run("-w", str(ws), "attend", "taster", "1", "--all-present").exit_code == 0
    if "Sam Patel" in people:
        assert run("-w", str(ws), "attend", "taster", "1", "--absent", "Sam").exit_code == 0
    return ws


def register_rows(ws: Path) -> list[list[str]]:
    lines = (ws / "cohorts" / "taster" / "certificates.csv").read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    return [line.split(",") for line in lines[1:]]


def files(ws: Path) -> list[Path]:
    return sorted((ws / "out" / "taster" / "certificates").glob("certificate-*.pdf"))


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def qr_of(path: Path) -> list[str]:
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(path)[0].render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    ws = taster(tmp_path_factory.mktemp("certs"))
    result = run("-w", str(ws), "certificates", "taster")
    return ws, result


def test_everyone_who_completed_gets_one_and_it_is_recorded(issued):
    ws, result = issued
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    paths = files(ws)
    rows = register_rows(ws)
    codes = [row[0] for row in rows]
    folder = ws / "out" / "taster" / "certificates"
    lines = result.stdout.splitlines()
    assert lines[0] == f"Issued 3 certificates in {folder}:"
    assert lines[1:4] == [
        f"  p0{n}  {code}  certificate-p0{n}-{code}.pdf"
        for n, code in zip((1, 2, 3), codes, strict=True)
    ]
    assert lines[4].startswith(f"To print them all: {folder}/certificates-")
    assert lines[5:] == [
        f"Recorded in {ws / 'cohorts' / 'taster' / 'certificates.csv'}",
        "Not qualified:",
        "  p04  0 of 1 sessions attended; 1 needed",
    ]
    assert [p.name for p in paths] == [
        f"certificate-p0{n}-{c}.pdf" for n, c in zip((1, 2, 3), codes, strict=True)
    ]
    for path, row, name in zip(paths, rows, PEOPLE, strict=False):
        assert row[1:5] == [
            path.name[12:15],
            name,
            "Intentional Peer Support: taster evening",
            "1.75",
        ]
        assert row[6] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert row[7] == "issued" and row[8] == row[5] and row[9] == ""
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(set(codes)) == 3
    combined = next(folder.glob("certificates-*.pdf"))
    assert len(PdfReader(combined).pages) == 3


def test_a_certificate_says_who_what_how_long_and_its_code(issued):
    ws, _ = issued
    code = register_rows(ws)[2][0]
    text = text_of(files(ws)[2])
    for part in ("Γιώργος Παπαδόπουλος", "Certificate of attendance",
                 "Intentional Peer Support: taster evening", "1.75 contact hours",
                 f"Certificate {code}", "RIVERSIDE PEER NETWORK", "Alex Morgan", "Lead trainer",
                 "Jo Evans", "Trained by Alex Morgan"):  # fmt: skip
        assert part in text, part
    assert "{{" not in text


@pytest.mark.slow
def test_the_qr_code_holds_the_verification_address(issued):
    ws, _ = issued
    for path, row in zip(files(ws), register_rows(ws), strict=True):
        assert qr_of(path) == [f"{URL}#{row[0]}"]


def test_the_qr_code_is_printed_in_the_bottom_right_corner(issued):
    import pypdfium2
    import zxingcpp

    ws, _ = issued
    image = pypdfium2.PdfDocument(files(ws)[0])[0].render(scale=2).to_pil()
    (code,) = zxingcpp.read_barcodes(image)
    corner = code.position.top_left
    assert corner.x > image.width * 0.8 and corner.y > image.height * 0.7, (corner, image.size)


def test_without_an_address_the_qr_code_holds_the_code(tmp_path):
    ws = taster(tmp_path, url=None, people=("Siân Hughes",))
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    (path,) = files(ws)
    assert qr_of(path) == [register_rows(ws)[0][0]]


def test_certificates_are_pdfa_with_metadata_and_nothing_embedded(issued):
    ws, _ = issued
    printed = [*(ws / "out" / "taster" / "certificates").glob("certificates-*")]
    for path in [*files(ws), *printed]:
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        assert reader.pdf_header == "%PDF-1.7"
        assert "/OutputIntents" in root and "/ID" in reader.trailer
        xmp = root["/Metadata"].get_object().get_data().decode()
        # Each person's file is tagged, PDF/A-2a; the print file has no structure, 2b.
        level = "B" if path in printed else "A"
        assert f'pdfaid:part="2" pdfaid:conformance="{level}"' in xmp
        assert ("/StructTreeRoot" in root) is (level == "A")
        info = reader.metadata
        assert info.title == "Certificate of attendance: Intentional Peer Support: taster evening"
        assert info.author == "Riverside Peer Network"
        assert info.subject.startswith("Certificate")
        assert "/EmbeddedFiles" not in root.get("/Names", {}) and "/AF" not in root
        assert "Siân" not in (info.title + info.subject)  # names stay out of the metadata


def test_each_file_holds_only_its_owners_name(issued):
    ws, _ = issued
    for path, name in zip(files(ws), PEOPLE, strict=False):
        text = text_of(path)
        assert [n for n in PEOPLE if n in text] == [name]


def test_verify_a_genuine_file_and_its_code(issued):
    ws, _ = issued
    path = files(ws)[0]
    code = register_rows(ws)[0][0]
    result = run("-w", str(ws), "verify", str(path))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"genuine: certificate {code}, issued ")
    assert run("-w", str(ws), "verify", code.lower().replace("-", "")).exit_code == 0
    # As read aloud over the phone and typed: small letters, a space for the hyphen.
    spoken = run("-w", str(ws), "verify", code.lower().replace("-", " "))
    assert spoken.exit_code == 0, spoken.output
    assert spoken.stdout.startswith(f"genuine: certificate {code}, issued ")


def test_one_changed_byte_makes_it_altered(issued, tmp_path):
    ws, _ = issued
    data = bytearray(files(ws)[1].read_bytes())
    data[len(data) // 3] ^= 0x01
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(bytes(data))
    result = run("-w", str(ws), "verify", str(copy))
    assert result.exit_code == EXIT_CODES["altered"] == 3
    assert result.stdout.startswith(
        f"altered: the file claims to be certificate {register_rows(ws)[1][0]}"
    )


@pytest.mark.parametrize(
    "content", [b"", b"%PDF-1.7\n", b"hello, not a pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"]
)
def test_anything_else_is_unknown(issued, tmp_path, content):
    ws, _ = issued
    path = tmp_path / "thing.pdf"
    path.write_bytes(content)
    result = run("-w", str(ws), "verify", str(path))
    assert (result.exit_code, result.stdout) == (
        6,
        "unknown: not a certificate issued in this workspace\n",
    )


def test_a_truncated_certificate_is_altered_or_unknown_never_a_crash(issued, tmp_path):
    ws, _ = issued
    data = files(ws)[0].read_bytes()
    for size in (100, len(data) // 2, len(data) - 10):
        path = tmp_path / f"cut-{size}.pdf"
        path.write_bytes(data[:size])
        result = run("-w", str(ws), "verify", str(path))
        assert result.exit_code in (3, 6), result.output


def test_verify_answers_scripts_in_json(issued, tmp_path):
    ws, _ = issued
    path = files(ws)[0]
    code, participant = register_rows(ws)[0][:2]
    genuine = run("-w", str(ws), "verify", str(path), "--format", "json")
    assert genuine.exit_code == 0 and genuine.stderr == ""
    found = json.loads(genuine.stdout)
    assert found == {"verdict": "genuine", "code": code, "cohort": found["cohort"],
                     "participant": participant, "course": found["course"],
                     "hours": found["hours"], "issued": date.today().isoformat()}  # fmt: skip
    assert found["cohort"] and found["course"] and found["hours"]
    copy = tmp_path / "copy.pdf"
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    copy.write_bytes(bytes(data))
    altered = run("-w", str(ws), "verify", str(copy), "-f", "json")
    assert altered.exit_code == 3 and json.loads(altered.stdout)["verdict"] == "altered"
    unknown = run("-w", str(ws), "verify", "zzzz zzzz", "--format", "json")
    assert (unknown.exit_code, json.loads(unknown.stdout)) == (6, {"verdict": "unknown"})
    # The name is in the register, never in the answer: a code is enough to ask with.
    name = register_rows(ws)[0][2]
    assert name not in genuine.stdout


def test_verify_unknown_code_and_missing_file(issued):
    ws, _ = issued
    assert run("-w", str(ws), "verify", "ZZZZ-ZZZZ").exit_code == 6
    missing = run("-w", str(ws), "verify", "nowhere.pdf")
    assert missing.exit_code == 1
    assert missing.stderr == (
        "nowhere.pdf: no such file, and not a certificate code such as K7QM-4XTD\n"
    )


def test_running_again_issues_only_to_the_newly_qualified(tmp_path):
    ws = taster(tmp_path)
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    before = {p: p.read_bytes() for p in files(ws)}
    again = run("-w", str(ws), "certificates", "taster")
    assert again.exit_code == 0
    assert again.stdout.startswith("No certificates issued: no one has newly qualified.\n")
    assert "Already issued:\n  p01  " in again.stdout
    assert run("-w", str(ws), "attend", "taster", "1", "--present", "Sam").exit_code == 0
    third = run("-w", str(ws), "certificates", "taster")
    assert third.stdout.splitlines()[1].startswith("  p04  ")
    assert "Issued 1 certificate in" in third.stdout
    assert {p: p.read_bytes() for p in files(ws) if p in before} == before
    assert [row[1] for row in register_rows(ws)] == ["p01", "p02", "p03", "p04"]


def test_dry_run_says_who_and_why_and_writes_nothing(tmp_path):
    ws = taster(tmp_path)
    result = run("-w", str(ws), "certificates", "taster", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == (
        "Would issue 3:\n  p01  Siân Hughes\n  p02  Tomasz Wiśniewski\n"
        "  p03  Γιώργος Παπαδόπουλος\nNot qualified:\n  p04  0 of 1 sessions attended; 1 needed\n"
    )
    assert not (ws / "cohorts" / "taster" / "certificates.csv").exists()
    assert not (ws / "out").exists()


def test_a_dry_run_answers_scripts_in_json(tmp_path):
    ws = taster(tmp_path)
    result = run("-w", str(ws), "certificates", "taster", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "cohort": "taster",
        "would_issue": [
            {"participant": "p01", "name_on_certificate": "Siân Hughes", "replaces": None},
            {"participant": "p02", "name_on_certificate": "Tomasz Wiśniewski", "replaces": None},
            {"participant": "p03", "name_on_certificate": "Γιώργος Παπαδόπουλος",
             "replaces": None},
        ],
        "already_issued": [],
        "no_font_for_name": [],
        "not_qualified": [{"participant": "p04", "reasons": ["0 of 1 sessions attended; 1 needed"]}],
    }  # fmt: skip
    assert not (ws / "cohorts" / "taster" / "certificates.csv").exists()
    # Once issued, the same question lists them by code.
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    again = json.loads(run("-w", str(ws), "certificates", "taster", "--dry-run", "-f", "json").stdout)
    assert [h["code"] for h in again["already_issued"]] == [r[0] for r in register_rows(ws)]
    assert again["would_issue"] == []
    # Issuing itself prints what it made; --format is for the dry run's answer.
    issuing = run("-w", str(ws), "certificates", "taster", "--format", "json")
    assert (issuing.exit_code, issuing.stderr) == (
        1, "--format goes with --dry-run: 'certificates COHORT --dry-run --format json'\n"
    )  # fmt: skip


def test_reissue_supersedes_and_keeps_the_old_entry(tmp_path):
    ws = taster(tmp_path)
    run("-w", str(ws), "certificates", "taster")
    old_file = files(ws)[0]
    old_code = register_rows(ws)[0][0]
    refused = run("-w", str(ws), "certificates", "taster", "--reissue")
    assert refused.exit_code == 1
    assert refused.stderr == "--reissue needs --participant: name whose certificate to replace\n"
    result = run("-w", str(ws), "certificates", "taster", "--reissue", "-p", "Siân")
    assert result.exit_code == 0, result.output
    rows = register_rows(ws)
    new_code = rows[-1][0]
    assert rows[-2][0] == old_code and rows[-2][7:] == [
        "superseded",
        rows[-2][8],
        f"replaced by {new_code}",
    ]
    assert rows[-1][1] == "p01" and rows[-1][7] == "issued"
    old = run("-w", str(ws), "verify", str(old_file))
    assert old.exit_code == EXIT_CODES["superseded"] == 5
    assert old.stdout.startswith(f"superseded: certificate {old_code}")
    assert f"replaced by {new_code}" in old.stdout


def test_revoke_then_verify_says_revoked(tmp_path):
    ws = taster(tmp_path)
    run("-w", str(ws), "certificates", "taster")
    path, code = files(ws)[1], register_rows(ws)[1][0]
    before = (ws / "cohorts" / "taster" / "certificates.csv").read_bytes()
    assert run("-w", str(ws), "certificates", "revoke", code).stderr == (
        "give the reason for revoking it with --reason\n"
    )
    result = run("-w", str(ws), "certificates", "revoke", code, "--reason", "Issued in error")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Revoked certificate {code} (p02): Issued in error\n",
    )
    after = (ws / "cohorts" / "taster" / "certificates.csv").read_bytes()
    assert after.startswith(before)  # append-only
    verdict = run("-w", str(ws), "verify", str(path))
    assert verdict.exit_code == EXIT_CODES["revoked"] == 4
    assert verdict.stdout.endswith("revoked " + register_rows(ws)[-1][8] + ": Issued in error\n")
    answer = json.loads(run("-w", str(ws), "verify", code, "--format", "json").stdout)
    assert (answer["verdict"], answer["code"], answer["reason"]) == ("revoked", code,
                                                                     "Issued in error")  # fmt: skip
    assert answer["changed"] == register_rows(ws)[-1][8]
    again = run("-w", str(ws), "certificates", "revoke", code, "--reason", "again")
    assert again.exit_code == 1 and "was already revoked on" in again.stderr
    nobody = run("-w", str(ws), "certificates", "revoke", "ABCD-EFGH", "--reason", "x")
    assert nobody.stderr == "no register in this workspace holds certificate ABCD-EFGH\n"
    # Revoked people are not silently given a new one.
    listed = run("-w", str(ws), "certificates", "taster", "--dry-run").stdout
    assert f"p02  certificate {code} was revoked on" in listed


def test_a_register_broken_by_hand_is_refused_by_line(tmp_path):
    ws = taster(tmp_path)
    run("-w", str(ws), "certificates", "taster")
    path = ws / "cohorts" / "taster" / "certificates.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace(",issued,", ",lost,")
    path.write_text("".join(lines))
    result = run("-w", str(ws), "certificates", "taster")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:3: the status must be one of issued, superseded, revoked\n"
    assert run("-w", str(ws), "verify", "ABCD-EFGH").exit_code == 1


def test_a_name_no_font_can_draw_gets_no_certificate_but_a_warning(tmp_path):
    # Plane 15 private use: no font draws these (Linear B, used here before, has fonts).
    ws = taster(tmp_path, people=("Siân Hughes", "\U000f0000\U000f0001"))
    result = run("-w", str(ws), "certificates", "taster")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: p02: no installed font can draw the name on their certificate, so none was"
        " issued: install a font for it (see the README) and run certificates again\n"
    )
    assert [row[1] for row in register_rows(ws)] == ["p01"]


@pytest.mark.slow
def test_a_large_batch_is_made_in_chunks_by_worker_processes(tmp_path, monkeypatch):
    people = tuple(f"Person {n} Ñandú" for n in range(1, 8))
    ws = taster(tmp_path, people=people)
    monkeypatch.setattr(ipskit.certificates.batch_pdf, "CHUNK", 3)
    monkeypatch.setattr(ipskit.certificates.batch_pdf, "PARALLEL_FROM", 2)
    result = run("-w", str(ws), "certificates", "taster")
    assert result.exit_code == 0, result.output
    paths = files(ws)
    assert len(paths) == 7
    for path, name in zip(paths, people, strict=True):
        assert name in text_of(path)
    combined = next((ws / "out" / "taster" / "certificates").glob("certificates-*.pdf"))
    pages = PdfReader(combined).pages
    assert [name in page.extract_text() for page, name in zip(pages, people, strict=True)] == [
        True
    ] * 7
    assert "/OutputIntents" in PdfReader(combined).trailer["/Root"]


@pytest.mark.slow
def test_two_runs_at_once_issue_each_certificate_once(tmp_path):
    ws = taster(tmp_path)
    command = [sys.executable, "-m", "ipskit", "-w", str(ws), "certificates", "taster"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in runs]
    assert [process.returncode for process in runs] == [0, 0], outputs
    rows = register_rows(ws)
    assert sorted(row[1] for row in rows) == ["p01", "p02", "p03"]
    assert len({row[0] for row in rows}) == 3
    said = sorted(out.decode().splitlines()[0] for out, _ in outputs)
    assert said == ["Issued 3 certificates in " + str(ws / "out" / "taster" / "certificates") + ":",
                    "No certificates issued: no one has newly qualified."]  # fmt: skip


def test_forgetting_someone_blanks_their_name_and_deletes_documents_that_print_it(tmp_path):
    ws = taster(tmp_path)
    run("-w", str(ws), "certificates", "taster")
    assert run("-w", str(ws), "register", "taster").exit_code == 0
    path, code = files(ws)[0], register_rows(ws)[0][0]
    kept = path.read_bytes()
    others = files(ws)[1:]
    result = run("-w", str(ws), "forget", "taster", "p01", "--yes")
    assert result.exit_code == 0, result.output
    print_file = next(p for p in result.stdout.splitlines() if "certificates-" in p).strip()
    assert result.stdout == (
        "Erased the personal data of p01 from cohort taster.\n"
        "Deleted 3 documents that printed their name:\n"
        f"  certificates/{path.name}\n"
        "  registers.pdf\n"
        f"  {print_file}\n"
        "Make new sign-in sheets with: ipskit register taster\n"
        "Copies kept elsewhere (printed, emailed, in other folders) are yours to remove.\n"
    )
    assert not path.exists() and all(p.exists() for p in others)
    assert not (ws / "out" / "taster" / "registers.pdf").exists()
    path.write_bytes(kept)  # the copy the person keeps
    register = (ws / "cohorts" / "taster" / "certificates.csv").read_bytes()
    assert "Siân".encode() not in register and b"Hughes" not in register
    assert register_rows(ws)[0][:3] == [code, "p01", "[erased]"]
    assert run("-w", str(ws), "verify", str(path)).exit_code == 0  # it still verifies


@pytest.mark.slow
def test_people_beyond_one_sheet_each_get_their_own_box(tmp_path):
    people = tuple(f"Person {n} Ñandú" for n in range(1, 31))  # 24 to a sheet: two sheets
    ws = taster(tmp_path, people=people)
    assert run("-w", str(ws), "certificates", "taster").exit_code == 0
    rows = register_rows(ws)
    for path, name, row in zip(files(ws), people, rows, strict=True):
        text = text_of(path)
        assert name in text and f"Certificate {row[0]}" in text, path.name
        assert [n for n in people if f"{n}\n" in text + "\n"] == [name]
    for index in (0, 23, 24, 29):  # the first and last of each sheet
        assert qr_of(files(ws)[index]) == [f"{URL}#{rows[index][0]}"]


def test_out_puts_the_files_where_asked_and_names_only_when_asked(tmp_path):
    ws = taster(tmp_path, people=("Siân Hughes",))
    out = tmp_path / "for printing"
    result = run("-w", str(ws), "certificates", "taster", "--out", str(out), "--named-files")
    assert result.exit_code == 0, result.output
    (path,) = sorted(out.glob("certificate-*.pdf"))
    code = register_rows(ws)[0][0]
    assert path.name == f"certificate-p01-Siân-Hughes-{code}.pdf"
    assert len(list(out.glob("certificates-*.pdf"))) == 1


def test_codes_are_read_as_people_type_them():
    from ipskit.cohorts.certificate_register import normal_code

    assert normal_code(" k7qm4xtd ") == "K7QM-4XTD"
    # As the verification page reads them: spaces anywhere, a dash a word processor made.
    assert normal_code("k7qm 4xtd") == normal_code(" K7 QM\t4X TD ") == "K7QM-4XTD"
    assert normal_code("K7QM\u20134XTD") == normal_code("K7QM\u22124XTD") == "K7QM-4XTD"
    assert normal_code("K7QM--4XTD") is None and normal_code("K7QM_4XTD") is None
    assert normal_code("K7QM-4XTD") == "K7QM-4XTD"
    assert normal_code("OILZ-0112") == "011Z-0112"  # O is 0, I and L are 1
    assert normal_code("K7QM-4XTU") is None  # U is in no code
    assert normal_code("K7QM4XT") is None
