"""The settings in a workspace's ``ipskit.yaml``: organisation, signatories, locale."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from ipskit.models import Model, Text


class Organisation(Model):
    """Who runs the courses, as printed on every document."""

    name: Text
    logo: Text | None = Field(None, description="An image file, relative to the workspace.")
    contact: Text | None = Field(None, description="A line of contact details.")
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = Field(
        "#2f5d62", description="The colour of headings, as #RRGGBB."
    )


class Signatory(Model):
    """Someone who signs certificates."""

    name: Text
    role: Text | None = None
    signature: Text | None = Field(None, description="An image file, relative to the workspace.")


def _time_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{name}' is not a time zone: use a name such as Europe/London or Europe/Dublin"
        ) from None
    return name


TimeZone = Annotated[str, AfterValidator(_time_zone)]


class Settings(Model):
    """The contents of ``ipskit.yaml``."""

    organisation: Organisation
    signatories: list[Signatory] = Field(default_factory=list)
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en-GB"
    support: Text = Field(
        "If today has stirred things up for you, you can talk to Samaritans at any time,"
        " free, on 116 123, or email jo@samaritans.org. In an emergency, call 999.",
        description="Where to get support, printed on documents people take home.",
    )
    timezone: TimeZone = Field(
        "Europe/London", description="Where sessions take place, for calendars."
    )
    verification_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"']+$")] | None = (
        Field(None, description="Where a certificate's QR code points (https only).")
    )
