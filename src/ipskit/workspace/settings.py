"""The settings in a workspace's ``ipskit.yaml``: organisation, signatories, locale, email."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator

from ipskit.core import locales
from ipskit.core.colours import READABLE, WHITE, contrast, ratio_text
from ipskit.core.models import Model, Text

#: The colour of headings when ``ipskit.yaml`` names none; 7.33:1 with white.
DEFAULT_COLOUR = "#2f5d62"


def _readable_colour(colour: str) -> str:
    """The colour, if headings in it on white, and white text on it, are readable."""
    # One ratio covers both uses: contrast is symmetric, so the colour as text on white
    # and white text on the colour measure the same.
    ratio = contrast(colour, WHITE)
    if ratio < READABLE:
        raise ValueError(
            f"'{colour}' gives a contrast of {ratio_text(ratio)}:1 with white, below the"
            f" {READABLE}:1 that text needs to be readable (WCAG AA): choose a darker colour,"
            f" such as {DEFAULT_COLOUR}"
        )
    return colour


class Organisation(Model):
    """Who runs the courses, as printed on every document."""

    name: Text
    logo: Text | None = Field(None, description="An image file, relative to the workspace.")
    contact: Text | None = Field(None, description="A line of contact details.")
    colour: Annotated[
        str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), AfterValidator(_readable_colour)
    ] = Field(
        DEFAULT_COLOUR,
        description="The colour of headings, as #RRGGBB, at least 4.5:1 against white.",
    )


def _person_name(text: str) -> str:
    from ipskit.core.names import check_name

    return check_name(text, "the name")


class Signatory(Model):
    """Someone who signs certificates."""

    # Checked as participants' names are: no control or direction-override characters.
    name: Annotated[Text, AfterValidator(_person_name)]
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


#: The hosts that ``security: none`` may be used with: a relay on this computer.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _address(text: str) -> str:
    """An address as a From or Reply-To line holds it: ``Name <someone@example.org>``."""
    from email.utils import parseaddr

    _name, address = parseaddr(text)
    if any(ch in text for ch in "\r\n") or not re.fullmatch(
        r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address
    ):
        raise ValueError(
            'expected an email address, e.g. "Riverside Peer Network <training@example.org>"'
        )
    return text


Address = Annotated[Text, AfterValidator(_address)]


def _host(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:-]+", text):
        raise ValueError("expected a server name such as smtp.example.org (no https://, no port)")
    return text


Host = Annotated[Text, AfterValidator(_host)]


class Email(Model):
    """How ``ipskit send`` reaches the organisation's mail server.

    The password is never kept here: it is read from the environment variable named by
    ``password_env``, or from the system keyring.
    """

    host: Host = Field(description="The mail server, e.g. smtp.example.org.")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(
        587, description="587 for starttls, 465 for ssl."
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls or ssl; none only for a relay on this computer."
    )
    username: Text | None = Field(None, description="The login, if the server needs one.")
    sender: Address = Field(description='Who the messages are from: "Name <address@example.org>".')
    reply_to: Address | None = Field(None, description="Where replies go, if not the sender.")
    password_env: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] = Field(
        "IPSKIT_SMTP_PASSWORD", description="The environment variable with the password."
    )

    @field_validator("security")
    @classmethod
    def _encrypted_over_a_network(cls, value: str, info: ValidationInfo) -> str:
        # People's certificates and names must never cross a network in the clear.
        host = str(info.data.get("host", "")).lower()
        if value == "none" and host not in LOCAL_HOSTS:
            raise ValueError(
                "security: none is only for a mail server on this computer (localhost):"
                " use starttls or ssl"
            )
        return value


class Settings(Model):
    """The contents of ``ipskit.yaml``."""

    organisation: Organisation
    signatories: list[Signatory] = Field(default_factory=list)
    locale: Annotated[
        str, StringConstraints(pattern=locales.PATTERN), AfterValidator(locales.known_locale)
    ] = Field(locales.DEFAULT, description="How dates and hours are written, e.g. en-GB or de-DE.")
    support: Text = Field(
        "If today has stirred things up for you, you can talk to Samaritans at any time,"
        " free, on 116 123, or email jo@samaritans.org. In an emergency, call 999.",
        description="Where to get support, printed on documents people take home.",
    )
    named_contact: Text | None = Field(
        None,
        description="Who people on a course, and those who have finished it, can contact"
        " about the course or a worry, e.g. 'Sam Ahmed, peer support lead, 01632 960123'.",
    )
    supervision: Text | None = Field(
        None,
        description="Where people who offer peer support after a course take a worry about"
        " someone's safety, or their own, e.g. 'the duty manager on 01632 960456'.",
    )
    accredited: bool = Field(
        False,
        description="Whether the organisation's trainers are accredited by Intentional Peer"
        " Support: only then do certificates say a course is an IPS course rather than"
        " based on the IPS approach.",
    )
    timezone: TimeZone = Field(
        "Europe/London", description="Where sessions take place, for calendars."
    )
    verification_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"']+$")] | None = (
        Field(None, description="Where a certificate's QR code points (https only).")
    )
    email: Email | None = Field(
        None, description="The mail server for 'ipskit send' (no password here)."
    )
