"""Certificates: issued once, recorded for good, and checkable by anyone who holds one.

A cohort's certificates are listed in its register, ``certificates.csv``, which only
ever grows: a certificate's first row says it was issued (with the SHA-256 of its PDF);
a later row for the same code says it was superseded (by a reissue) or revoked, when and
why. Nothing already written is changed, so the register is also the history.

Issuing is done in batches: the certificates of a batch are laid out as one document
per hundred people (in two processes for a large batch), written once as PDF/A, and
each person's file is cut from that document. Writing a PDF embeds a subset of every
font, which is most of the cost of a small file: cut files share that work. The
document's subsets hold everyone's letters, so each file gets its own copies of them,
cut down again to the glyphs on its page (see fontprune.py): about a millisecond each.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ipskit.cohorts.certificate_register import (
    REGISTER_FILE,
    Entry,
    append_entries,
    current,
    new_code,
    normal_code,
    read_register,
    registers,
)
from ipskit.cohorts.cohort import CURRICULUM_FILE, Cohort, check_writable
from ipskit.cohorts.records import Participant, Records, check_note
from ipskit.core import store
from ipskit.core.errors import IpskitError, NotFoundError
from ipskit.workspace import Workspace

TEMPLATE = "certificate.html"
_CODE_IN_FILE = re.compile(rb"Certificate ([0-9A-Z]{4}-[0-9A-Z]{4})")
#: Certificates laid out as one document; larger batches are cut into such chunks.
CHUNK = 250
#: People's boxes to a sheet of the people layer (the template sizes the sheet to hold
#: this many certificates, one above the other).
SHEET = 24
#: From how many certificates a second process pays for its start (about a second).
PARALLEL_FROM = 150
MAX_FILE_BYTES = 50 * 1024 * 1024


# --- who gets one ---------------------------------------------------------------------------


class Grant(NamedTuple):
    """A certificate to issue, and the one it replaces, if any."""

    participant: Participant
    replaces: Entry | None


@dataclass
class Plan:
    """Who gets a certificate now, who has one, and who does not qualify and why."""

    grants: list[Grant] = field(default_factory=list)
    holders: list[tuple[Participant, Entry]] = field(default_factory=list)
    waiting: list[tuple[Participant, tuple[str, ...]]] = field(default_factory=list)
    unprintable: list[Participant] = field(default_factory=list)


def plan(cohort: Cohort, records: Records, entries: list[Entry], *,
         who: Sequence[str] = (), reissue: bool = False) -> Plan:  # fmt: skip
    """Decide who gets a certificate: everyone newly qualified, or just ``who``."""
    from ipskit.cohorts.eligibility import eligibility
    from ipskit.documents.fonts import undrawable

    if reissue and not who:
        raise IpskitError("--reissue needs --participant: name whose certificate to replace")
    chosen = {records.find(w, include_withdrawn=True).id for w in who}
    now = current(entries)
    held: dict[str, list[Entry]] = {}
    for entry in now.values():
        held.setdefault(entry.participant, []).append(entry)
    result = Plan()
    for standing in eligibility(cohort, records):
        person = records.participant(standing.participant)
        if chosen and person.id not in chosen:
            continue
        theirs = held.get(person.id, [])
        valid = next((e for e in theirs if e.status == "issued"), None)
        if standing.state != "complete":
            reasons = standing.reasons if standing.state != "withdrawn" else ("withdrawn",)
            result.waiting.append((person, reasons))
        elif valid is not None and not reissue:
            result.holders.append((person, valid))
        elif theirs and valid is None and not reissue:
            revoked = theirs[-1]
            result.waiting.append((person, (
                f"certificate {revoked.code} was {revoked.status} on {revoked.date:%Y-%m-%d};"
                " use --reissue to issue a new one",
            )))  # fmt: skip
        elif undrawable(person.name_on_certificate):
            result.unprintable.append(person)
        else:
            result.grants.append(Grant(person, valid))
    return result


# --- making them ------------------------------------------------------------------------


@dataclass
class Issued:
    """A certificate made in this run."""

    code: str
    participant: str
    path: Path
    sha256: str


@dataclass
class Batch:
    """What a run of ``certificates`` did."""

    issued: list[Issued]
    combined: Path | None
    register: Path
    plan: Plan
    warnings: list[str]


def hours_number(minutes: int) -> str:
    """'22.5' for 1,350 minutes: hours as the register and the certificate print them."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def hours_text(minutes: int) -> str:
    """'22.5 contact hours'."""
    number = hours_number(minutes)
    return f"{number} contact hour{'' if number == '1' else 's'}"


def date_range(first: date, last: date) -> str:
    """'12 January to 16 March 2027', '4 to 8 October 2027', or one day."""
    if first == last:
        return f"{first.day} {first:%B %Y}"
    if first.year != last.year:
        return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%B} to {last.day} {last:%B %Y}"
    return f"{first.day} to {last.day} {last:%B %Y}"


def verification_target(url: str | None, code: str) -> str:
    """What the QR code holds: the verification address for this code, or the code."""
    if url is None:
        return code
    if "{code}" in url:
        return url.replace("{code}", code)
    # In the fragment: a browser never sends it to the server, so the web host's logs
    # never learn which certificates are checked (see verifysite.py).
    return f"{url.split('#')[0]}#{code}"


def _name_size(name: str) -> str:
    """A class for the name's type size, so that any name (200 characters at most) fits."""
    for limit, size in ((34, ""), (52, "long"), (100, "longest")):
        if len(name) <= limit:
            return size
    return "extreme"


@dataclass(frozen=True)
class Person:
    """One certificate to print."""

    code: str
    participant: str
    name: str


def batch_context(workspace: Workspace, cohort: Cohort, people: Sequence[Person],
                  issued: date, renderer: Any) -> dict[str, Any]:  # fmt: skip
    """What the certificate template prints, prepared (it does no work of its own)."""
    from ipskit.courses.curriculum import load
    from ipskit.documents.context import organisation

    settings = workspace.settings
    wording = load(cohort.file(CURRICULUM_FILE)).certificate
    sessions = cohort.settings.sessions
    from ipskit.cohorts.cascade import trainer_names

    trainers = trainer_names(cohort, certified=True)
    trained = " and ".join([", ".join(trainers[:-1]), trainers[-1]] if len(trainers) > 1
                           else trainers)  # fmt: skip
    url = settings.verification_url
    certificates = [
        {"code": person.code, "name": person.name, "size": _name_size(person.name),
         "target": verification_target(url, person.code)}
        for person in people
    ]  # fmt: skip
    check = (
        ["To check it, scan the code or visit", url] if url
        else ["To check it, give its code to", settings.organisation.name]
    )  # fmt: skip
    return {
        "title": certificate_title(wording.heading, cohort),
        "language": settings.locale,
        "organisation": organisation(workspace, renderer),
        "signatories": [
            {"name": s.name, "role": s.role, "signature": renderer.image(s.signature)}
            for s in settings.signatories
        ],
        "course": {
            "heading": wording.heading,
            "statement": wording.statement,
            "title": cohort.settings.curriculum_title,
            "dates": date_range(sessions[0].date, sessions[-1].date) if sessions else "",
            "hours": hours_text(sum(m.contact_minutes for m in sessions)),
            "trainers": f"Trained by {trained}" if trainers else "",
            "issued": f"{issued.day} {issued:%B %Y}",
            "check": check,
        },
        "certificates": certificates,
    }


def certificate_title(heading: str, cohort: Cohort) -> str:
    """The PDF title: the kind of certificate and the course, never a name."""
    return f"{heading}: {cohort.settings.curriculum_title}"


def issue_certificates(
    workspace: Workspace,
    cohort: Cohort,
    *,
    who: Sequence[str] = (),
    reissue: bool = False,
    out: Path | None = None,
    named_files: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Batch:
    """Issue certificates to everyone newly qualified (or to ``who``), under the lock.

    Each person's PDF is written, then the combined print file, then the register rows:
    a run stopped half way leaves files no register vouches for, never a register entry
    without its file.
    """
    from ipskit.documents.render import Renderer, write_output

    today = today or date.today()
    path = cohort.file(REGISTER_FILE)
    folder = out or workspace.root / "out" / cohort.id / "certificates"
    with store.locked(cohort.folder, f"cohort {cohort.id}"):
        check_writable(cohort)
        records = Records.load(cohort)
        entries = read_register(path)
        decided = plan(cohort, records, entries, who=who, reissue=reissue)
        warnings = [_unprintable(p) for p in decided.unprintable]
        if not decided.grants:
            return Batch([], None, path, decided, warnings)
        taken = {e.code for _, found in registers(workspace) for e in found}
        people = [Person(new_code(taken), g.participant.id, g.participant.name_on_certificate)
                  for g in decided.grants]  # fmt: skip
        renderer = Renderer(workspace)
        context = batch_context(workspace, cohort, people, today, renderer)
        meta = {"title": context["title"], "author": workspace.settings.organisation.name,
                "language": workspace.settings.locale}  # fmt: skip
        if not folder.is_dir():
            store.make_private_dir(folder)
        issued: list[Issued] = []
        chunks = []
        for chunk in render_batch(workspace, renderer, context, meta):
            for data in chunk.files:  # written as each chunk arrives, while the next is laid out
                person = people[len(issued)]
                slug = _slug(person.name) if named_files else None
                target = folder / file_name(person.participant, person.code, slug)
                write_output(target, data, durable=False)  # see sync_files below
                issued.append(Issued(person.code, person.participant, target,
                                     hashlib.sha256(data).hexdigest()))  # fmt: skip
            chunks.append(chunk._replace(files=[]))
            if progress:
                progress(len(issued), len(people))
        print_file = _free(folder / f"certificates-{today.isoformat()}.pdf")
        write_output(print_file, combine(chunks, meta), durable=False)
        # The files reach the disk before the register vouches for them.
        store.sync_files([made.path for made in issued] + [print_file])
        course = cohort.settings.curriculum_title
        hours = hours_number(sum(m.contact_minutes for m in cohort.settings.sessions))
        rows = []
        for grant, made, person in zip(decided.grants, issued, people, strict=True):
            if grant.replaces is not None:
                rows.append(
                    grant.replaces._replace(
                        status="superseded", date=today, reason=f"replaced by {made.code}"
                    )
                )
            rows.append(Entry(made.code, made.participant, person.name, course, hours, today,
                              made.sha256, "issued", today, "", path, 0))  # fmt: skip
        append_entries(path, rows)
    return Batch(issued, print_file, path, decided, warnings)


def _unprintable(person: Participant) -> str:
    return (
        f"{person.id}: no installed font can draw the name on their certificate, so none was"
        " issued: install a font for it (see the README) and run certificates again"
    )


def file_name(participant: str, code: str, middle: str | None = None) -> str:
    """A certificate's file name: by id and code, and with --named-files a slug between.

    ``certificate-p03-K7QM-4XTD.pdf``, or ``certificate-p03-Siân-Hughes-K7QM-4XTD.pdf``.
    """
    return f"certificate-{participant}{f'-{middle}' if middle else ''}-{code}.pdf"


def _slug(name: str) -> str:
    words = re.findall(r"\w+", name)
    return "-".join(words)[:60] or "name"


def _free(path: Path) -> Path:
    """``path``, or ``path`` with -2, -3... when a file of that name exists."""
    number = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


# --- rendering ----------------------------------------------------------------------------------


def render_batch(
    workspace: Workspace, renderer: Any, context: dict[str, Any], meta: dict[str, str]
) -> Iterator[Chunk]:
    """Each chunk of people in turn, laid out: its people's PDFs, and its print objects.

    A large batch is laid out by two worker processes, started first so that they load
    WeasyPrint while the HTML is made; if processes cannot be used, this one does it all.
    """
    from ipskit.documents.render import process_pool

    everyone = context["certificates"]
    pool = process_pool(2) if len(everyone) >= PARALLEL_FROM else None
    background = renderer.html(TEMPLATE, {**context, "layer": "background", "certificates": []})
    jobs = []
    for first in range(0, len(everyone), CHUNK):
        group = everyone[first : first + CHUNK]
        numbered = [{**c, "number": n} for n, c in enumerate(group, start=1)]
        sheets = [numbered[i : i + SHEET] for i in range(0, len(numbered), SHEET)]
        html = renderer.html(TEMPLATE, {**context, "layer": "people", "sheets": sheets})
        jobs.append(Job(background, html, [c["code"] for c in group],
                        [c["target"] for c in group], len(jobs)))  # fmt: skip
    done = 0
    if pool is not None:
        from concurrent.futures.process import BrokenProcessPool

        with pool:
            try:
                futures = [pool.submit(chunk_in_worker, str(workspace.root), job, meta)
                           for job in jobs]  # fmt: skip
                for future in futures:
                    yield future.result()
                    done += 1
            except (BrokenProcessPool, OSError):
                pass  # the rest is made here
    for job in jobs[done:]:
        yield render_chunk(renderer, job, meta)


class Job(NamedTuple):
    """A chunk of certificates to lay out: both layers' HTML, and each person's code."""

    background: str
    people: str
    codes: list[str]
    targets: list[str]  # what each QR code holds
    index: int = 0  # the chunk's place in the batch, which numbers its objects


def chunk_in_worker(root: str, job: Job, meta: dict[str, str]) -> Chunk:
    """:func:`render_chunk` in a worker process, which imports WeasyPrint itself."""
    from ipskit.documents.render import Renderer

    return render_chunk(Renderer(Workspace(Path(root))), job, meta)


PDF_VARIANT = "pdf/a-2b"
PRODUCER = "ipskit"


def render_chunk(renderer: Any, job: Job, meta: dict[str, str]) -> Chunk:
    """Lay out a chunk, write it once as PDF/A, and cut a file for each certificate.

    The background is laid out once and each person's page is printed over it; their QR
    code is drawn as vector squares in the box the template leaves for it.
    """
    background = renderer.layout(job.background, template=TEMPLATE)
    people = renderer.layout(job.people, template=TEMPLATE)
    where = renderer.path_of(TEMPLATE)
    if len(background.pages) != 1 or len(people.pages) != -(-len(job.codes) // SHEET):
        raise IpskitError(
            f"{where}: a certificate must fit on one page; some ran over: shorten the"
            " wording or the template's content"
        )
    places = []
    for number in range(1, len(job.codes) + 1):
        sheet = (number - 1) // SHEET
        box = people.pages[sheet].anchors.get(f"qr-{number}")  # (left, top, right, bottom)
        if box is None or len(box) != 4:
            raise IpskitError(f"{where}: each certificate needs its QR box, with the id qr-N")
        places.append((sheet, box))
    document = background.copy(background.pages + people.pages)
    document.metadata.title = meta["title"]
    document.metadata.authors = [meta["author"]]
    document.metadata.lang = meta["language"]
    written = bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
    return cut(written, job, places, meta)


def split_sheet(content: bytes, unit: float) -> dict[int, list[bytes]]:
    """The drawing of each certificate-high box of a sheet: its content, cut by position.

    WeasyPrint writes one operator a line, and brackets what each box draws in ``q`` and
    ``Q``. Each bracketed group is placed by the rectangles and text positions inside it;
    the largest groups that lie within one box are that box's drawing. What the sheet
    draws across boxes (its own clipping) belongs to no one and is left out.
    """
    root: list[Any] = []
    stack = [root]
    for line in content.split(b"\n"):
        word = line.strip()
        if word == b"q":
            group: list[Any] = []
            stack[-1].append(group)
            stack.append(group)
        elif word == b"Q" and len(stack) > 1:
            stack.pop()
        elif word:
            stack[-1].append(line)
    pieces: dict[int, list[bytes]] = {}

    def boxes(items: list[Any]) -> set[int]:
        found: set[int] = set()
        for item in items:
            if isinstance(item, list):
                found |= boxes(item)
            elif item.endswith((b" re", b" Tm")):
                numbers = item.split()
                try:
                    if numbers[-1] == b"re":
                        middle = float(numbers[-4]) + float(numbers[-2]) / 2
                    else:
                        middle = float(numbers[-2])
                except (ValueError, IndexError):
                    continue  # not the operator line it looked like
                found.add(int(middle // unit))
        return found

    def written(items: list[Any]) -> bytes:
        return (
            b"q\n"
            + b"\n".join(written(item) if isinstance(item, list) else item for item in items)
            + b"\nQ"
        )

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                inside = boxes(item)
                if len(inside) == 1:
                    pieces.setdefault(inside.pop(), []).append(written(item))
                elif inside:
                    walk(item)

    walk(root)
    return pieces


def qr_operators(text: str, box: tuple[float, float, float, float], page_height: float) -> bytes:
    """PDF operators drawing the QR code for ``text`` in ``box`` (CSS px, from the top)."""
    import segno

    # A fixed mask spares segno scoring all eight, the slowest part of making a code.
    matrix = segno.make(text, error="m", mask=2, micro=False).matrix
    left, top, right, bottom = box
    size = min(right - left, bottom - top) * 0.75  # CSS px to PDF points
    module = size / len(matrix)
    x, y = left * 0.75, page_height - top * 0.75
    rects = []
    for row, cells in enumerate(matrix):
        column, width = 0, len(cells)
        while column < width:
            if cells[column]:
                run = column
                while run < width and cells[run]:
                    run += 1
                rects.append(f"{column} {row} {run - column} 1 re")
                column = run
            else:
                column += 1
    head = f"q 0.114 0.114 0.106 rg {module:.4f} 0 0 {-module:.4f} {x:.3f} {y:.3f} cm\n"
    return (head + "\n".join(rects) + "\nf Q\n").encode("ascii")


class Chunk(NamedTuple):
    """A laid-out chunk: its objects and pages for the print file, and each person's file."""

    objects: list[bytes]  # serialised, numbered within the chunk's span
    pages: list[int]
    intents: str  # the catalog's /OutputIntents, as PDF text ("" if none)
    files: list[bytes]


def cut(pdf: bytes, job: Job, places: list[Any], meta: dict[str, str]) -> Chunk:
    """A file for each person, and the objects of the print file, from one written PDF.

    Page 1 of ``pdf`` is the background, made a form that every person's page draws
    first. The other pages are the sheets of the people layer: each person's page gets
    the drawing of their own box on a sheet, moved into place, and their QR code.
    The chunk's objects are numbered in its own span (:data:`ipskit.documents.pdf.objects.SPAN`), so
    that the chunks of a batch join into one print file as they are.

    The chunk's fonts hold the letters of everyone in it: each person's file gets its
    own copies of them (same numbers), cut down to what their page shows. The print
    file keeps the chunk's fonts.
    """
    from pypdf.generic import IndirectObject, NameObject

    from ipskit.documents.pdf import fontprune
    from ipskit.documents.pdf import objects as pdfcut

    source = pdfcut.Source(pdf, job.index * pdfcut.SPAN)
    reader = source.reader
    pruner = fontprune.Pruner(reader)
    pages = reader.pages
    background = pages[0]
    box = [float(v) for v in background.mediabox]
    height = box[3] - box[1]
    number = source.new_number
    form, invoke = number(), number()
    tree, catalog = number(), number()
    bg_content = background.get_contents().get_data()
    bg_shown = pruner.shown(bg_content, background["/Resources"])
    bg_resources = fontprune.trimmed(background["/Resources"], bg_shown)
    bbox = " ".join(f"{v:g}" for v in box)
    form_keys = f" /Type /XObject /Subtype /Form /BBox [{bbox}] /Resources " + (
        source.text(bg_resources).decode("latin-1")
    )
    shared_parts = [
        pdfcut.stream(form, bg_content, form_keys),
        pdfcut.stream(invoke, f"q {pdfcut.BACKGROUND} Do Q".encode(), compress=False),
    ]  # fmt: skip
    root = reader.trailer["/Root"]
    intents = root.raw_get("/OutputIntents") if "/OutputIntents" in root else None
    intents_text = source.text(intents).decode("latin-1") if intents is not None else ""
    common = source.closure(bg_resources) | (source.closure(intents) if intents else set())
    catalog_text = f"<< /Type /Catalog /Pages {tree} 0 R /Lang {_text(meta['language'])}" + (
        f" /OutputIntents {intents_text}" if intents_text else ""
    )
    unit = height / 0.75  # a certificate's height in CSS px, the unit of the sheets
    sheets = [(page, split_sheet(page.get_contents().get_data(), unit)) for page in pages[1:]]
    people: list[tuple[int, list[int], list[pdfcut.Part]]] = []
    swaps: list[dict[int, bytes]] = []  # each person's own copies of the fonts
    for target, (index, corners) in zip(job.targets, places, strict=True):
        sheet, pieces = sheets[index]
        left, top, right, bottom = corners
        strip = int((top + bottom) / 2 // unit)  # which box of the sheet is this person's
        shift = strip * unit
        page_number = number()
        drawing = (
            f"q\n1 0 0 -1 0 {height:.6f} cm\n0.75 0 0 0.75 0 0 cm\n1 0 0 1 0 {-shift:.6f} cm\n"
        ).encode() + b"\n".join(pieces.get(strip, [])) + b"\nQ\n"  # fmt: skip
        own = pdfcut.stream(number(), drawing)
        box = (left, top - shift, right, bottom - shift)
        qr = pdfcut.stream(number(), qr_operators(target, box, height))
        shown = pruner.shown(drawing, sheet["/Resources"])
        merged = fontprune.trimmed(sheet["/Resources"], shown)
        merged["/XObject"][NameObject(pdfcut.BACKGROUND)] = IndirectObject(form, 0, None)  # type: ignore[arg-type]
        refs = f"{invoke} 0 R {own.number} 0 R {qr.number} 0 R"
        body = (
            f"<< /Type /Page /Parent {tree} 0 R /MediaBox [{bbox}] /Contents [{refs}]"
            " /Resources ".encode()
            + source.text(merged)
            + b" >>"
        )
        needed = source.closure(merged) | common
        people.append((page_number, sorted(needed), [pdfcut.plain(page_number, body), own, qr]))
        fonts = [n for n in needed if pruner.is_font(n)]
        swaps.append({n: source.replaced(n, value) for n, value in
                      pruner.replacements(shown.union(bg_shown), fonts).items()})  # fmt: skip
    files = []
    for (page_number, needed, own), code, swap in zip(people, job.codes, swaps, strict=True):
        info, metadata = number(), number()
        subject = f"Certificate {code}, issued by {meta['author']}"
        files.append(pdfcut.assemble(
            [swap.get(n) or source.serialised(n) for n in needed],
            [*shared_parts, *own,
             pdfcut.plain(tree, f"<< /Type /Pages /Kids [{page_number} 0 R] /Count 1 >>"),
             pdfcut.plain(catalog, catalog_text + f" /Metadata {metadata} 0 R >>"),
             _info(info, meta, subject, code),
             _metadata(metadata, meta, subject, code)],
            root=catalog, info=info,
        ))  # fmt: skip
    everything = sorted(set().union(*(set(needed) for _, needed, _ in people)))
    objects = [source.serialised(n) for n in everything]
    objects += [part.data for part in shared_parts]
    objects += [part.data for _, _, own in people for part in own]
    return Chunk(objects, [n for n, _, _ in people], intents_text, files)


def combine(chunks: Sequence[Chunk], meta: dict[str, str]) -> bytes:
    """One PDF/A file of every page of the batch, to print: the chunks' objects, joined."""
    from ipskit.documents.pdf import objects as pdfcut

    first = len(chunks) * pdfcut.SPAN  # above every chunk's span
    tree, catalog, info, metadata = first, first + 1, first + 2, first + 3
    kids = [n for chunk in chunks for n in chunk.pages]
    subject = f"Certificates issued by {meta['author']}"
    intents = f" /OutputIntents {chunks[0].intents}" if chunks[0].intents else ""
    catalog_text = (
        f"<< /Type /Catalog /Pages {tree} 0 R /Lang {_text(meta['language'])}{intents}"
        f" /Metadata {metadata} 0 R >>"
    )
    return pdfcut.assemble(
        [data for chunk in chunks for data in chunk.objects],
        [pdfcut.plain(tree, f"<< /Type /Pages /Kids [{' '.join(f'{n} 0 R' for n in kids)}]"
                            f" /Count {len(kids)} >>"),
         pdfcut.plain(catalog, catalog_text),
         _info(info, meta, subject, ""), _metadata(metadata, meta, subject, "")],
        root=catalog, info=info,
    )  # fmt: skip


def _text(value: str) -> str:
    from pypdf.generic import TextStringObject

    from ipskit.documents.pdf.objects import value_bytes

    return value_bytes(TextStringObject(value)).decode("latin-1")


def _info(number: int, meta: dict[str, str], subject: str, keywords: str) -> Any:
    from ipskit.documents.pdf.objects import plain

    fields = {"/Title": meta["title"], "/Author": meta["author"], "/Subject": subject,
              "/Producer": PRODUCER}  # fmt: skip
    if keywords:
        fields["/Keywords"] = keywords
    return plain(number, "<< " + " ".join(f"{k} {_text(v)}" for k, v in fields.items()) + " >>")


def _metadata(number: int, meta: dict[str, str], subject: str, keywords: str) -> Any:
    from ipskit.documents.pdf.objects import stream

    extra = " /Type /Metadata /Subtype /XML"
    return stream(number, xmp(meta["title"], meta["author"], subject, keywords), extra,
                  compress=False)  # fmt: skip


def xmp(title: str, author: str, subject: str, keywords: str) -> bytes:
    """The XMP packet PDF/A-2b asks for, matching the document information."""
    from xml.sax.saxutils import escape

    keyword = f' pdf:Keywords="{escape(keywords)}"' if keywords else ""
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' pdfaid:part="2" pdfaid:conformance="B"/>'
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        f' pdf:Producer="{escape(PRODUCER)}"{keyword}/>'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        f"</dc:title><dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq>"
        '</dc:creator><dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(subject)}</rdf:li></rdf:Alt></dc:description></rdf:Description>"
        '</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


# --- checking and revoking ----------------------------------------------------------------------


class Verdict(NamedTuple):
    """What ``verify`` found: genuine, altered, revoked, superseded or unknown."""

    kind: str
    entry: Entry | None
    cohort: str | None = None


#: The exit code of ``ipskit verify`` for each verdict, for scripts.
EXIT_CODES = {"genuine": 0, "altered": 3, "revoked": 4, "superseded": 5, "unknown": 6}


def verify(workspace: Workspace, what: str) -> Verdict:
    """Check a certificate file, or a code, against every register of the workspace."""
    found = registers(workspace)
    latest = {code: (cohort.id, e) for cohort, entries in found
              for code, e in current(entries).items()}  # fmt: skip
    path = Path(what)
    code = normal_code(what)
    if code is not None and not path.is_file():
        if code not in latest:
            return Verdict("unknown", None)
        cohort_id, entry = latest[code]
        return Verdict(_standing(entry), entry, cohort_id)
    if not path.exists():
        raise NotFoundError(f"{what}: no such file, and not a certificate code such as K7QM-4XTD")
    if not path.is_file():
        raise IpskitError(f"{what}: give a certificate's PDF file or its code, not a folder")
    if path.stat().st_size > MAX_FILE_BYTES:
        return Verdict("unknown", None)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    for cohort_id, entry in latest.values():
        if entry.sha256 == digest:
            return Verdict(_standing(entry), entry, cohort_id)
    claimed = {m.decode("ascii") for m in _CODE_IN_FILE.findall(data)}
    for code in sorted(claimed):
        if code in latest:
            cohort_id, entry = latest[code]
            return Verdict("altered", entry, cohort_id)
    return Verdict("unknown", None)


def _standing(entry: Entry) -> str:
    return "genuine" if entry.status == "issued" else entry.status


def revoke(workspace: Workspace, code_text: str, reason: str, *,
           today: date | None = None) -> Entry:  # fmt: skip
    """Record that a certificate is revoked, and why; it then verifies as revoked."""
    code = normal_code(code_text)
    if code is None:
        raise IpskitError(f"'{code_text[:40]}' is not a certificate code such as K7QM-4XTD")
    try:
        reason = check_note(reason)
    except ValueError as error:
        raise IpskitError(f"--reason: {error}") from None
    if not reason:
        raise IpskitError("give the reason for revoking it with --reason")
    for cohort, entries in registers(workspace):
        if code not in current(entries):
            continue
        with store.locked(cohort.folder, f"cohort {cohort.id}"):
            path = cohort.file(REGISTER_FILE)
            entry = current(read_register(path))[code]
            if entry.status == "revoked":
                when = f"{entry.date:%Y-%m-%d}"
                raise IpskitError(f"certificate {code} was already revoked on {when}")
            revoked = entry._replace(status="revoked", date=today or date.today(), reason=reason)
            append_entries(path, [revoked])
            return revoked
    raise NotFoundError(f"no register in this workspace holds certificate {code}")
