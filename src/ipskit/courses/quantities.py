"""How many of a thing a course needs: for each person, each three, the group, each trainer."""

from __future__ import annotations

from typing import NamedTuple

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
