"""``ipskit report``: the figures a funder asks for, counts only."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import parse_day
from ipskit.cli.options import JsonOption, ReportFormat, ReportFormatOption
from ipskit.cli.output import plural, print_json
from ipskit.cli.table import clip, table

if TYPE_CHECKING:
    from ipskit.cohorts.figures import Line, Report


def report(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="Count courses whose first session is on or after this date.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DATE",
            help="Count courses whose first session is on or before this date.",
        ),
    ] = None,
    fmt: ReportFormatOption = ReportFormat.table,
    as_json: JsonOption = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            dir_okay=False,
            help="The file to write (default: stdout; for pdf, out/report-FROM-TO.pdf;"
            " xlsx needs one).",
        ),
    ] = None,  # fmt: skip
) -> None:
    """Report the figures a funder asks for.

    Counts only, never names: for each curriculum and in total, the courses run (and
    those planned), people who started, completed and withdrew, the completion rate,
    contact hours and participant hours delivered, support-group meetings held,
    certificates issued (valid, revoked, superseded), the follow-up figures at each
    point after the courses, and the end-of-course evaluations (how many gave each
    rating to each statement, and the average; hidden where fewer than 3 answered).

    A course counts in the period when its first session falls in it (--from and --to
    both included; default: all time); everything about that course (its people, hours,
    certificates and follow-ups) is counted with it. A course still to start is counted
    as planned only; so is one with no one marked as attending yet while its sessions
    are still to come. One whose sessions are over with no one ever attending (made by
    mistake, or cancelled) is not counted. Archived cohorts are counted.

    csv, and xlsx (an Excel file, with --out), give one row per curriculum and a 'total'
    row, with the follow-up figures as columns for each point (followup_3m_reached,
    ...). pdf writes a branded one- or two-page report with a chart of the follow-ups.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.cohorts.figures import build_report
    from ipskit.workspace import require_workspace

    first = parse_day(start, "--from") if start is not None else None
    last = parse_day(end, "--to") if end is not None else None
    if first and last and first > last:
        raise typer.BadParameter(
            f"the period ends ({last}) before it starts ({first})", param_hint="--from"
        )
    workspace = require_workspace(workspace_option(ctx))
    found = build_report(workspace, start=first, end=last, today=date.today())
    if as_json:
        fmt = ReportFormat.json
    if fmt is ReportFormat.pdf:
        from ipskit.cli.progress import progress
        from ipskit.cohorts.figures import default_name
        from ipskit.documents.funder_report import make_report

        target = out or workspace.root / "out" / default_name(first, last)
        with progress("Making the report") as step:
            make_report(workspace, found, target, progress=step)
        typer.echo(f"Wrote the report to {target}")
        return
    if fmt is ReportFormat.json:
        import json

        from ipskit.cohorts.figures import report_json

        if out is None:
            print_json(report_json(found))
            return
        text = json.dumps(report_json(found), indent=2, ensure_ascii=False) + "\n"
    elif fmt in (ReportFormat.csv, ReportFormat.xlsx):
        from ipskit.cli.exports import export, need_out
        from ipskit.cohorts.figures import default_name
        from ipskit.cohorts.figures_sheet import report_table

        need_out(fmt, out, default_name(first, last).removesuffix(".pdf") + ".xlsx")
        header, rows = report_table(found)
        averages = {name: "0.00" for name in header if name.endswith("_average")}
        export(fmt, header, rows, out=out, what="the report", title="Report", formats=averages)
        return
    else:
        text = report_text(found) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    from ipskit.core.store import write_output

    write_output(out, text)
    typer.echo(f"Wrote the report to {out}")


def report_text(found: "Report") -> str:
    """The report as plain-text tables."""
    import textwrap

    from ipskit.cohorts.figures import hours, notes, point_figures
    from ipskit.core.numbers import figure

    lines = [
        f"{found.organisation}: {found.heading[0].lower()}{found.heading[1:]}",
        f"{found.period} · counted on {found.counted_on}",
    ]
    rows = [*found.lines, found.total]
    if not found.lines:
        lines += ["", "No course started in this period."]
        if found.not_counted:
            from ipskit.cohorts.figures import not_counted_note

            lines.append(not_counted_note(found.not_counted))
        return "\n".join(lines)

    titles = [x.title for x in found.lines]

    def name(line: "Line") -> str:
        return "Total" if line is found.total else course_name(line.title, line.curriculum, titles)

    courses = [[name(x), figure(x.courses_run), figure(x.courses_planned)] for x in rows]
    lines += ["", "Courses", table(["Course", "Run", "Planned"], courses, right=range(1, 3))]
    people = [
        [name(x), figure(x.booked), figure(x.not_attended), figure(x.started),
         figure(x.completed), figure(x.completion_percent, "%"), figure(x.withdrawn)]
        for x in rows
    ]  # fmt: skip
    lines += ["", "People",
              table(["Course", "Booked", "Did not attend", "Started", "Completed",
                     "Completion", "Withdrew"], people, right=range(1, 7))]  # fmt: skip
    delivered = [
        [name(x), figure(hours(x.contact_minutes)), figure(hours(x.participant_minutes)),
         figure(x.meetings_held)]
        for x in rows
    ]  # fmt: skip
    lines += ["", "Hours delivered",
              table(["Course", "Contact hours", "Participant hours",
                     "Support-group meetings"], delivered, right=range(1, 4))]  # fmt: skip
    certificates = [
        [name(x), figure(x.certified), figure(x.certified_valid), figure(x.certified_revoked),
         figure(x.reissues)]
        for x in rows
    ]  # fmt: skip
    lines += ["", "Certificates",
              table(["Course", "People certified", "Valid now", "Revoked", "Reissued"],
                    certificates, right=range(1, 5))]  # fmt: skip
    lines += ["", "Follow-ups"]
    if found.followups:
        points = []
        for p in map(point_figures, found.followups):
            using = str(p["using_skills"])
            if p["using_skills_percent"] is not None:
                using += f" ({figure(p['using_skills_percent'], '%')})"
            points.append([p["label"], str(p["courses"]), str(p["asked"]), str(p["reached"]),
                           using, str(p["trained_others"]), str(p["people_trained"])])  # fmt: skip
        lines.append(
            table(
                [
                    "When",
                    "Courses",
                    "Asked",
                    "Reached",
                    "Using skills",
                    "Trained others",
                    "People trained",
                ],
                points,
                right=range(1, 7),
            )  # fmt: skip
        )
    else:
        lines.append("No follow-up point has come yet for these courses.")
    if found.evaluations:
        lines += ["", *evaluations_text(found)]
    if found.total.courses_running:
        lines += ["", f"{plural(found.total.courses_running, 'course')} still running:"
                  " completion figures are not final."]  # fmt: skip
    if found.not_counted:
        from ipskit.cohorts.figures import not_counted_note

        lines += ["", not_counted_note(found.not_counted)]
    lines.append("")
    lines += textwrap.wrap(" ".join(notes(found)[:2]), 88)
    return "\n".join(lines)


def course_name(title: str, curriculum: str, titles: list[str]) -> str:
    """A course as the report names it: its title, and its id where two share a title.

    Two curricula share a title where one was adapted from the other and not retitled.
    """
    return clip(title, 48) + (f" ({curriculum})" if titles.count(title) > 1 else "")


def evaluations_text(found: "Report") -> list[str]:
    """The end-of-course evaluations, one table for each curriculum's form."""
    from ipskit.cohorts.ratings import MIN_PEOPLE

    titles = [x.title for x in found.lines]
    lines = ["Evaluations: 1 (not at all) to 5 (very much), counts and averages only"]
    for form in found.evaluations:
        rows = [
            [clip(q.text, 44), str(q.answers),
             *([str(n) for n in q.counts] if q.counts else ["–"] * 5),
             "–" if q.average is None else f"{q.average:.2f}"]
            for q in form.questions
        ]  # fmt: skip
        lines += [f"{course_name(form.title, form.curriculum, titles)}:"
                  f" {plural(form.responses, 'response')} from"
                  f" {plural(form.courses, 'course')}",
                  table(["Statement", "Answers", "1", "2", "3", "4", "5", "Average"], rows,
                        right=range(1, 8))]  # fmt: skip
    lines.append(f"Counts and averages of fewer than {MIN_PEOPLE} answers are not shown (–).")
    return lines
