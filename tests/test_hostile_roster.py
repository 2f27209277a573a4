"""A roster of 300 awkward names survives import, attendance and export unchanged."""

from __future__ import annotations

import csv
import io
import json

from helpers import MINI, as_excel_reads, make_cohort, make_workspace, run

SPECIAL = [
    "<b>x</b>", "=1+1", "@SUM(A1)", "O'Brien", "Siân", "Zoë", "Łukasz", "محمد", "李小龍",
    "+44 7700 900123", "-minus", "<img src=file:///etc/passwd>", "{{ 7*7 }}", "Ren'ée, Jr.",
    "N" + "a" * 118 + "h",  # 120 characters
]  # fmt: skip


def test_three_hundred_awkward_names(tmp_path):
    ws = make_workspace(tmp_path)
    names = SPECIAL + [f"Participant {n} Ñandú" for n in range(1, 301 - len(SPECIAL))]
    assert len(names) == 300 and len(names[14]) == 120
    lines = ["Full name"]
    for index, name in enumerate(names):
        lines.append('"' + name.replace('"', '""') + '"')
        if index % 50 == 0:
            lines.append("")  # blank lines are passed over
    (tmp_path / "people.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    # The built-in courses take 14 to 30 people; a workspace course with no limit takes 300.
    (ws / "curricula" / "mini.yaml").write_text(MINI, encoding="utf-8")
    make_cohort(ws, "spring", "mini", people=())
    result = run("-w", str(ws), "roster", "spring", "import", str(tmp_path / "people.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added 300 participants:\n  p01 <b>x</b>\n  p02 =1+1\n")
    listed = json.loads(run("-w", str(ws), "roster", "spring", "list", "--json").stdout)
    assert [p["name"] for p in listed] == names

    ids = [p["id"] for p in listed]
    assert run("-w", str(ws), "attend", "spring", "1", "--all-present",
               "--absent", ",".join(ids[:15])).exit_code == 0  # fmt: skip
    for name in names[:15]:
        if name not in ("Siân", "Zoë", "Łukasz", "محمد", "李小龍"):
            continue
        assert run("-w", str(ws), "attend", "spring", "2", "--present", name).exit_code == 0

    exported = run("-w", str(ws), "roster", "spring", "list", "--format", "csv").stdout
    raw = list(csv.reader(io.StringIO(as_excel_reads(exported))))
    cells = {row[0]: row[1] for row in raw[1:]}
    assert (
        cells["p02"] == "'=1+1"
        and cells["p03"] == "'@SUM(A1)"
        and cells["p10"] == "'+44 7700 900123"
    )
    assert cells["p01"] == "<b>x</b>"
    (tmp_path / "again.csv").write_text(exported)
    make_cohort(ws, "autumn", "mini", people=())
    assert (
        run("-w", str(ws), "roster", "autumn", "import", str(tmp_path / "again.csv")).exit_code == 0
    )
    again = json.loads(run("-w", str(ws), "roster", "autumn", "list", "--json").stdout)
    assert [p["name"] for p in again] == names

    grid = run("-w", str(ws), "attendance", "spring", "--format", "csv").stdout
    grid_rows = list(csv.reader(io.StringIO(as_excel_reads(grid))))
    assert len(grid_rows) == 301
    from ipskit.core.csvio import restore

    assert [restore(row[1]) for row in grid_rows[1:]] == names
    assert [row[2] for row in grid_rows[1:16]] == ["absent"] * 15
    data = json.loads(run("-w", str(ws), "attendance", "spring", "--json").stdout)
    assert data["participants"][5]["name"] == "Zoë"
    assert data["participants"][5]["marks"]["2"] == "present"
