"""The locale a workspace's ``ipskit.yaml`` names (``locale: en-GB``), and whether it is one.

The locale decides how dates and hours are printed (:mod:`ipskit.core.dateformat`) and
how a spreadsheet's short dates are read (:func:`ipskit.core.dates.written_date`).
"""

from __future__ import annotations

import re
from pathlib import Path

#: The settings file at the top of a workspace.
SETTINGS_FILE = "ipskit.yaml"
#: ipskit's own: its wording is British English.
DEFAULT = "en-GB"
#: How ``ipskit.yaml`` writes a locale: a language, and perhaps a region (``de-DE``).
PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"

_LOCALE_LINE = re.compile(
    rb"""^locale:[ \t]*["']?([a-z]{2,3}(?:-[A-Z]{2})?)["']?[ \t]*(?:#.*)?$""", re.MULTILINE
)
_locales: dict[tuple[Path, int, int], str] = {}


def locale_near(path: Path) -> str:
    """The locale of the workspace holding ``path`` (as its ``ipskit.yaml`` says), or en-GB.

    ``path`` is a file or folder up to four levels inside the workspace (a cohort's
    roster, the cohorts folder). The settings file is scanned for its ``locale:`` line
    rather than loaded and validated: that would make a hand-made mistake elsewhere in
    ``ipskit.yaml`` stop the reading of a roster, and bring the validation library into
    commands that must start quickly.
    """
    for folder in [path, *list(path.parents)[:4]]:
        settings = folder / SETTINGS_FILE
        try:
            seen = settings.stat()
        except OSError:
            continue
        key = (settings, seen.st_mtime_ns, seen.st_size)
        if key not in _locales:
            try:
                found = _LOCALE_LINE.search(settings.read_bytes())
            except OSError:
                found = None
            _locales[key] = found.group(1).decode() if found else DEFAULT
        return _locales[key]
    return DEFAULT


def known_locale(text: str) -> str:
    """The locale, if it is one whose dates ipskit can print; ValueError if not.

    Babel knows the CLDR's locales; a language it knows with a region it does not
    (``de-XX``) is refused too, so that a typing mistake is not silently another form.
    """
    if text == DEFAULT:
        return text
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ValueError(
            f"'{text}' is not a locale ipskit knows: write a language and region such as"
            " en-GB, en-IE, de-DE or fr-FR"
        ) from None
    return text
