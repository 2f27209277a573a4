"""The demo's invented participants, kept as data in ``people.yaml`` beside this module.

The file is read like any file a trainer edits (strict YAML, a closed model), so a
mistake in it is reported by line and column rather than building a different demo.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, RootModel

from ipskit.core.models import Model, Text

PEOPLE_FILE = Path(__file__).with_name("people.yaml")


class Answer(Model):
    """One answer at a follow-up: using the skills, and how many people trained since."""

    using: bool
    trained: int = Field(0, ge=0)


class Person(Model):
    """Someone on a demo roster, their attendance and their follow-up answers.

    ``marks`` has one letter per session: ``P`` present, ``L`` late, ``A`` absent, ``E``
    sent apologies, ``M`` absent and made up afterwards, ``W`` withdrew on that session's
    date (nothing is marked after it). A course still to come has no letters.
    """

    name: Text
    marks: str = Field("", pattern=r"^[PLAEMW]*$")
    certificate_name: str = ""
    name_lang: str = ""  # the name's language, where the trainer says it (cy, ga, uk)
    email: str = ""
    pronouns: str = ""
    note: str = ""  # on the one mark that needs explaining (a make-up, an apology)
    followups: dict[str, Answer] = Field(default_factory=dict)  # by follow-up point


class _Rosters(RootModel[dict[str, list[Person]]]):
    """Each cohort's people, in roster order, by cohort id."""


@functools.cache
def rosters() -> dict[str, tuple[Person, ...]]:
    """Each demo cohort's people, in roster order, by cohort id."""
    from ipskit.core import yaml_errors, yamlio

    data = yaml_errors.validate(yamlio.load(PEOPLE_FILE), _Rosters).root
    return {cohort: tuple(people) for cohort, people in data.items()}
