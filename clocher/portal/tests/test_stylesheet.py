"""The stylesheet stays small, keeps a visible focus and a print style, and its colour pairs
keep a contrast ratio of at least 4.5:1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "core" / "static" / "clocher"
CSS = (STATIC / "clocher.css").read_text()
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", CSS))

# (text, background) pairs the stylesheet uses.
TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "surface"),
    ("muted", "paper"),
    ("muted", "surface"),
    ("accent", "paper"),
    ("accent", "surface"),
    ("accent", "accent-soft"),
    ("visited", "paper"),
    ("on-accent", "accent"),
    ("on-accent", "accent-strong"),
    ("header-ink", "accent-strong"),
    ("danger", "paper"),
    ("danger", "danger-soft"),
    ("ink", "danger-soft"),
    ("success", "success-soft"),
    ("ink", "success-soft"),
    ("warning", "warning-soft"),
    ("ink", "warning-soft"),
    ("ink", "accent-soft"),
    ("ink", "focus-ring"),
    ("on-accent", "danger"),
]
# Non-text contrast (WCAG 1.4.11): borders of fields and the focus ring, at least 3:1.
UI_PAIRS = [("border", "paper"), ("focus-ink", "paper"), ("focus-ring", "accent-strong")]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_have_enough_contrast(text, background):
    """Every text/background pair reaches 4.5:1 (WCAG 1.4.3 AA)."""
    assert contrast(COLOURS[text], COLOURS[background]) >= 4.5


@pytest.mark.parametrize(("element", "background"), UI_PAIRS)
def test_interface_colours_have_enough_contrast(element, background):
    """Field borders and the focus indicator reach 3:1 (WCAG 1.4.11)."""
    assert contrast(COLOURS[element], COLOURS[background]) >= 3


def test_contrast_formula():
    """Black on white is 21:1."""
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0


def test_stylesheet_is_small():
    """The whole stylesheet weighs less than 20 KB."""
    assert len(CSS.encode()) < 20_000


def test_focus_is_visible_and_print_hides_navigation():
    """A focus outline of at least 2px, and a print style hiding the navigation."""
    assert re.search(r":focus-visible \{\s*outline: 3px solid", CSS)
    assert "@media print" in CSS
    print_block = CSS[CSS.index("@media print") :]
    assert ".main-nav" in print_block


def test_no_external_resource():
    """No font, image or stylesheet is loaded from another origin."""
    assert "url(" not in CSS
    assert "@import" not in CSS
    assert "http" not in (STATIC / "favicon.svg").read_text().replace(
        "http://www.w3.org/2000/svg", ""
    )
