"""How work that takes seconds tells whoever started it how far it has got.

A function that makes documents, certificates or messages takes an optional ``progress``
callback, a :class:`Step`, and calls it as it goes: what it is doing, and where there
are countable steps (sessions, people, documents) how many of how many are done. It
never needs one: the command line passes one only when someone is watching a terminal.
"""

from __future__ import annotations

from typing import Protocol


class Step(Protocol):
    """Told what is being done now, and ``done`` of ``total`` where the total is known."""

    def __call__(self, what: str, done: int = 0, total: int | None = None) -> None:
        """Say what is being done; ``total`` None when there is nothing to count."""
