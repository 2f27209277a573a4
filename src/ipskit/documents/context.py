"""What every document needs: the course it is for, and the organisation's branding.

A document is made either for a cohort (dated, from the copy of the curriculum the
cohort keeps) or for a curriculum alone (undated, e.g. to prepare a course).
"""

from __future__ import annotations

from typing import Any

from ipskit.documents.render import Renderer
from ipskit.workspace import Workspace


def paragraphs(text: str | None) -> list[str]:
    """Curriculum text split into paragraphs, where its author left a line break."""
    return [part.strip() for part in (text or "").split("\n") if part.strip()]


def organisation(workspace: Workspace, renderer: Renderer) -> dict[str, Any]:
    """The organisation's name, logo, colour, contact line and signposting, for templates.

    Signposting is the support line, and where set the named contact and supervision
    route that people on a course, and those who offer peer support after it, turn to.
    """
    settings = workspace.settings
    return {
        "name": settings.organisation.name,
        "logo": renderer.image(settings.organisation.logo),
        "colour": settings.organisation.colour,
        "contact": settings.organisation.contact,
        "support": settings.support,
        "named_contact": settings.named_contact,
        "supervision": settings.supervision,
    }
