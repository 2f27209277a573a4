"""``ipskit roster COHORT list | add | import | edit | remove | withdraw``."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import cohort_group, group_cohort, parse_day
from ipskit.cli.lazy import LazyGroup
from ipskit.cli.options import ExportFormat, ExportFormatOption, ExportOutOption, JsonOption
from ipskit.cli.output import print_json
from ipskit.cli.table import clip, table


class RosterGroup(LazyGroup):
    """``roster COHORT ...``: its subcommands, built on first use."""

    table = {
        "list": ("ipskit.cli.roster", "list_"),
        "add": ("ipskit.cli.roster", "add"),
        "import": ("ipskit.cli.roster", "import_"),
        "edit": ("ipskit.cli.roster", "edit"),
        "remove": ("ipskit.cli.roster", "remove"),
        "withdraw": ("ipskit.cli.roster", "withdraw"),
    }


if TYPE_CHECKING:
    from ipskit.cohorts.record_types import Participant
    from ipskit.cohorts.roster_import import Flag, ImportResult


app = cohort_group(RosterGroup, "Add, import, edit or withdraw participants.")


def who_is(person: "Participant") -> str:
    """A person as the coordinator's own terminal shows them: id and name."""
    from ipskit.core.names import isolate

    return f"{person.id} {isolate(person.name)}" if person.name else person.id


def list_(
    ctx: typer.Context,
    fmt: ExportFormatOption = ExportFormat.table,
    as_json: JsonOption = False,
    out: ExportOutOption = None,
) -> None:
    """List the participants, with their ids."""
    from ipskit.cli.exports import deliver, export, need_out
    from ipskit.cli.output import json_text
    from ipskit.cohorts.records import Records

    if as_json:
        fmt = ExportFormat.json
    cohort = group_cohort(ctx)
    need_out(fmt, out, f"roster-{cohort.id}.xlsx")
    roster = [p for p in Records.load(cohort).roster if p.status != "erased"]
    what = f"the roster of {cohort.id}"
    if fmt is ExportFormat.json:
        people = [
            {
                "id": p.id,
                "name": p.name,
                "certificate_name": p.name_on_certificate,
                "email": p.email,
                "pronouns": p.pronouns,
                "status": p.status,
                "added": p.added.isoformat() if p.added else None,
                "left": p.left.isoformat() if p.left else None,
                "name_lang": p.name_lang,
            }  # fmt: skip
            for p in roster
        ]
        if out is None:
            print_json(people)
        else:
            deliver(json_text(people), out, what)
    elif fmt in (ExportFormat.csv, ExportFormat.xlsx):
        header = ["id", "name", "certificate_name", "email", "pronouns", "status",
                  "added (YYYY-MM-DD)", "left (YYYY-MM-DD)", "name_lang"]  # fmt: skip
        cells = [[p.id, p.name, p.certificate_name, p.email, p.pronouns, p.status, p.added,
                  p.left, p.name_lang] for p in roster]  # fmt: skip
        export(fmt, header, cells, out=out, what=what, title="Roster")
    elif not roster and out is None:
        typer.echo(f"No one on the roster of {cohort.id} yet: add people with 'roster add'.")
    else:
        # The name's language only where someone has one: most rosters never need it.
        languages = any(p.name_lang for p in roster)
        rows = [
            [p.id, clip(p.name, 30), clip(p.certificate_name, 24), clip(p.email, 28),
             p.pronouns, *([p.name_lang] if languages else []),
             p.status if p.status != "active" else ""]
            for p in roster
        ]  # fmt: skip
        headers = ["ID", "Name", "On certificate", "Email", "Pronouns",
                   *(["Name language"] if languages else []), ""]  # fmt: skip
        text = table(headers, rows)
        deliver(text + "\n", out, what)


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name the person chose (a pseudonym is fine).")],
    certificate_name: Annotated[
        str, typer.Option("--certificate-name", help="If different, the name to print.")
    ] = "",
    email: Annotated[str, typer.Option("--email", help="Optional.")] = "",
    pronouns: Annotated[str, typer.Option("--pronouns", help="Optional, e.g. she/her.")] = "",
    name_lang: Annotated[
        str,
        typer.Option(
            "--name-lang",
            help="Optional: the language the name is written in, as a tag (cy, ga,"
            " zh-Hant), so that a screen reader says it right.",
        ),
    ] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Add even if someone of that name is there.")
    ] = False,
) -> None:
    """Add a participant."""
    from ipskit.cohorts.changing import changing
    from ipskit.core.errors import IpskitError

    with changing(group_cohort(ctx)) as records:
        existing = records.duplicate_of(name, email)
        if existing is not None and not force:
            raise IpskitError(
                f"{who_is(existing)} on the roster has that name or email already;"
                " use --force to add a second person"
            )
        try:
            person = records.add(
                name, certificate_name=certificate_name, email=email, pronouns=pronouns,
                name_lang=name_lang,
            )  # fmt: skip
        except ValueError as error:
            raise IpskitError(str(error)) from None
    typer.echo(f"Added {who_is(person)}")


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A CSV file or Excel workbook (.xlsx): a list, or Google or Microsoft Forms"
            " answers.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show who would be added; change nothing.")
    ] = False,
    repair_encoding: Annotated[
        bool,
        typer.Option(
            "--repair-encoding",
            help="Read a CSV file whose letters were garbled throughout (UTF-8 opened as"
            ' Windows-1252, "Ã©" for "é") as it was meant.',
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="What was added, left out and flagged, as JSON.")
    ] = False,
) -> None:
    """Add participants from a CSV or .xlsx file.

    Reads Excel (.xlsx or CSV) and Google Forms or Microsoft Forms exports; people
    already on the roster are reported, not added twice. A name that looks garbled (a
    "?" where a letter was) is added and flagged, with the command that corrects it.
    """
    from ipskit.cohorts.changing import changing
    from ipskit.cohorts.records import Records
    from ipskit.cohorts.roster_import import import_people

    cohort = group_cohort(ctx)
    if dry_run:
        records = Records.load(cohort)
        result = import_people(records, file, repair_encoding=repair_encoding)
    else:
        with changing(cohort) as records:
            result = import_people(records, file, repair_encoding=repair_encoding)
    if as_json:
        print_json(_import_json(result, dry_run=dry_run))
    else:
        typer.echo(import_report(result, cohort.id, dry_run=dry_run))


def _import_json(result: "ImportResult", *, dry_run: bool) -> dict[str, object]:
    return {
        "dry_run": dry_run,
        "added": [{"id": p.id, "name": p.name, "line": result.lines[p.id]}
                  for p in result.added],
        "duplicates": [{"line": line, "id": pid} for line, pid in result.duplicates],
        "skipped": [{"line": line, "reason": reason} for line, reason in result.skipped],
        "flagged": [{"line": f.line, "id": f.participant, "field": f.field, "text": f.text,
                     "why": f.why, "probably": f.probably} for f in result.flagged],
    }  # fmt: skip


def import_report(result: "ImportResult", cohort_id: str, *, dry_run: bool = False) -> str:
    """What a roster import did (or would do): each person added, then each line of note.

    Names are shown beside ids, as this goes to the coordinator's own terminal.
    """
    from ipskit.cli.output import plural

    count = len(result.added)
    lines = [f"{'Would add' if dry_run else 'Added'} {plural(count, 'participant')}"
             + (":" if count else "")]  # fmt: skip
    lines += [f"  {who_is(person)}" for person in result.added]
    notes = [(line, f"already on the roster as {who_is(result.matched[pid])}; not added again")
             if pid in result.matched
             else (line, f"already on the roster as {pid}; not added again")
             for line, pid in result.duplicates]  # fmt: skip
    notes += [(line, f"skipped: {reason}") for line, reason in result.skipped]
    notes += [(flag.line, _flag_note(flag, cohort_id)) for flag in result.flagged]
    lines += [f"  line {line}: {note}" for line, note in sorted(notes, key=lambda n: n[0])]
    return "\n".join(lines)


def _flag_note(flag: "Flag", cohort_id: str) -> str:
    """A garbled name, why it looks so, and the command that corrects it."""
    import shlex

    from ipskit.core.names import isolate

    what = "name" if flag.field == "name" else "certificate name"
    option = "--name" if flag.field == "name" else "--certificate-name"
    seen = f'{"" if flag.field == "name" else what + " "}"{isolate(flag.text)}" looks garbled'
    fix = f"ipskit roster {cohort_id} edit {flag.participant} {option}"
    if flag.probably is not None:
        return (f'{seen} ({flag.why}; it was probably "{isolate(flag.probably)}"): check the'
                f" {what}, then fix it with {fix} {shlex.quote(flag.probably)}")  # fmt: skip
    return f'{seen} ({flag.why}): check the {what}, then fix it with {fix} "..."'


def edit(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    name: Annotated[str | None, typer.Option("--name", help="The corrected name.")] = None,
    certificate_name: Annotated[
        str | None,
        typer.Option("--certificate-name", help='The name to print; "" to print the name.'),
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help='"" to clear it.')] = None,
    pronouns: Annotated[
        str | None, typer.Option("--pronouns", help='e.g. she/her; "" to clear them.')
    ] = None,
    name_lang: Annotated[
        str | None,
        typer.Option(
            "--name-lang",
            help='The language the name is written in, as a tag (cy, ga, zh-Hant); "" to'
            " clear it.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Even if someone else has that name or email.")
    ] = False,
) -> None:
    """Correct a name, email, pronouns or language.

    Any of the name, the certificate name, the email, the pronouns and the name's
    language; "" clears all but the name. Each change is kept in the cohort's history,
    which says what changed (the name, the email...) but never holds the text itself.
    """
    from ipskit.cohorts.changing import changing
    from ipskit.core.errors import IpskitError
    from ipskit.core.names import fold

    if (name, certificate_name, email, pronouns, name_lang) == (None,) * 5:
        raise IpskitError(
            "nothing to change: give --name, --certificate-name, --email, --pronouns or"
            " --name-lang"
        )
    with changing(group_cohort(ctx)) as records:
        person = records.find(who, include_withdrawn=True)
        if not force:
            # Only what changes is compared: an email corrected beside a name someone
            # else shares already is not a new duplicate.
            new_name = name if name is not None and fold(name) != fold(person.name) else ""
            new_email = email if email and email.strip() != person.email else ""
            existing = records.duplicate_of(new_name, new_email, besides=person)
            if existing is not None:
                raise IpskitError(
                    f"{who_is(existing)} on the roster has that name or email already;"
                    f" use --force to give it to {person.id} as well"
                )
        try:
            updated, edits = records.edit(person, name=name, certificate_name=certificate_name,
                                          email=email, pronouns=pronouns,
                                          name_lang=name_lang)  # fmt: skip
        except ValueError as error:
            raise IpskitError(str(error)) from None
        settled = records.settled
    if not edits and not settled:
        typer.echo(f"{who_is(person)}: already as given; nothing changed")
    for change in edits:
        typer.echo(f"{who_is(updated)}: {_change_words(change.field, change.before, change.after)}")
    for entry in settled:
        typer.echo(f"{who_is(updated)}: {settled_entry(entry.ways, entry.kept)}")


def settled_entry(ways: "tuple[Participant, ...]", kept: "Participant") -> str:
    """A roster entry recorded on two computers and now settled, in words.

    Names are shown: this goes to the coordinator's own terminal, never to a file.
    """
    from ipskit.cohorts.record_types import FIELDS
    from ipskit.core.names import isolate

    same = next((way for way in ways if way == kept), None)
    dropped = [way for way in ways if way is not (same or ways[0])]
    said = []
    for way in dropped:
        changes = [f"{what} {isolate(getattr(way, key)) or '(none)'}" for key, what in
                   FIELDS.items() if getattr(way, key) != getattr(kept, key)]  # fmt: skip
        if way.status != kept.status or way.left != kept.left:
            left = f" {way.left.isoformat()}" if way.status == "withdrawn" and way.left else ""
            changes.append(f"status {way.status}{left}")
        said.append(", ".join(changes) or "copy")
    if same is None:
        return f"recorded on two computers: the other computer's {'; '.join(said)} is dropped"
    if said == ["copy"] * len(said):
        return "kept as it stands (it was recorded twice; now once)"
    if same is not ways[0]:
        return f"kept as the other computer had it ({'; '.join(said)}, as it stood, is dropped)"
    return f"kept as it stands (the other computer's {'; '.join(said)} is dropped)"


def _change_words(key: str, before: str, after: str) -> str:
    """One corrected field in words: "email changed to x (was y)"."""
    from ipskit.cohorts.record_types import FIELDS
    from ipskit.core.names import isolate

    what = FIELDS[key]
    if key == "name":  # the new name is beside the id already
        return f"{what} changed (was {isolate(before)})"
    if not before:
        return f"{what} set to {isolate(after)}"
    if not after:
        return f"{what} cleared (was {isolate(before)})"
    return f"{what} changed to {isolate(after)} (was {isolate(before)})"


def remove(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
) -> None:
    """Take off someone added by mistake.

    Only someone with nothing recorded (no attendance, results, answers, ratings,
    signature, certificate or email sent) can be removed; anyone else is withdrawn
    instead. Their id is never given to anyone else.
    """
    from ipskit.cohorts.changing import changing

    cohort = group_cohort(ctx)
    with changing(cohort) as records:
        person = records.find(who, include_withdrawn=True)
        records.remove(person)
    typer.echo(f"Removed {who_is(person)} from the roster of {cohort.id}")


def withdraw(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(metavar="WHO", help="An id, or part of a name.")],
    on: Annotated[str | None, typer.Option("--date", help="Default: today.")] = None,
) -> None:
    """Record that someone has left the course."""
    from ipskit.cohorts.changing import changing

    when = parse_day(on, "--date") if on else date.today()
    with changing(group_cohort(ctx)) as records:
        person = records.find(who)
        records.withdraw(person, when)
        settled = records.settled
    if person.status != "withdrawn":
        typer.echo(f"{who_is(person)} has withdrawn ({when.isoformat()})")
    for entry in settled:
        typer.echo(f"{who_is(person)}: {settled_entry(entry.ways, entry.kept)}")
