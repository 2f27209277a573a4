"""How many of a thing a course needs: for each person, each three, the group, each trainer."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ipskit.courses.curriculum import Curriculum, SessionBase

#: A group size to count for when there is no roster yet and the course sets no maximum.
DEFAULT_GROUP = 12


class Group(NamedTuple):
    """The people a session is counted for."""

    people: int
    trainers: int

    @property
    def threes(self) -> int:
        """Groups of three; where the numbers do not divide, one or two groups of four."""
        return max(1, self.people // 3) if self.people else 0

    def units(self, per: str) -> int:
        """How many persons, threes, groups (one) or trainers."""
        return {"person": self.people, "three": self.threes, "group": 1,
                "trainer": self.trainers}[per]  # fmt: skip

    def count(self, per: str, each: int = 1) -> int:
        """``each`` for every unit of ``per``."""
        return each * self.units(per)


def describe(per: str, each: int) -> str:
    """'2 for each person', 'one for each three', 'one for the group'."""
    how_many = "one" if each == 1 else str(each)
    return {"person": f"{how_many} for each person", "three": f"{how_many} for each three",
            "group": f"{how_many} for the group",
            "trainer": f"{how_many} for each trainer"}[per]  # fmt: skip


class Copies(NamedTuple):
    """How many of a handout to print for a session: copies, or sets of cards."""

    total: int
    per: str
    each: int
    cards: int = 0  # cards in a set (0: a single card, slip, sheet or form)

    def describe(self) -> str:
        """'15 sets of 6 cards (3 for each three)' or '14 copies (one for each person)'."""
        unit = "set" if self.cards else "copy"
        plural = {"set": "sets", "copy": "copies"}[unit] if self.total != 1 else unit
        what = f"{self.total} {plural}" + (f" of {self.cards} cards" if self.cards else "")
        return f"{what} ({describe(self.per, self.each)})"


#: The handouts ipskit makes itself: whom each is printed for.
BUILTIN_PER = {
    "support-card": "person",
    "certificate-to-follow": "person",
    "contact-sharing": "group",
    "evaluation-form": "person",
}


def copies(curriculum: Curriculum, session: SessionBase, handout_id: str, group: Group) -> Copies:
    """How many of a handout a session needs for this group."""
    if handout_id == "role-cards":  # a set for each three: one card a role, every role play
        roles = sum(len(scene.roles) for _, scene in session.role_plays())
        return Copies(group.threes, "three", 1, roles)
    if handout_id in BUILTIN_PER:
        per = BUILTIN_PER[handout_id]
        return Copies(group.count(per), per, 1)
    handout = next(h for h in curriculum.handouts if h.id == handout_id)
    is_set = handout.kind in ("card", "slip") and len(handout.items) > 1
    return Copies(group.count(handout.per, handout.count), handout.per, handout.count,
                  len(handout.items) if is_set else 0)  # fmt: skip
