"""Figures as people read them, the same way in every table, report and document."""


def figure(value: int | float | None, suffix: str = "") -> str:
    """A figure to print: 1,234; 22.5; 83.3%; a dash for none."""
    if value is None:
        return "–"
    if suffix == "%":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"
