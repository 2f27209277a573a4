"""How well text reads on a colour: WCAG 2.x relative luminance and contrast ratio."""

from __future__ import annotations

import math

WHITE = "#ffffff"
#: WCAG AA for ordinary text: below this, headings are hard to read for many people.
READABLE = 4.5


def luminance(colour: str) -> float:
    """The relative luminance of ``#RRGGBB``: 0 for black, 1 for white (sRGB, WCAG 2.x)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two ``#RRGGBB`` colours, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ratio_text(ratio: float) -> str:
    """A ratio to two decimals, rounded down: 4.499 is "4.49", never a passing "4.50"."""
    return f"{math.floor(ratio * 100) / 100:.2f}"
