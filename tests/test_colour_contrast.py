"""The organisation's colour: headings in it, and white text on it, must be readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run
from ipskit.core.colours import READABLE, WHITE, contrast, luminance, ratio_text
from ipskit.demo.build import settings_text as demo_settings_text
from ipskit.workspace import Workspace
from ipskit.workspace.settings import DEFAULT_COLOUR, Settings

#: Of all #RRGGBB colours, the one just above 4.5:1 with white, and the one just below.
LOWEST_PASSING = "#7c7290"
HIGHEST_FAILING = "#9a6c5a"


# --- the ratio ----------------------------------------------------------------------------------


def test_black_and_white_are_twenty_one_to_one_either_way_round():
    assert (luminance("#000000"), luminance(WHITE)) == (0.0, 1.0)
    assert contrast("#000000", WHITE) == contrast(WHITE, "#000000") == 21.0
    assert contrast("#2f5d62", "#2f5d62") == 1.0


@pytest.mark.parametrize(
    ("colour", "shown", "readable"),
    [("#777777", "4.47", False), ("#767676", "4.54", True), (DEFAULT_COLOUR, "7.33", True),
     ("#3d5a80", "7.06", True), ("#7fb3b8", "2.32", False), ("#000000", "21.00", True),
     ("#FFFFFF", "1.00", False)],
)  # fmt: skip
def test_known_ratios_with_white(colour, shown, readable):
    ratio = contrast(colour, WHITE)
    assert ratio_text(ratio) == shown
    assert (ratio >= READABLE) is readable


def test_the_greys_either_side_of_the_line():
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.005)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.005)


def test_a_ratio_is_rounded_down_so_a_failing_one_never_shows_as_passing():
    assert ratio_text(4.4999) == "4.49"
    assert ratio_text(4.5) == "4.50"
    assert 4.4999 < contrast(HIGHEST_FAILING, WHITE) < READABLE
    assert ratio_text(contrast(HIGHEST_FAILING, WHITE)) == "4.49"
    assert READABLE <= contrast(LOWEST_PASSING, WHITE) < 4.5001


# --- the colours ipskit writes itself ----------------------------------------------------------


def test_the_default_colour_passes_and_is_the_one_a_new_workspace_suggests(ws):
    assert Settings.model_validate({"organisation": {"name": "R"}}).organisation.colour == (
        DEFAULT_COLOUR
    )
    assert contrast(DEFAULT_COLOUR, WHITE) >= READABLE
    assert f'# colour: "{DEFAULT_COLOUR}"' in (ws / "ipskit.yaml").read_text()


def test_the_demos_colour_passes(tmp_path):
    (tmp_path / "ipskit.yaml").write_text(demo_settings_text(), encoding="utf-8")
    colour = Workspace(tmp_path).settings.organisation.colour
    assert colour == "#3d5a80"
    assert contrast(colour, WHITE) >= READABLE


# --- ipskit.yaml --------------------------------------------------------------------------------


def use_colour(ws: Path, colour: str) -> tuple[Path, int]:
    """Set the workspace's colour; the settings file and the colour's line."""
    settings = ws / "ipskit.yaml"
    text = settings.read_text(encoding="utf-8")
    before, commented, after = text.partition(f'  # colour: "{DEFAULT_COLOUR}"')
    assert commented, text
    settings.write_text(f'{before}  colour: "{colour}"{after}', encoding="utf-8")
    return settings, before.count("\n") + 1


def files_of(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    ("colour", "shown"), [("#7fb3b8", "2.32"), ("#f2c200", "1.68"), (HIGHEST_FAILING, "4.49")]
)
def test_a_colour_too_light_for_text_is_refused_with_its_line_and_nothing_is_written(
    ws, colour, shown
):
    settings, line = use_colour(ws, colour)
    before = files_of(ws)
    result = run("-w", str(ws), "certificates", "publish")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{settings}:{line}:11: organisation.colour: '{colour}' gives a contrast of"
        f" {shown}:1 with white, below the 4.5:1 that text needs to be readable (WCAG AA):"
        " choose a darker colour, such as #2f5d62\n"
    )
    assert files_of(ws) == before
    assert not (ws / "out").exists()


def test_check_lists_a_colour_too_light_among_the_workspaces_problems(ws):
    settings, line = use_colour(ws, "#7fb3b8")
    result = run("-w", str(ws), "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{settings}:{line}:11: organisation.colour: '#7fb3b8' gives a contrast of 2.32:1"
        " with white, below the 4.5:1 that text needs to be readable (WCAG AA):"
        " choose a darker colour, such as #2f5d62"
    )


@pytest.mark.parametrize("colour", [LOWEST_PASSING, "#767676", "#2F5D62"])
def test_a_colour_at_or_just_above_the_line_is_used(ws, colour):
    use_colour(ws, colour)
    result = run("-w", str(ws), "certificates", "publish")
    assert result.exit_code == 0, result.output
    page = (ws / "out" / "verify" / "index.html").read_text(encoding="utf-8")
    assert f"--brand: {colour}; --on-brand: #ffffff;" in page
