"""``ipskit certificates COHORT``, ``certificates revoke|keep|large-print CODE``, ``verify``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipskit.cli.common import load_cohort, split_people
from ipskit.cli.options import Format, FormatOption

if TYPE_CHECKING:
    from ipskit.certificates.issuing import Batch
    from ipskit.certificates.qualifying import Qualifying
    from ipskit.workspace import Workspace


def certificates(
    ctx: typer.Context,
    cohort_id: Annotated[
        str,
        typer.Argument(
            metavar="COHORT|issue|revoke|keep|large-print|publish",
            help="A cohort; 'issue' and a cohort; 'revoke', 'keep' or 'large-print' and a"
            " code; or 'publish'.",
        ),
    ],
    code: Annotated[
        str | None,
        typer.Argument(
            metavar="[COHORT|CODE]",
            help="With issue: the cohort; with revoke, keep or large-print: the code.",
        ),
    ] = None,
    participant: Annotated[
        list[str] | None,
        typer.Option("--participant", "-p", help="Only this person (id or name); repeatable."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say who qualifies and who not, and why; issue none.")
    ] = False,
    reissue: Annotated[
        bool,
        typer.Option(
            "--reissue", help="Replace the --participant's certificate (after a name change)."
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="The folder to write them in (with large-print: the file)."
        ),
    ] = None,
    named_files: Annotated[
        bool, typer.Option("--named-files", help="Put people's names in the file names.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="With revoke: why, for the register.")
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="With --dry-run: table for people, json for scripts."),
    ] = None,
) -> None:
    """Issue certificates to everyone who completed.

    Only people who have newly qualified get one: a certificate is never made again
    silently. Each is recorded in the cohort's register (certificates.csv) with its code
    and the SHA-256 of its PDF. --dry-run lists who qualifies and why others do not
    (--format json for scripts).
    'ipskit certificates revoke CODE --reason TEXT' revokes one.
    'ipskit certificates keep CODE' keeps one of the certificates a person was issued on
    two computers (ipskit check lists them): the others are superseded by it.
    'ipskit certificates large-print CODE [--out FILE]' makes a large-print copy of one
    (A4 portrait, 16pt type and larger) for someone who asks for it: it verifies as the
    certificate does, and is revoked with it.
    'ipskit certificates publish [--out DIR]' writes the verification page (a static
    site, with no names and no codes in it) for every certificate of the workspace.
    'ipskit certificates issue COHORT' is 'ipskit certificates COHORT' for any cohort,
    even one named revoke, keep, large-print, publish or issue.
    """
    from ipskit.cli.output import workspace_option
    from ipskit.core.errors import IpskitError
    from ipskit.workspace import require_workspace

    workspace = require_workspace(workspace_option(ctx))
    if fmt is not None and not dry_run:
        raise IpskitError("--format goes with --dry-run: 'certificates COHORT --dry-run"
                          " --format json'")  # fmt: skip
    # The first word is a command whenever it is one, so that what a line does never
    # depends on the cohorts there are; 'issue' reaches a cohort named like a command.
    if cohort_id == "issue":
        if code is None:
            raise IpskitError(
                "issue takes a cohort: 'certificates issue COHORT'"
                " (for a cohort named issue, 'certificates issue issue')"
            )
        cohort_id, code = code, None
    elif cohort_id == "revoke":
        if code is None:
            raise IpskitError(
                "revoke takes a certificate's code: 'certificates revoke CODE'"
                " (for a cohort named revoke, 'certificates issue revoke')"
            )
        if participant or dry_run or reissue or out or named_files:
            raise IpskitError("revoke takes a code and --reason only")
        from ipskit.certificates.verifying import revoke

        entry = revoke(workspace, code, reason or "")
        typer.echo(f"Revoked certificate {entry.code} ({entry.participant}): {entry.reason}")
        return
    elif cohort_id == "keep":
        if code is None:
            raise IpskitError(
                "keep takes a certificate's code: 'certificates keep CODE'"
                " (for a cohort named keep, 'certificates issue keep')"
            )
        if participant or dry_run or reissue or out or named_files or reason is not None:
            raise IpskitError("keep takes a code only")
        from ipskit.cohorts.certificate_register import keep

        kept, superseded = keep(workspace, code)
        codes = ", ".join(e.code for e in superseded)
        typer.echo(f"Kept certificate {kept.code} ({kept.participant}); {codes}"
                   f" {'is' if len(superseded) == 1 else 'are'} now superseded by it")  # fmt: skip
        return
    elif cohort_id == "large-print":
        if code is None:
            raise IpskitError(
                "large-print takes a certificate's code: 'certificates large-print CODE'"
                " (for a cohort named large-print, 'certificates issue large-print')"
            )
        if participant or dry_run or reissue or named_files or reason is not None:
            raise IpskitError("large-print takes a code and --out FILE only")
        _large_print(workspace, code, out)
        return
    elif cohort_id == "publish":
        if code is not None:
            raise IpskitError(
                f"unexpected '{code}': publish takes --out DIR only"
                " (for a cohort named publish, 'certificates issue publish')"
            )
        if participant or dry_run or reissue or named_files or reason is not None:
            raise IpskitError("publish takes --out DIR only")
        _publish(workspace, out)
        return
    if code is not None:
        raise IpskitError(_unexpected(cohort_id, code))
    if reason is not None:
        raise IpskitError("--reason goes with 'certificates revoke CODE'")
    cohort = load_cohort(ctx, cohort_id)
    who = split_people(participant)
    if dry_run:
        from ipskit.certificates.qualifying import who_qualifies
        from ipskit.cohorts.certificate_register import REGISTER_FILE, read_register
        from ipskit.cohorts.records import Records

        records = Records.load(cohort)
        entries = read_register(cohort.file(REGISTER_FILE))
        decided = who_qualifies(cohort, records, entries, who=who, reissue=reissue)
        if fmt is Format.json:
            from ipskit.cli.output import print_json

            print_json(_decided_json(cohort.id, decided))
        else:
            _report(decided, dry=True)
        return
    from ipskit.certificates.issuing import issue_certificates
    from ipskit.cli.progress import progress

    with progress("Making the certificates") as step:
        batch = issue_certificates(
            workspace, cohort, who=who, reissue=reissue, out=out, named_files=named_files,
            progress=step,
        )  # fmt: skip
    for warning in batch.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    _issued(batch)


def _unexpected(word: str, code: str) -> str:
    """What a word, a cohort and then something more, most likely meant."""
    from difflib import get_close_matches

    meant = get_close_matches(word, ["revoke", "keep", "large-print"], n=1, cutoff=0.6)
    if meant:
        return f"unexpected '{code}': did you mean 'certificates {meant[0]} {code}'?"
    return (
        f"unexpected '{code}': to revoke, write 'certificates revoke {code}'; for a"
        f" large-print copy, 'certificates large-print {code}'"
    )


def _issued(batch: Batch) -> None:
    if batch.issued:
        count = len(batch.issued)
        folder = batch.issued[0].path.parent
        typer.echo(f"Issued {count} certificate{'s' if count > 1 else ''} in {folder}:")
        for made in batch.issued:
            typer.echo(f"  {made.participant}  {made.code}  {made.path.name}")
        assert batch.combined is not None
        typer.echo(f"To print them all: {batch.combined}")
        typer.echo(f"Recorded in {batch.register}")
    else:
        typer.echo("No certificates issued: no one has newly qualified.")
    _report(batch.qualifying, dry=False)


def _report(decided: Qualifying, *, dry: bool) -> None:
    """Who would get one (dry run), who has one, and who does not qualify and why."""
    if dry:
        if decided.grants:
            typer.echo(f"Would issue {len(decided.grants)}:")
            for grant in decided.grants:
                person = grant.participant
                again = f" (replacing {grant.replaces.code})" if grant.replaces else ""
                typer.echo(f"  {person.id}  {person.name_on_certificate}{again}")
        else:
            typer.echo("Would issue none: no one has newly qualified.")
    if decided.holders:
        typer.echo("Already issued:")
        for person, entry in decided.holders:
            typer.echo(f"  {person.id}  {entry.code}  issued {entry.issued:%Y-%m-%d}")
    if decided.unprintable:
        typer.echo("Qualified, but no installed font can draw their name:")
        for person in decided.unprintable:
            typer.echo(f"  {person.id}")
    if decided.waiting:
        typer.echo("Not qualified:")
        for person, reasons in decided.waiting:
            typer.echo(f"  {person.id}  {'; '.join(reasons)}")


def _decided_json(cohort_id: str, decided: Qualifying) -> dict[str, object]:
    """What a dry run finds, for scripts: the same as its lines say, by participant id."""
    return {
        "cohort": cohort_id,
        "would_issue": [
            {"participant": g.participant.id, "name_on_certificate":
             g.participant.name_on_certificate,
             "replaces": g.replaces.code if g.replaces else None}
            for g in decided.grants
        ],
        "already_issued": [
            {"participant": person.id, "code": entry.code, "issued": entry.issued.isoformat()}
            for person, entry in decided.holders
        ],
        "no_font_for_name": [person.id for person in decided.unprintable],
        "not_qualified": [
            {"participant": person.id, "reasons": list(reasons)}
            for person, reasons in decided.waiting
        ],
    }  # fmt: skip


def verify(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(metavar="FILE.pdf|CODE")],
    fmt: FormatOption = Format.table,
) -> None:
    """Check a certificate file or code.

    Says whether it is genuine, altered, revoked, superseded or unknown. Exit codes,
    for scripts: 0 genuine (in a register of this workspace, and the file is the one
    issued, or a copy made of it such as its large-print copy), 3 altered (a known code,
    but the file was changed), 4 revoked, 5 superseded (replaced by a reissue), 6 unknown;
    1 when it cannot be checked. A code may be typed as people type it: "mhk5 k0jh" is
    MHK5-K0JH.
    """
    from ipskit.certificates.verifying import EXIT_CODES
    from ipskit.certificates.verifying import verify as check
    from ipskit.cli.output import print_json, workspace_option
    from ipskit.workspace import require_workspace

    verdict = check(require_workspace(workspace_option(ctx)), what)
    entry = verdict.entry
    if fmt is Format.json:
        found: dict[str, object] = {"verdict": verdict.kind}
        if verdict.kind != "unknown" and entry is not None:
            found |= {"code": entry.code, "cohort": verdict.cohort,
                      "participant": entry.participant, "course": entry.course,
                      "hours": entry.hours, "issued": entry.issued.isoformat()}  # fmt: skip
            if verdict.kind in ("revoked", "superseded"):
                found |= {"changed": entry.date.isoformat(), "reason": entry.reason}
            if verdict.copy is not None:
                found |= {"copy": verdict.copy.kind, "copy_made": verdict.copy.date.isoformat()}
        print_json(found)
    elif verdict.kind == "unknown" or entry is None:
        typer.echo("unknown: not a certificate issued in this workspace")
    else:
        where = f"{entry.participant} of cohort {verdict.cohort}"
        issued = f"certificate {entry.code}, issued {entry.issued:%Y-%m-%d} to {where}"
        said = {
            "genuine": f"genuine: {issued} for {entry.course} ({entry.hours} hours)",
            "altered": f"altered: the file claims to be {issued}, but it is not the file issued",
            "revoked": f"revoked: {issued}; revoked {entry.date:%Y-%m-%d}: {entry.reason}",
            "superseded": f"superseded: {issued}; {entry.reason} on {entry.date:%Y-%m-%d}",
        }[verdict.kind]  # fmt: skip
        if verdict.copy is not None:
            said += f"; the file is its {verdict.copy.kind} copy, made {verdict.copy.date:%Y-%m-%d}"
        typer.echo(said)
    raise typer.Exit(EXIT_CODES[verdict.kind])


def _large_print(workspace: Workspace, code: str, out: Path | None) -> None:
    from ipskit.certificates.large_print import make_large_print
    from ipskit.cli.progress import progress

    with progress("Making the large-print copy") as step:
        made = make_large_print(workspace, code, out=out, progress=step)
    pages = f"{made.pages} page{'s' if made.pages != 1 else ''}"
    typer.echo(f"Wrote a large-print copy of certificate {made.code} ({made.participant}),"
               f" {pages}, to {made.path}")  # fmt: skip
    typer.echo(f"Recorded in {made.listed}: it verifies as the certificate does")


def _publish(workspace: Workspace, out: Path | None) -> None:
    from ipskit.certificates.site import publish
    from ipskit.cli.progress import progress

    with progress("Publishing the verification page") as step:
        done = publish(workspace, out, progress=step)
    count = f"{done.certificates} certificate{'s' if done.certificates != 1 else ''}"
    if done.changed:
        typer.echo(f"Published the verification page for {count} in {done.folder}"
                   f" (changed: {', '.join(done.changed)}).")  # fmt: skip
    else:
        typer.echo(f"The verification page in {done.folder} is up to date ({count}).")
    url = workspace.settings.verification_url
    if url:
        typer.echo(f"Put the folder's files at {url.split('#')[0].replace('{code}', '')}:"
                   " certificates' QR codes point there.")  # fmt: skip
    else:
        typer.echo("ipskit.yaml has no verification_url: set it to where you will put these"
                   " files, so that new certificates' QR codes point there.")  # fmt: skip
