"""The one way ipskit makes documents: data → Jinja template → HTML → PDF.

- Templates come from the package's ``templates/``; a file of the same name in the
  workspace's ``templates/`` replaces it. All of them run in Jinja's immutable sandbox
  with HTML autoescaping and ``StrictUndefined``: names and curriculum text are data,
  never markup, and a template that reaches for Python internals is refused.
- WeasyPrint fetches nothing but ``data:`` URLs and files inside the package's and the
  workspace's template folders: no network, no other file, no redirect. A refused fetch
  stops the document with an error naming the template; nothing is silently missing.
- Images named in ``ipskit.yaml`` (a logo) are read here, checked to be inside the
  workspace, and handed to templates as ``data:`` URLs.
- Nothing derived from user data is ever passed to WeasyPrint's ``stylesheets=`` or
  ``attachments=``.

WeasyPrint is imported only here, and only when a PDF is made.
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipskit import store
from ipskit.errors import IpskitError
from ipskit.resources import builtin_templates_dir
from ipskit.workspace import Workspace

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml", ".gif": "image/gif", ".webp": "image/webp"}  # fmt: skip
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class Renderer:
    """Templates and their allowed folders, for one workspace."""

    def __init__(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        folders = [builtin_templates_dir()]
        if workspace is not None and workspace.templates_dir.is_dir():
            folders.insert(0, workspace.templates_dir)
        self.folders = [f.resolve() for f in folders]
        self._env: Any = None
        #: What the last PDF fetched and what it was refused (read by tests).
        self.last_fetcher: Any = None
        #: Things the trainer should know about the documents made (e.g. names no font
        #: can draw), for the command to show.
        self.warnings: list[str] = []

    @property
    def env(self) -> Any:
        """The sandboxed Jinja environment (made on first use)."""
        if self._env is None:
            from jinja2 import FileSystemLoader, StrictUndefined
            from jinja2.sandbox import ImmutableSandboxedEnvironment

            self._env = ImmutableSandboxedEnvironment(
                loader=FileSystemLoader([str(f) for f in self.folders]),
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
        return self._env

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        """Render a template; any mistake in it is an error naming it and its line."""
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
        from jinja2.exceptions import SecurityError, UndefinedError

        try:
            return str(self.env.get_template(template).render(**context))
        except TemplateNotFound:
            raise IpskitError(f"no template '{template}' in {self._where()}") from None
        except TemplateSyntaxError as error:
            raise IpskitError(
                f"{self.path_of(error.filename or template)}:{error.lineno}: {error.message}"
            ) from None
        except SecurityError as error:
            raise IpskitError(
                f"{self.path_of(template)}{_line(error)}: the template tries something templates"
                " may not do (reaching into Python); only data and filters are allowed"
            ) from None
        except UndefinedError as error:
            raise IpskitError(f"{self.path_of(template)}{_line(error)}: {error.message}") from None
        except TemplateError as error:
            raise IpskitError(f"{self.path_of(template)}{_line(error)}: {error}") from None

    def _where(self) -> str:
        return " or ".join(str(f) for f in self.folders)

    def path_of(self, template: str) -> str:
        """The file a template is read from (the workspace's copy where there is one)."""
        for folder in self.folders:
            if (folder / template).is_file():
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
        self.pdf(
            html, target, template=template, title=context["title"],
            author=settings.organisation.name if settings else "ipskit",
            language=settings.locale if settings else "en-GB",
        )  # fmt: skip

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
        """Lay the HTML out into pages (a WeasyPrint document), fetching only what is allowed."""
        load_weasyprint()
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        fetcher = self.last_fetcher = _fetcher(self.folders)
        base = self.folders[-1] / template
        try:
            return HTML(string=html, base_url=base.as_uri(), url_fetcher=fetcher).render()
        except FatalURLFetchingError:
            refused = ", ".join(fetcher.refused) or "a resource"
            raise IpskitError(
                f"{self.path_of(template)}: the document asks for {refused}, which ipskit does"
                " not fetch: use images and styles inside the templates folder"
            ) from None

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
        write_output(target, document.write_pdf(pdf_tags=True))


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


def write_output(target: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write a document atomically: whole, or not at all, with a clear error.

    ``durable=False`` leaves flushing to the caller (see :func:`ipskit.store.sync_files`).
    """
    try:
        if not target.parent.is_dir():  # a folder the user already has keeps its permissions
            store.make_private_dir(target.parent)
        store.write_atomic(target, data, durable=durable)
    except OSError as error:
        raise IpskitError(f"{target}: cannot write it ({error.strerror or error})") from None


def process_pool(workers: int) -> Any:
    """A pool of worker processes for layout, or None where processes cannot be started.

    Workers import WeasyPrint themselves and run nothing from the current folder (see
    :mod:`ipskit.processes`). Each costs about a second to start.
    """
    from ipskit.processes import pool

    return pool(workers)


def _line(error: Exception) -> str:
    lineno = getattr(error, "lineno", None)
    return f":{lineno}" if lineno else ""


def load_weasyprint() -> None:
    """Import WeasyPrint, quietly: the one place it is first loaded."""
    with warnings.catch_warnings():
        # Without Debian's libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools
        # and says so when it loads: useful to us, noise to a trainer.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint  # noqa: F401


def _fetcher(folders: list[Path]) -> Any:
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):
        """Fetches ``data:`` URLs and files in the template folders; refuses the rest."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False,
                             fail_on_errors=True)  # fmt: skip
            self.refused: list[str] = []
            self.fetched: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(folder) for folder in folders) and path.is_file():
                    self.fetched.append(str(path))
                    return super().fetch(path.as_uri(), headers)
            self.refused.append(url[:200])
            raise ValueError("refused")

    return Fetcher()
