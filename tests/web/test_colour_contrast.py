"""WCAG 2.1 AA contrast of the colour pairs the pages use, read from the built theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# Built by `make assets`; the tests fail when it is missing.
BUNDLE = Path(__file__).resolve().parents[2] / "engine/web/static/dist/designsystemet.css"

# (foreground, background, minimum ratio): 4.5 for text, 3 for borders of inputs (WCAG 2.1
# success criteria 1.4.3 and 1.4.11).
PAIRS = [
    ("neutral-text-default", "neutral-background-tinted", 4.5),
    ("neutral-text-subtle", "neutral-background-tinted", 4.5),
    ("neutral-text-subtle", "neutral-background-default", 4.5),
    ("accent-text-subtle", "neutral-background-default", 4.5),
    ("accent-text-subtle", "neutral-background-tinted", 4.5),
    ("accent-base-contrast-default", "accent-base-default", 4.5),
    ("danger-text-default", "danger-surface-tinted", 4.5),
    ("danger-text-subtle", "neutral-background-default", 4.5),
    ("warning-text-default", "warning-surface-tinted", 4.5),
    ("info-text-default", "info-surface-tinted", 4.5),
    ("success-text-default", "success-surface-tinted", 4.5),
    ("neutral-border-default", "neutral-background-default", 3.0),
]


def light_colours() -> dict[str, str]:
    """Return the theme's colour tokens; the light scheme is defined first in the file."""
    colours: dict[str, str] = {}
    text = BUNDLE.read_text(encoding="utf-8")
    for match in re.finditer(r"--ds-color-([a-z0-9-]+):(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b",
                             text):
        colours.setdefault(match.group(1), match.group(2))
    return colours


def relative_luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[index:index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
              for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(("foreground", "background", "minimum"), PAIRS)
def test_theme_pair_meets_aa(foreground: str, background: str, minimum: float) -> None:
    colours = light_colours()

    assert contrast(colours[foreground], colours[background]) >= minimum


def test_contrast_of_black_on_white() -> None:
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
