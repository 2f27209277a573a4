"""The certificate's words: an IPS course only where the workspace says it is accredited."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import MINI, make_cohort, make_workspace, run

PLAIN = "has completed a course based on the Intentional Peer Support approach"
ACCREDITED = "has completed the Intentional Peer Support course"


def certificate_text(tmp_path: Path, *, accredited: bool | None, wording: bool) -> str:
    """The text of the one certificate a small course issues under these settings."""
    ws = make_workspace(tmp_path)
    curriculum = MINI.replace("statement: took part in a small course", f"statement: {PLAIN}")
    if wording:
        curriculum += f"  accredited_statement: {ACCREDITED}\n"
    (ws / "curricula" / "mini.yaml").write_text(curriculum, encoding="utf-8")
    if accredited is not None:
        with (ws / "ipskit.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"accredited: {'true' if accredited else 'false'}\n")
    make_cohort(ws, "mini", "mini", date.today() - timedelta(days=30), ("Siân Hughes",))
    assert run("-w", str(ws), "attend", "mini", "1", "--all-present").exit_code == 0
    result = run("-w", str(ws), "certificates", "mini")
    assert result.exit_code == 0, result.output
    (path,) = (ws / "out" / "mini" / "certificates").glob("certificate-p01-*.pdf")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


@pytest.mark.parametrize(
    ("accredited", "wording", "expected"),
    [
        (None, True, PLAIN),  # the default: not accredited
        (False, True, PLAIN),
        (True, True, ACCREDITED),
        (True, False, PLAIN),  # accredited, but the curriculum has no such wording
    ],
)
def test_the_statement_follows_the_accredited_setting(tmp_path, accredited, wording, expected):
    text = certificate_text(tmp_path, accredited=accredited, wording=wording)
    assert expected in text
    assert "Siân Hughes" in text
    other = ACCREDITED if expected == PLAIN else PLAIN
    assert other not in text
