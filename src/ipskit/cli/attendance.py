"""``ipskit attend``, ``ipskit attendance`` and ``ipskit assessment``."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipskit.cli.common import load_cohort, locale_of, parse_day, split_people
from ipskit.cli.options import (
    CohortArgument,
    ExportFormat,
    ExportFormatOption,
    ExportOutOption,
    JsonOption,
)
from ipskit.cli.output import json_text, plural, print_json
from ipskit.cli.table import clip, day, table

if TYPE_CHECKING:
    from datetime import date

    from ipskit.cohorts.cohort import Cohort
    from ipskit.cohorts.eligibility import Standing
    from ipskit.cohorts.online_marking import Decision, ReportMarks
    from ipskit.cohorts.record_types import Assessment, Mark, Participant
    from ipskit.cohorts.records import Records
    from ipskit.core.cells import Cell

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
    cohort_id: CohortArgument,
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
        bool,
        typer.Option(
            "--all-present",
            help="Everyone not named and not yet marked was present (marks already"
            " recorded, such as apologies, are kept).",
        ),
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
            help="With --import: minutes needed to count as there; under it is absent"
            " (0 to 1440; default: three quarters of the session's contact time).",
            callback=_minutes,
        ),
    ] = None,
    late_after: Annotated[
        float | None,
        typer.Option(
            "--late-after",
            help="With --import: joining more than this many minutes after the start is"
            " late (0 to 1440; default: 15).",
            callback=_minutes,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was done as JSON, for scripts.")
    ] = False,
) -> None:
    """Mark attendance, by hand or from Zoom/Teams.

    Name people with --present, --late, --absent, --excused (apologies) or --made-up,
    or use --all-present with exceptions: it fills only people with no mark yet, and a
    recorded mark changes only when you name the person. --import reads a Zoom or Teams
    attendance report: at least --min-minutes is present (or late, for joining more than
    --late-after minutes after the start), less is absent; the host and the cohort's
    trainers are recognised, and each name that matches no one comes with the command
    that would mark it.
    """
    from ipskit.cohorts.marking import attend as mark

    cohort = load_cohort(ctx, cohort_id)
    if report is not None:
        if present or late or absent or excused or made_up or all_present:
            raise typer.BadParameter(
                "mark people by hand or from a report, not both in one command",
                param_hint="--import",
            )
        _report(cohort, session, report, min_minutes, late_after, as_json)
        return
    for value, option in ((min_minutes, "--min-minutes"), (late_after, "--late-after")):
        if value is not None:
            raise typer.BadParameter(
                "only with --import (a Zoom or Teams report)", param_hint=option
            )
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
    locale = locale_of(cohort)
    if as_json:
        print_json(
            {
                "cohort": cohort.id,
                "session": m.number,
                "counts": c,
                "changes": done.changed,
                "people": [
                    {
                        "id": o.person.id,
                        "name": o.person.name,
                        "before": _mark_json(o.before),
                        "after": _mark_json(o.after),
                        "outcome": o.kind,
                        "recorded": o.recorded.isoformat() if o.recorded else None,
                        **({"others": [_mark_json(m) for m in o.others]} if o.others else {}),
                    }
                    for o in done.outcomes
                ],
            }
        )
        return
    kept = []
    for outcome in done.outcomes:
        who = _who(outcome.person)
        if outcome.kind == "kept":
            kept.append(outcome)
            typer.echo(
                f"{who}: {_said(outcome.before)}{_recorded(outcome.recorded, locale)}, kept"
            )
        elif outcome.kind == "changed":
            typer.echo(f"{who}: {_said(outcome.before)} → {_said(outcome.after)}")
        elif outcome.kind == "settled":
            from ipskit.cohorts.records import settled_words

            ways = [_said(outcome.before), *map(_said, outcome.others)]
            typer.echo(f"{who}: {settled_words(ways, _said(outcome.after))}")
        elif outcome.kind == "same":
            noted = outcome.before and outcome.after and outcome.before.note != outcome.after.note
            typer.echo(f"{who}: already {_said(outcome.after)}" + (", note kept" if noted else ""))
        else:
            typer.echo(f"{who}: {_said(outcome.after)}")
    if kept:
        typer.echo(
            "To change a kept mark, name the person:"
            f" ipskit attend {cohort.id} {m.number} --present {kept[0].person.id}"
        )
    typer.echo(
        f"Session {m.number} ({m.id}, {day(m.date, locale)}): {c['present']} present,"
        f" {c['late']} late,"
        f" {c['absent']} absent, {c['excused']} apologies"
        + (f", {c['made_up']} made up" if c["made_up"] else "")
        + (f"; {c['unmarked']} not marked" if c["unmarked"] else "")
    )
    typer.echo(f"{plural(done.changed, 'change')} recorded.")


#: How marks are said to people: "excused" is what a coordinator calls apologies.
WORDS = {"present": "present", "late": "late", "absent": "absent", "excused": "apologies"}


def _said(mark: "Mark | None") -> str:
    if mark is None:
        return "not marked"
    return WORDS[mark.status] + (" (made up)" if mark.made_up else "")


def _mark_json(mark: "Mark | None") -> dict[str, Any] | None:
    if mark is None:
        return None
    return {"status": mark.status, "made_up": mark.made_up, "note": mark.note}


def _who(person: "Participant") -> str:
    from ipskit.core.names import isolate

    return f"{person.id} {isolate(person.name)}"


def _recorded(when: "date | None", locale: str) -> str:
    if when is None:
        return ""
    from datetime import date

    from ipskit.core.dateformat import day_and_month

    return f" recorded {day_and_month(when, locale, year=when.year != date.today().year)}"


def _report(
    cohort: "Cohort",
    session: str,
    report: Path,
    min_minutes: float | None,
    late_after: float | None,
    as_json: bool,
) -> None:
    from ipskit.cohorts.online_marking import attend_from_report

    result = attend_from_report(
        cohort, session, report, min_minutes=min_minutes, late_after=late_after
    )
    if as_json:
        print_json(_report_json(cohort, result))
        return
    from ipskit.core.dateformat import clock
    from ipskit.core.names import isolate

    m = result.meeting
    locale = locale_of(cohort)
    typer.echo(
        f"Session {m.number} ({m.id}, {day(m.date, locale)}): present means at least"
        f" {result.threshold:g} minutes (--min-minutes to change)"
    )
    if result.joins_known:
        typer.echo(
            f"Late means joining more than {result.late_after:g} minutes after the start,"
            f" {clock(m.start, locale)} (--late-after to change)"
        )
    else:
        typer.echo("The report has no join times: no one is marked late from it")
    for d in result.decisions:
        if d.person is None:
            if d.outcome == "unmatched":
                continue
            typer.echo(f"{d.outcome}: {isolate(d.names[0])}, {d.minutes:g} min")
            continue
        said = f"{_who(d.person)} ← {_names(d.names)}: {d.minutes:g} min, {_stay(d, locale)}"
        sure = f"(match {d.confidence:.2f})"
        if d.outcome == "marked":
            typer.echo(f"{said} {sure}")
        elif d.outcome == "same":
            typer.echo(f"{said} {sure}, already recorded")
        else:
            typer.echo(
                f"{said} {sure}; {_said(d.before)}{_recorded(d.recorded, locale)}, kept"
                " (to change it:"
                f" {_command(cohort, m.number, d.status, d.person.id)})"
            )
    unmatched = result.of("unmatched")
    if unmatched:
        typer.echo("Not matched to anyone on the roster; if they are, mark them with:")
    for d in unmatched:
        if d.candidate is not None:
            maybe = f" (perhaps {_who(d.candidate)}, match {d.confidence:.2f})"
            target = d.candidate.id
        else:
            maybe, target = "", '"NAME"'
        typer.echo(
            f"  line {d.line} {_names(d.names)}: {d.minutes:g} min, {_stay(d, locale)}{maybe}:"
            f" {_command(cohort, m.number, d.status, target)}"
        )
    for person in result.missing:
        typer.echo(f"{_who(person)}: not in the report, not marked")
    marked = [d for d in result.decisions if d.outcome == "marked"]
    counts = {s: sum(d.status == s for d in marked) for s in ("present", "late", "absent")}
    typer.echo(
        f"Marked {counts['present']} present, {counts['late']} late, {counts['absent']} absent"
        + (f"; {len(result.of('kept'))} kept as recorded" if result.of("kept") else "")
        + (f"; {len(unmatched)} not matched" if unmatched else "")
    )


def _names(names: "tuple[str, ...]") -> str:
    from ipskit.core.names import isolate

    return " + ".join(f'"{isolate(name)}"' for name in names)


def _stay(d: "Decision", locale: str) -> str:
    if d.status == "absent":
        return "absent, under the threshold"
    if d.status == "late" and d.joined is not None:
        from ipskit.core.dateformat import clock

        return f"late, joined {clock(d.joined, locale)}, {d.late_by:g} min after the start"
    return d.status


def _command(cohort: "Cohort", number: int, status: str, target: str) -> str:
    return f"ipskit attend {cohort.id} {number} --{status} {target}"


def _report_json(cohort: "Cohort", result: "ReportMarks") -> dict[str, Any]:
    m = result.meeting
    return {
        "cohort": cohort.id,
        "session": m.number,
        "threshold_minutes": result.threshold,
        "late_after_minutes": result.late_after if result.joins_known else None,
        "decisions": [
            {
                "line": d.line,
                "names": list(d.names),
                "minutes": d.minutes,
                "joined": f"{d.joined:%H:%M:%S}" if d.joined else None,
                "id": d.person.id if d.person else None,
                "name": d.person.name if d.person else None,
                "match": d.confidence,
                "status": d.status or None,
                "outcome": d.outcome,
                "late_by_minutes": d.late_by,
                "recorded_mark": _mark_json(d.before),
                "candidate": d.candidate.id if d.candidate else None,
            }
            for d in result.decisions
        ],
        "not_in_report": [p.id for p in result.missing],
    }


def attendance(
    ctx: typer.Context,
    cohort_id: CohortArgument,
    fmt: ExportFormatOption = ExportFormat.table,
    as_json: JsonOption = False,
    out: ExportOutOption = None,
) -> None:
    """Show the attendance grid and progress.

    Each person's marks, sessions attended, percentage, and where they stand against
    the completion rules: complete, on track, at risk or cannot complete.

    csv and xlsx are for spreadsheets: a column for each session (headed with its date),
    then sessions attended, sessions counted so far, the percentage and the state.
    """
    from ipskit.cli.exports import deliver, export, need_out
    from ipskit.cohorts.eligibility import eligibility
    from ipskit.cohorts.records import Records

    if as_json:
        fmt = ExportFormat.json
    need_out(fmt, out, f"attendance-{cohort_id}.xlsx")
    cohort = load_cohort(ctx, cohort_id)
    records = Records.load(cohort)
    standings = eligibility(cohort, records)
    what = f"the attendance of {cohort.id}"
    if fmt is ExportFormat.json:
        if out is None:
            print_json(_grid_json(cohort, records, standings))
        else:
            deliver(json_text(_grid_json(cohort, records, standings)), out, what)
    elif fmt in (ExportFormat.csv, ExportFormat.xlsx):
        header, cells = _export_rows(cohort, records, standings)
        export(fmt, header, cells, out=out, what=what, title="Attendance")
    else:
        header, rows = _grid_rows(cohort, records, standings)
        sessions = len(cohort.settings.sessions)
        text = table(header, rows, right=list(range(2, 2 + sessions + 2)))
        deliver(f"{text}\n{LEGEND}\n", out, what)


def _cell(records: "Records", cohort: "Cohort", number: int, pid: str, words: bool) -> str:
    mark = records.marks.get((number, pid))
    if mark is None:
        return "" if words else "."
    if words:
        return mark.status + (" (made up)" if mark.made_up else "")
    return SYMBOLS[mark.status] + ("+" if mark.made_up else "")


def _grid_rows(
    cohort: "Cohort", records: "Records", standings: list["Standing"]
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
                clip(person.name, 22),
                *(_cell(records, cohort, s.number, person.id, False) for s in sessions),
                f"{standing.attended}/{standing.counted}",
                percent,
                standing.state,
            ]
        )
    return header, rows


def _export_rows(
    cohort: "Cohort", records: "Records", standings: list["Standing"]
) -> tuple[list[str], list[list["Cell"]]]:
    """The grid for a spreadsheet: marks in words, and every figure a number of its own.

    "8/10" would become the 8th of October in a spreadsheet: sessions attended and
    sessions counted are two columns.
    """
    from ipskit.core.cells import Percent

    sessions = cohort.settings.sessions
    people = {p.id: p for p in records.roster}
    header = ["ID", "Name", *(f"Session {s.number} ({s.date.isoformat()})" for s in sessions),
              "Attended", "Counted", "Attendance %", "State"]  # fmt: skip
    rows: list[list[Cell]] = []
    for standing in standings:
        person = people[standing.participant]
        rows.append(
            [
                person.id,
                person.name,
                *(_cell(records, cohort, s.number, person.id, True) or None for s in sessions),
                standing.attended,
                standing.counted,
                None if standing.percent is None else Percent(standing.percent),
                standing.state,
            ]
        )
    return header, rows


def _grid_json(cohort: "Cohort", records: "Records", standings: list["Standing"]) -> dict[str, Any]:
    from ipskit.cli.output import meeting_json

    people = {p.id: p for p in records.roster}
    return {
        "cohort": cohort.id,
        "sessions": [meeting_json(s) for s in cohort.settings.sessions],
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
    cohort_id: CohortArgument,
    who: Annotated[
        list[str],
        typer.Argument(
            metavar="WHO...", help="Ids or parts of names; several, or separated by commas."
        ),
    ],
    passed: Annotated[bool, typer.Option("--passed", help="The assessment was passed.")] = False,
    not_yet: Annotated[bool, typer.Option("--not-yet", help="Not passed yet.")] = False,
    on: Annotated[
        str | None, typer.Option("--date", help="The day it took place (default: today).")
    ] = None,
    note: Annotated[str, typer.Option(help="A short note.")] = "",
) -> None:
    """Record a final assessment result.

    For courses that require one, such as the ten-week course's Four Tasks presentation.
    Several people may be named at once; the date cannot be later than today.
    """
    from ipskit.cohorts.marking import assess

    if passed == not_yet:
        raise typer.BadParameter("give either --passed or --not-yet", param_hint="--passed")
    cohort = load_cohort(ctx, cohort_id)
    done = assess(
        cohort,
        split_people(who),
        passed=passed,
        when=parse_day(on, "--date") if on else None,
        note=note,
    )
    from ipskit.cohorts.records import settled_words

    words = {"passed": "passed", "not-yet": "not yet passed"}
    result = "passed" if passed else "not yet passed"
    for item in done:
        if item.ways and item.after is not None:
            # Dated where the ways differ only in their dates.
            dated = len({w.result for w in (*item.ways, item.after)}) == 1

            def said(a: "Assessment", dated: bool = dated) -> str:
                return words[a.result] + (f" on {a.date.isoformat()}" if dated else "")

            settled = settled_words([said(w) for w in item.ways], said(item.after))
            typer.echo(f"{_who(item.person)}: {cohort.settings.rules.assessment} {settled}")
            continue
        was = f" (was {words[item.before]})" if item.before else ""
        typer.echo(f"{_who(item.person)}: {cohort.settings.rules.assessment} {result}{was}")
