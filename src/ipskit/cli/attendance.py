"""``ipskit attend``, ``ipskit attendance`` and ``ipskit assessment``."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.common import load_cohort, parse_day, split_people
from ipskit.cli.output import JsonOption, TableFormat, TableFormatOption, plural, print_json
from ipskit.cli.table import clip, day, table

if TYPE_CHECKING:
    from ipskit.cohort import Cohort
    from ipskit.eligibility import Standing
    from ipskit.marking import ReportMarks
    from ipskit.records import Records

#: Grid symbols, ASCII so that every terminal and printer shows them.
SYMBOLS = {"present": "P", "late": "L", "absent": "A", "excused": "E"}
LEGEND = "P present · L late · A absent · E apologies · + made up · . not marked"

Who = Annotated[
    list[str] | None,
    typer.Option(
        help="An id or part of a name; repeat, or separate with commas.", show_default=False
    ),
]


def _minutes(value: float | None) -> float | None:
    # Click's range check lets "nan" through (no comparison with nan is true), and a
    # threshold of nan would count everyone as present.
    import math

    if value is not None and not (math.isfinite(value) and 0 <= value <= 24 * 60):
        raise typer.BadParameter(f"{value:g} is not a number of minutes from 0 to 1440")
    return value


def attend(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT")],
    session: Annotated[str, typer.Argument(metavar="SESSION", help="A number or an id.")],
    present: Who = None,
    late: Who = None,
    absent: Who = None,
    excused: Annotated[
        list[str] | None,
        typer.Option(help="Sent apologies; can be recorded ahead.", show_default=False),
    ] = None,
    made_up: Annotated[
        list[str] | None,
        typer.Option("--made-up", help="Missed it, and made it up since.", show_default=False),
    ] = None,
    all_present: Annotated[
        bool, typer.Option("--all-present", help="Everyone not named otherwise was present.")
    ] = False,
    note: Annotated[str, typer.Option(help="A short note kept with these marks.")] = "",
    report: Annotated[
        Path | None,
        typer.Option("--import", help="A Zoom or Teams attendance report (CSV).", dir_okay=False),
    ] = None,
    min_minutes: Annotated[
        float | None,
        typer.Option(
            "--min-minutes",
            help="With --import: minutes needed to count as present (0 to 1440).",
            callback=_minutes,
        ),
    ] = None,
) -> None:
    """Mark attendance, by hand or from Zoom/Teams.

    Name people with --present, --late, --absent, --excused (apologies) or --made-up,
    or use --all-present with exceptions. --import reads a Zoom or Teams attendance
    report and marks present those who stayed at least --min-minutes.
    """
    from ipskit.marking import attend as mark

    cohort = load_cohort(ctx, cohort_id)
    if report is not None:
        _report(cohort, session, report, min_minutes)
        return
    done = mark(
        cohort,
        session,
        present=split_people(present),
        late=split_people(late),
        absent=split_people(absent),
        excused=split_people(excused),
        made_up=split_people(made_up),
        all_present=all_present,
        note=note,
    )
    m, c = done.meeting, done.counts
    typer.echo(
        f"Session {m.number} ({m.id}, {day(m.date)}): {c['present']} present, {c['late']} late,"
        f" {c['absent']} absent, {c['excused']} apologies"
        + (f", {c['made_up']} made up" if c["made_up"] else "")
        + (f"; {c['unmarked']} not marked" if c["unmarked"] else "")
    )
    typer.echo(f"{plural(done.changed, 'change')} recorded.")


def _report(cohort: "Cohort", session: str, report: Path, min_minutes: float | None) -> None:
    from ipskit.marking import attend_from_report

    result: ReportMarks = attend_from_report(cohort, session, report, min_minutes=min_minutes)
    m = result.meeting
    typer.echo(
        f"Session {m.number} ({m.id}, {day(m.date)}): present means at least"
        f" {result.threshold:g} minutes (--min-minutes to change)"
    )
    typer.echo(f"Marked present: {len(result.marked)}")
    for pid, minutes, sure in result.marked:
        typer.echo(f"  {pid}  {minutes:g} min" + (f"  (name match {sure:.0%})" if sure < 1 else ""))
    if result.already:
        typer.echo("Already marked, left as they were: " + ", ".join(p for p, _ in result.already))
    if result.below:
        typer.echo("Under the threshold, not marked:")
        for pid, minutes in result.below:
            typer.echo(f"  {pid}  {minutes:g} min")
    if result.unmatched:
        typer.echo("Not matched to anyone on the roster (mark them by hand if they are):")
        for name, minutes, line in result.unmatched:
            typer.echo(f"  line {line}: {name}  {minutes:g} min")


def attendance(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT")],
    fmt: TableFormatOption = TableFormat.table,
    as_json: JsonOption = False,
) -> None:
    """Show the attendance grid and progress.

    Each person's marks, sessions attended, percentage, and where they stand against
    the completion rules: complete, on track, at risk or cannot complete.
    """
    from ipskit.eligibility import eligibility
    from ipskit.records import Records

    cohort = load_cohort(ctx, cohort_id)
    records = Records.load(cohort)
    standings = eligibility(cohort, records)
    if as_json or fmt is TableFormat.json:
        print_json(_grid_json(cohort, records, standings))
    elif fmt is TableFormat.csv:
        from ipskit import csvio

        header, rows = _grid_rows(cohort, records, standings, words=True)
        typer.echo(csvio.to_text(header, rows), nl=False)
    else:
        header, rows = _grid_rows(cohort, records, standings, words=False)
        sessions = len(cohort.settings.sessions)
        typer.echo(table(header, rows, right=list(range(2, 2 + sessions + 2))))
        typer.echo(LEGEND)


def _cell(records: "Records", cohort: "Cohort", number: int, pid: str, words: bool) -> str:
    mark = records.marks.get((number, pid))
    if mark is None:
        return "" if words else "."
    if words:
        return mark.status + (" (made up)" if mark.made_up else "")
    return SYMBOLS[mark.status] + ("+" if mark.made_up else "")


def _grid_rows(
    cohort: "Cohort", records: "Records", standings: list["Standing"], *, words: bool
) -> tuple[list[str], list[list[str]]]:
    sessions = cohort.settings.sessions
    people = {p.id: p for p in records.roster}
    header = ["ID", "Name", *(str(s.number) for s in sessions), "Attended", "%", "State"]
    rows = []
    for standing in standings:
        person = people[standing.participant]
        percent = f"{standing.percent:g}" if standing.percent is not None else ""
        rows.append(
            [
                person.id,
                person.name if words else clip(person.name, 22),
                *(_cell(records, cohort, s.number, person.id, words) for s in sessions),
                f"{standing.attended}/{standing.counted}",
                percent,
                standing.state,
            ]
        )
    return header, rows


def _grid_json(cohort: "Cohort", records: "Records", standings: list["Standing"]) -> dict[str, Any]:
    from ipskit.cli.cohorts import _meeting_json

    people = {p.id: p for p in records.roster}
    return {
        "cohort": cohort.id,
        "sessions": [_meeting_json(s) for s in cohort.settings.sessions],
        "participants": [
            {
                "id": s.participant,
                "name": people[s.participant].name,
                "marks": {
                    str(m.number): _cell(records, cohort, m.number, s.participant, True) or None
                    for m in cohort.settings.sessions
                },
                "attended": s.attended,
                "counted": s.counted,
                "percent": s.percent,
                "state": s.state,
                "reasons": list(s.reasons),
            }
            for s in standings
        ],
    }


def assessment(
    ctx: typer.Context,
    cohort_id: Annotated[str, typer.Argument(metavar="COHORT")],
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    passed: Annotated[bool, typer.Option("--passed", help="The assessment was passed.")] = False,
    not_yet: Annotated[bool, typer.Option("--not-yet", help="Not passed yet.")] = False,
    on: Annotated[str | None, typer.Option("--date", help="Default: today.")] = None,
    note: Annotated[str, typer.Option(help="A short note.")] = "",
) -> None:
    """Record a final assessment result.

    For courses that require one, such as the ten-week course's Four Tasks presentation.
    """
    from ipskit.marking import assess

    if passed == not_yet:
        raise typer.BadParameter("give either --passed or --not-yet", param_hint="--passed")
    cohort = load_cohort(ctx, cohort_id)
    person = assess(
        cohort, who, passed=passed, when=parse_day(on, "--date") if on else None, note=note
    )
    result = "passed" if passed else "not yet passed"
    typer.echo(f"{person.id}: {cohort.settings.rules.assessment} {result}")
