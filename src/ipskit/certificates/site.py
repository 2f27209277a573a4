"""A static page anyone can open to check a certificate, with no names and no codes in it.

``ipskit certificates publish`` writes a folder to put on any web host (or open from a
USB stick): ``index.html``, ``verify.css``, ``verify.js`` and the data, ``register.js``.
The data lists every certificate of the workspace under a key derived from its code
(PBKDF2-HMAC-SHA-256 with a salt of the organisation's own and many iterations), with
only what a verifier needs: its status, course, issue date, contact hours and the
SHA-256 of the PDF issued. Someone who downloads it learns how many certificates there
are and for which courses, and nothing about who holds them; finding a code from its
key means trying the codes one by one, each at the cost of all those iterations.

Checking happens in the browser: the code from the address (``verify#K7QM-4XTD``: a
fragment is never sent to the server), a code typed in, or a PDF dropped on the page.

The output depends only on the registers and the settings: keys sorted, no timestamps,
so publishing again after no change rewrites nothing, and the folder can be kept in
version control.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ipskit.cohorts.certificate_register import Entry, current, registers
from ipskit.core.errors import IpskitError
from ipskit.core.progress import Step
from ipskit.workspace import Workspace

ITERATIONS = 10_000
TEMPLATE_FOLDER = "verify"
PAGE = "index.html"
STATIC = ("verify.css", "verify.js")
DATA = "register.js"
STATUS = {"issued": "valid", "superseded": "superseded", "revoked": "revoked"}


class Published(NamedTuple):
    """What publishing wrote."""

    folder: Path
    certificates: int
    changed: list[str]  # the files whose bytes changed, by name


def salt_of(workspace: Workspace) -> bytes:
    """The workspace's salt: the same every time, and different for every organisation.

    It is public (the page needs it): its work is to make a table of keys made for one
    organisation useless for another's.
    """
    settings = workspace.settings
    seed = f"ipskit verify\0{settings.organisation.name}\0{settings.verification_url or ''}"
    return hashlib.sha256(seed.encode("utf-8")).digest()[:16]


def key_of(code: str, salt: bytes) -> str:
    """The key a certificate is listed under: PBKDF2 of its code, in hex."""
    return hashlib.pbkdf2_hmac("sha256", code.encode("utf-8"), salt, ITERATIONS).hex()


def register_data(workspace: Workspace, progress: Step | None = None) -> dict[str, Any]:
    """Every certificate of the workspace, keyed by a salted hash of its code.

    ``progress`` is told of each certificate's key as it is worked out (the slow part).
    """
    salt = salt_of(workspace)
    listed: dict[str, dict[str, Any]] = {}
    found = [(cohort, entries, current(entries)) for cohort, entries in registers(workspace)]
    total = sum(len(standing) for _, _, standing in found)
    done = 0

    def one_more() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("Working out each certificate's key", done, total)

    for cohort, entries, standing in found:
        issued = {e.code: e for e in entries if e.status == "issued"}
        keys = _keys(cohort.folder, list(standing), salt, one_more)
        for code, latest in standing.items():
            first = issued.get(code, latest)
            listed[keys[code]] = _listing(first, latest)
    organisation = workspace.settings.organisation
    return {
        "format": 1,
        "organisation": {"name": organisation.name, "contact": organisation.contact},
        "kdf": {
            "algorithm": "PBKDF2-HMAC-SHA-256",
            "iterations": ITERATIONS,
            "salt": salt.hex(),
        },  # fmt: skip
        "certificates": dict(sorted(listed.items())),
    }


KEYS_CACHE = ".publish-keys.json"


def _keys(folder: Path, codes: list[str], salt: bytes,
          one_more: Callable[[], None]) -> dict[str, str]:  # fmt: skip
    """Each code's key, kept beside the cohort's register so that publishing again is quick.

    The keys are slow to make on purpose. The cache lives in the cohort's private folder,
    where the register already holds the codes; it is remade whenever the salt changes.
    """
    import contextlib

    from ipskit.core import store

    path = folder / KEYS_CACHE
    tag = f"{salt.hex()}:{ITERATIONS}"
    known: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
        saved = json.loads(path.read_bytes())
        if saved["for"] == tag:
            known = {str(k): str(v) for k, v in saved["keys"].items()}
    keys: dict[str, str] = {}
    for code in codes:
        keys[code] = known.get(code) or key_of(code, salt)
        one_more()
    if keys != known:
        with contextlib.suppress(OSError):  # a read-only folder simply goes without
            store.write_atomic(path, json.dumps({"for": tag, "keys": keys}), durable=False)
    return keys


def _listing(first: Entry, latest: Entry) -> dict[str, Any]:
    status = STATUS[latest.status]
    reason: str | None = None
    if status == "revoked":
        reason = latest.reason
    elif status == "superseded":
        # The register says which code replaced it; the page must not carry codes.
        reason = "replaced by a newer certificate"
    return {
        "status": status,
        "course": first.course,
        "issued": first.issued.isoformat(),
        "hours": first.hours,
        "sha256": first.sha256,
        "date": latest.date.isoformat() if status != "valid" else None,
        "reason": reason,
    }


def register_script(data: dict[str, Any]) -> str:
    """``register.js``: the data as a script, so that the page works from ``file://`` too."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "</" cannot end a script element inside JSON strings written this way.
    text = text.replace("</", "<\\/")
    return (
        "/* Certificates issued, for checking them: no names, and no codes in the clear."
        " Made by ipskit. */\n"
        f"window.IPSKIT_REGISTER = {text};\n"
    )


def on_colour(colour: str) -> str:
    """Near-black or white, whichever reads better on ``colour`` (#RRGGBB)."""
    from ipskit.core.colours import WHITE, contrast

    dark = "#1d1d1b"
    return WHITE if contrast(colour, WHITE) >= contrast(colour, dark) else dark


def publish(workspace: Workspace, folder: Path | None = None, *,
            progress: Step | None = None) -> Published:  # fmt: skip
    """Write the verification site to ``folder`` (default ``out/verify``), in place."""
    from ipskit.documents.render import Renderer

    target = folder or workspace.root / "out" / "verify"
    if target.exists() and not target.is_dir():
        raise IpskitError(f"{target}: exists and is not a folder")
    renderer = Renderer(workspace)
    settings = workspace.settings
    organisation = settings.organisation
    files: dict[str, bytes] = {}
    logo = _logo(workspace)
    if logo is not None:
        files[logo[0]] = logo[1]
    context = {
        "language": settings.locale,
        "title": f"Check a certificate: {organisation.name}",
        "organisation": {
            "name": organisation.name,
            "contact": organisation.contact,
            "colour": organisation.colour,
            "on_colour": on_colour(organisation.colour),
            "logo": logo[0] if logo else None,
        },
    }
    files[PAGE] = renderer.html(f"{TEMPLATE_FOLDER}/{PAGE}", context).encode("utf-8")
    for name in STATIC:
        source = Path(renderer.path_of(f"{TEMPLATE_FOLDER}/{name}"))
        files[name] = source.read_bytes()
    data = register_data(workspace, progress)
    files[DATA] = register_script(data).encode("utf-8")
    return Published(target, len(data["certificates"]), _write(target, files))


def _logo(workspace: Workspace) -> tuple[str, bytes] | None:
    from ipskit.documents.render import workspace_image

    relative = workspace.settings.organisation.logo
    if relative is None:
        return None
    path, data = workspace_image(workspace, relative)
    return f"logo{path.suffix.lower()}", data


def _write(target: Path, files: dict[str, bytes]) -> list[str]:
    """Write the files that changed, each atomically; leave the others untouched.

    The site is public: it holds no personal data, so its files are readable by all
    (a web server must read them), unlike everything else ipskit writes.
    """
    import os

    from ipskit.core import store

    target.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, data in sorted(files.items()):
        path = target / name
        if path.is_file() and path.read_bytes() == data:
            continue
        store.write_atomic(path, data)
        os.chmod(path, 0o644)
        changed.append(name)
    os.chmod(target, 0o755)
    return changed
