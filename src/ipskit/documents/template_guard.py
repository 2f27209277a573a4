"""What a document may read: templates and files inside the two template folders, nothing else.

Templates run in Jinja's immutable sandbox, held to sizes a document can use; WeasyPrint
fetches only ``data:`` URLs and files found in the workspace's templates folder or the
package's, never a link, a name that climbs out, the network or another file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ipskit.core.store import write_output as write_output  # documents import it from here

#: Jinja's sandbox allows ranges of at most this many items; texts and lists made by
#: ``*`` are held to a hundred times as many.
MAX_ITEMS = 100_000
#: How often one document may fetch the same file: more is a style sheet importing itself.
MAX_FETCHES = 20
_NOT_FETCHED = "ipskit does not fetch"
_ADVICE = "use images and styles inside the templates folder"
REFUSED_RESOURCE = f"a resource, which {_NOT_FETCHED}: {_ADVICE}"
_SELF_IMPORT = (
    "a file in the workspace's templates replaces the built-in one of that name, so give"
    " yours a name of its own"
)


class Refused(Exception):
    """A template or file the template folders may not give: a link, or a way out of them."""

    def __init__(self, name: str, reason: str, advice: str = _ADVICE) -> None:
        super().__init__(f"'{name}' {reason}")
        self.name, self.reason, self.advice = name, reason, advice


def find_template_file(folders: Sequence[Path], name: str) -> Path | None:
    """The file ``name`` (relative, ``/``-separated) in the first folder that has it.

    Raises :class:`Refused` for a name that climbs out (``..``) and for a symbolic link
    anywhere on the way inside a folder, whichever folder it is in: a link in the
    workspace's folder is a mistake to point out, not a reason to use the built-in file.
    """
    parts = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    if not parts or ".." in parts:
        raise Refused(name, "is outside the templates folders")
    for folder in folders:
        path = folder
        for part in parts:
            path = path / part
            if path.is_symlink():
                raise Refused(name, f"is a symbolic link ({path})")
        if path.is_file():
            if not path.resolve().is_relative_to(folder):
                raise Refused(name, "is outside the templates folders")
            return path
    return None


def url_fetcher(folders: list[Path]) -> Any:
    """WeasyPrint's fetcher for one document: ``data:`` URLs and the folders' files only.

    It keeps the reasons for what it refused, so the error can name them.
    """
    import os
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type information
        """Fetches ``data:`` URLs and files in the template folders; refuses the rest."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False,
                             fail_on_errors=True)  # fmt: skip
            self.refused: list[str] = []
            self.fetched: list[str] = []
            #: Why each refused URL was refused, as the end of "the document asks for ...".
            self.reasons: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            path = None
            try:
                path = self._allowed(parts) if parts.scheme == "file" else None
                if path is None:
                    raise Refused(url[:200], "")
                response = super().fetch(path.as_uri(), headers)
            except Refused as refusal:
                self.refused.append(url[:200])
                self.reasons.append(
                    f"{refusal.name}, which {refusal.reason or _NOT_FETCHED}: {refusal.advice}"
                )
                raise ValueError("refused") from None
            except Exception:
                self.refused.append(url[:200])
                self.reasons.append(f"{path or url[:200]}, which cannot be read: {_ADVICE}")
                raise
            self.fetched.append(str(path))
            return response

        def _allowed(self, parts: Any) -> Path | None:
            """The file a ``file:`` URL stands for: the same name, workspace first."""
            if parts.netloc or parts.query:
                return None
            # Lexically, not resolved: a link is refused, never followed.
            wanted = Path(os.path.normpath(unquote(parts.path)))
            for folder in folders:
                if wanted.is_relative_to(folder):
                    name = wanted.relative_to(folder).as_posix()
                    path = find_template_file(folders, name)
                    if path is None:
                        raise Refused(name, "is in neither templates folder")
                    if self.fetched.count(str(path)) >= MAX_FETCHES:
                        raise Refused(name, "imports itself", _SELF_IMPORT)
                    return path
            return None

    return Fetcher()


def template_loader(folders: list[Path], sources: set[str]) -> Any:
    """Jinja's loader for the folders; each template's path is added to ``sources``."""
    from jinja2 import BaseLoader, TemplateNotFound

    class FolderLoader(BaseLoader):
        """Templates from the folders, first found first; no link, no way out."""

        def get_source(self, environment: Any, template: str) -> Any:
            path = find_template_file(folders, template)
            if path is None:
                raise TemplateNotFound(template)
            try:
                source = path.read_text(encoding="utf-8")
                mtime = path.stat().st_mtime
            except (OSError, UnicodeDecodeError):
                raise Refused(template, f"cannot be read as UTF-8 text ({path})") from None
            sources.add(str(path))

            def unchanged() -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return source, str(path), unchanged

    return FolderLoader()


def sandbox_class() -> Any:
    """Jinja's immutable sandbox, also refusing sums that would exhaust the computer."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sizes = [len(v) for v in (left, right) if isinstance(v, (str, list, tuple))]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if operator == "*" and sizes and counts and sizes[0] * counts[0] > MAX_ITEMS * 100:
                raise OverflowError("text or list too long")
            if operator == "**" and isinstance(right, int) and isinstance(left, int):
                if abs(left) > 1 and right > 1000:
                    raise OverflowError("number too large")
            return super().call_binop(context, operator, left, right)

    return Sandbox


def error_place(error: BaseException, sources: set[str]) -> tuple[str, int] | None:
    """The innermost template file and line a rendering error passed through.

    Jinja rewrites a template's frames to carry its file name and line, so the traceback
    says which of the templates (the one included, or the one including) was at fault.
    """
    found = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in sources:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
