"""The one way ipskit makes documents: data → Jinja template → HTML → PDF.

- Templates come from the package's ``templates/``; a file of the same name in the
  workspace's ``templates/`` replaces it. All of them run in Jinja's immutable sandbox
  with HTML autoescaping and ``StrictUndefined``: names and curriculum text are data,
  never markup, and a template that reaches for Python internals is refused. (The
  plain-text email templates have a sandbox of their own, without HTML escaping: an
  email shows "&" as it is.) Templates
  are plain files inside those two folders: a symbolic link, or a name that leads out
  of them, is refused. A mistake in a template, or a template asking for too much (a
  huge range, endless recursion), is one line naming the template and its line.
- WeasyPrint fetches nothing but ``data:`` URLs and files inside the package's and the
  workspace's template folders: no network, no other file, no link, no redirect. A
  file is looked for in the workspace's folder first, then the package's, so a
  workspace can replace any style sheet or add its own beside its templates. A refused
  fetch stops the document with an error naming the template; nothing is silently
  missing. Documents attach no files.
- Images named in ``ipskit.yaml`` (a logo) are read here, checked to be inside the
  workspace, and handed to templates as ``data:`` URLs.
- Nothing derived from user data is ever passed to WeasyPrint's ``stylesheets=`` or
  ``attachments=``.

WeasyPrint is imported only here, and only when a PDF is made.
"""

from __future__ import annotations

import base64
import logging
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipskit.core.errors import IpskitError
from ipskit.core.resources import builtin_templates_dir
from ipskit.core.store import write_output as write_output  # documents import it from here
from ipskit.documents.template_guard import (
    MAX_ITEMS,
    REFUSED_RESOURCE,
    Refused,
    error_place,
    find_template_file,
    sandbox_class,
    template_loader,
    url_fetcher,
)
from ipskit.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ipskit.core.progress import Step
    from ipskit.documents.build_record import Record

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml", ".gif": "image/gif", ".webp": "image/webp"}  # fmt: skip
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def name_lang(value: Any) -> str:
    """``{{ row|name_lang }}``: the language a person's name is written in, or "".

    Given a person (a mapping with ``name`` and, where the roster says it,
    ``name_lang``), the language the trainer chose for the name wins; else, as for a
    name given alone (``{{ row.name|name_lang }}``), the language its script tells ("el"
    for Ελένη). "" leaves it to the document's.
    """
    from ipskit.core.names import name_language

    if isinstance(value, Mapping):
        return name_language(str(value.get("name") or ""), str(value.get("name_lang") or ""))
    return name_language(str(value))


class Renderer:
    """Templates and their allowed folders, for one workspace."""

    def __init__(self, workspace: Workspace | None, *, progress: Step | None = None,
                 what: str = "the document", record: Record | None = None) -> None:  # fmt: skip
        self.workspace = workspace
        #: The cohort's build record, where the documents go to its ``out`` folder: a
        #: document made before from the same inputs is kept rather than made again.
        self.record = record
        #: The participant ids whose names the document prints, for the record.
        self.people: list[str] = []
        #: Every file the layouts so far have read (stylesheets, fonts, images).
        self.reads: list[str] = []
        self._key: str | None = None
        #: Told how far a PDF has got (its pages laid out, its writing), as ``what``'s.
        self.progress = progress
        self.what = what
        folders = [builtin_templates_dir()]
        if workspace is not None and workspace.templates_dir.is_dir():
            folders.insert(0, workspace.templates_dir)
        self.folders = [f.resolve() for f in folders]
        self._env: Any = None
        self._text_env: Any = None
        #: The files the templates were read from, to find a mistake's place.
        self._sources: set[str] = set()
        self._template: str | None = None  # the last one laid out, for write()'s errors
        #: What the last PDF fetched and what it was refused (read by tests).
        self.last_fetcher: Any = None
        #: Things the trainer should know about the documents made (e.g. names no font
        #: can draw), for the command to show.
        self.warnings: list[str] = []

    @property
    def env(self) -> Any:
        """The sandboxed Jinja environment (made on first use)."""
        if self._env is None:
            self._env = self._environment(autoescape=True)
        return self._env

    @property
    def text_env(self) -> Any:
        """The same sandbox, loader and strictness for plain text (emails): no HTML escaping.

        An environment of its own, so that an HTML template can never include a text
        one and print its data unescaped.
        """
        if self._text_env is None:
            self._text_env = self._environment(autoescape=False)
        return self._text_env

    def _environment(self, *, autoescape: bool) -> Any:
        from jinja2 import StrictUndefined

        env = sandbox_class()(
            loader=template_loader(self.folders, self._sources),
            autoescape=autoescape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["name_lang"] = name_lang
        return env

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        """Render a template; any mistake in it is an error naming it and its line."""
        return self._render(self.env, template, context)

    def text(self, template: str, context: Mapping[str, Any]) -> str:
        """Render a plain-text template (an email), its data printed as it is."""
        return self._render(self.text_env, template, context)

    def _render(self, env: Any, template: str, context: Mapping[str, Any]) -> str:
        try:
            return str(env.get_template(template).render(**context))
        except IpskitError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever a template does, one line
            raise self._template_error(template, error) from None

    def _template_error(self, template: str, error: Exception) -> IpskitError:
        """The line a trainer reads for a template that failed, at its innermost place."""
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
        from jinja2.exceptions import SecurityError, UndefinedError

        found = error_place(error, self._sources)
        where = f"{found[0]}:{found[1]}" if found else self._shown(template)
        if isinstance(error, TemplateSyntaxError):
            return IpskitError(
                f"{self._shown(error.filename or template)}:{error.lineno}: {error.message}"
            )
        if isinstance(error, TemplateNotFound):
            if found is None:
                return IpskitError(f"no template '{template}' in {self._where()}")
            return IpskitError(f"{where}: no template '{error.name}' in {self._where()}")
        if isinstance(error, Refused):
            return IpskitError(
                f"{where}: the template {error}: templates must be plain files inside"
                f" {self._where()}"
            )
        if isinstance(error, SecurityError):
            return IpskitError(
                f"{where}: the template tries something templates may not do (reaching into"
                " Python); only data and filters are allowed"
            )
        if isinstance(error, UndefinedError):
            return IpskitError(f"{where}: {error.message}")
        if isinstance(error, TemplateError):
            return IpskitError(f"{where}: {error}")
        if isinstance(error, RecursionError):
            return IpskitError(
                f"{where}: the template calls itself without end (a macro or include that"
                " never stops): give it a way to stop"
            )
        if isinstance(error, (OverflowError, MemoryError)):
            return IpskitError(
                f"{where}: the template asks for too much (more than {MAX_ITEMS:,} items, or a"
                " number or text too large to make): ask for less"
            )
        # The message of an arbitrary error may quote the data: give only its kind.
        return IpskitError(
            f"{where}: the template stopped with {type(error).__name__}: check that line"
        )

    def _where(self) -> str:
        return " or ".join(str(f) for f in self.folders)

    def path_of(self, template: str) -> str:
        """The file a template (or a file beside the templates) is read from.

        The workspace's copy where there is one; a symbolic link or a way out of the
        folders is refused, so that what is named here is safe to read.
        """
        try:
            path = find_template_file(self.folders, template)
        except Refused as error:
            raise IpskitError(
                f"{self._shown(template)}: the template {error}: templates must be plain files"
                f" inside {self._where()}"
            ) from None
        return str(path or self.folders[-1] / template)

    def _shown(self, template: str) -> str:
        """The file to name in a message about a template (a refused link included)."""
        for folder in self.folders:
            if (folder / template).is_file() or (folder / template).is_symlink():
                return str(folder / template)
        return template

    def image(self, relative: str | None) -> str | None:
        """A workspace image (a logo) as a ``data:`` URL, checked to be inside it."""
        if relative is None or self.workspace is None:
            return None
        path, data = workspace_image(self.workspace, relative)
        kind = IMAGE_TYPES[path.suffix.lower()]
        return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"

    def document(
        self, template: str, context: Mapping[str, Any], target: Path, *, as_html: bool = False
    ) -> None:
        """Render ``template`` and write it to ``target``: the HTML, or the tagged PDF.

        The PDF's title is the context's ``title``; its author is the organisation and
        its language the workspace's locale.
        """
        html = self.html(template, context)
        if as_html:
            write_output(target, html)
            return
        settings = self.workspace.settings if self.workspace is not None else None
        meta = {"template": template, "title": context["title"],
                "author": settings.organisation.name if settings else "ipskit",
                "language": settings.locale if settings else "en-GB"}  # fmt: skip
        if self.reuse([target], html, **meta):
            return
        self.pdf(html, target, **meta)
        self.remember([target])

    def reuse(self, targets: Sequence[Path], html: str, *, template: str, title: str,
              author: str, language: str) -> bool:  # fmt: skip
        """Whether the targets were made before from this HTML and are as they were made.

        With no record, or a target outside its folder, never; otherwise the targets are
        told as unchanged, or the key is kept for :meth:`remember` once they are made.
        """
        self._key = None
        if self.record is None or not all(self.record.holds(t) for t in targets):
            return False
        self._key = self.record.key(template, html, title, author, language)
        if self.record.fresh(self._key, targets):
            self.record.unchanged(targets)
            return True
        return False

    def remember(self, targets: Sequence[Path], info: dict[str, Any] | None = None) -> None:
        """Note the targets, just written, in the record under the key :meth:`reuse` made."""
        if self.record is not None and self._key is not None:
            self.record.made(self._key, targets, reads=self.reads, people=self.people, info=info)

    def pdf(
        self,
        html: str,
        target: Path,
        *,
        template: str,
        title: str,
        author: str,
        language: str = "en-GB",
    ) -> None:
        """Lay out the HTML and write the PDF atomically, with its metadata."""
        document = self.layout(html, template=template)
        self.write(document, target, title=title, author=author, language=language)

    def layout(self, html: str, *, template: str) -> Any:
        """Lay the HTML out into pages (a WeasyPrint document), fetching only what is allowed.

        Relative links resolve as if the template were in the package's folder; the
        fetcher then takes the workspace's file of that name where there is one.
        """
        if self.progress is not None and "weasyprint" not in sys.modules:
            self.progress("Loading the PDF maker")
        load_weasyprint()
        from weasyprint import HTML

        self._template = template
        fetcher = self.last_fetcher = url_fetcher(self.folders)
        base = self.folders[-1] / template
        with self.pdf_errors(template), pages_told(self.progress, f"Laying out {self.what}"):
            document = HTML(string=html, base_url=base.as_uri(), url_fetcher=fetcher).render()
        self.reads += fetcher.fetched
        attached = document.metadata.attachments or any(
            link[0] == "attachment" for page in document.pages for link in page.links
        )
        if attached:
            # Attachments are fetched only when the PDF is written, by code that may not
            # come through here: refuse them now, while the template can still be named.
            raise IpskitError(
                f'{self._shown(template)}: the document attaches a file (rel="attachment"),'
                " which ipskit documents never do: remove it"
            )
        return document

    @contextmanager
    def pdf_errors(self, template: str) -> Iterator[None]:
        """Whatever stops WeasyPrint for a template's sake, as one line naming it.

        WeasyPrint's refused fetch is a ``BaseException``: caught here, like any other
        such stop it may add, but never Ctrl-C or an exit. Wrap any ``write_pdf()`` of a
        document from :meth:`layout` in it too.
        """
        try:
            yield
        except (KeyboardInterrupt, SystemExit, GeneratorExit, IpskitError):
            raise
        except (RecursionError, MemoryError):
            raise IpskitError(
                f"{self._shown(template)}: the document is too large or too deeply nested to"
                " lay out: make it smaller"
            ) from None
        except Exception:
            raise
        except BaseException:
            fetcher = self.last_fetcher
            reason = fetcher.reasons[0] if fetcher and fetcher.reasons else REFUSED_RESOURCE
            raise IpskitError(f"{self._shown(template)}: the document asks for {reason}") from None

    def write(
        self,
        document: Any,
        target: Path,
        *,
        title: str,
        author: str,
        language: str = "en-GB",
        pages: list[Any] | None = None,
    ) -> None:
        """Write a laid-out document (or some of its pages) as a tagged PDF."""
        if pages is not None:
            document = document.copy(pages)
        document.metadata.title = title
        document.metadata.authors = [author]
        document.metadata.lang = language
        self.tell(f"Writing {self.what}")
        with self.pdf_errors(self._template or "the document"):
            data = document.write_pdf(pdf_tags=True)
        write_output(target, data)

    def tell(self, what: str, done: int = 0, total: int | None = None) -> None:
        """Tell the progress callback, if there is one, what is being done now."""
        if self.progress is not None:
            self.progress(what, done, total)


def workspace_image(workspace: Workspace, relative: str) -> tuple[Path, bytes]:
    """An image the settings name (a logo, a signature), checked to be inside the workspace."""
    root = workspace.root.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise IpskitError(f"{relative}: images must be inside the workspace folder")
    if path.suffix.lower() not in IMAGE_TYPES:
        raise IpskitError(f"{relative}: use a PNG, JPEG, SVG, GIF or WebP image")
    try:
        data = path.read_bytes()
    except OSError:
        raise IpskitError(f"{relative}: no such image in the workspace") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise IpskitError(f"{relative}: the image is larger than 5 MB")
    return path, data


def process_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of worker processes for layout, or None where processes cannot be started.

    Workers import WeasyPrint themselves and run nothing from the current folder (see
    :mod:`ipskit.core.processes`). Each costs about a second to start.
    """
    from ipskit.core.processes import pool

    return pool(workers)


#: The log on which WeasyPrint says what it is doing, page by page, at INFO level.
STEPS_LOG = "weasyprint.progress"


@contextmanager
def pages_told(progress: Step | None, doing: str) -> Iterator[None]:
    """While held, each page WeasyPrint lays out is told to ``progress``, as ``doing``.

    A document is laid out in one call with no steps of its own to count; but WeasyPrint
    logs each page as it lays it out, and each page again in a second pass where page
    numbers need one, by which time the count of pages is known.
    """
    if progress is None:
        yield
        return
    progress(doing)
    log = logging.getLogger(STEPS_LOG)
    handler = _PagesHandler(progress, doing)
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # these are for the display, not for any other log's reader
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


class _PagesHandler(logging.Handler):
    """WeasyPrint's "Creating layout - Page N" lines, as a page count."""

    def __init__(self, progress: Step, doing: str) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.doing = doing
        self.pages = 0  # the most laid out so far
        self.total: int | None = None  # known once a pass has laid out every page

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if "Creating layout - Repagination" in message:
            self.total = self.pages
            return
        args = record.args if isinstance(record.args, tuple) else ()
        if "Creating layout - Page" not in message or not args or not isinstance(args[0], int):
            return
        page = args[0]
        self.pages = max(self.pages, page)
        if self.total is None:
            self.progress(f"{self.doing}: page {page}")
        else:
            self.progress(self.doing, min(page, self.total), self.total)


def load_weasyprint() -> None:
    """Import WeasyPrint, quietly: the one place it is first loaded."""
    with warnings.catch_warnings():
        # Without Debian's libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools
        # and says so when it loads: useful to us, noise to a trainer.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint  # noqa: F401
    from ipskit.documents.pdf.tagging import adapt

    adapt()
