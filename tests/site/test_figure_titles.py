"""How the figure scripts break their titles into lines (tools/site/figures/figure_common.wrap)."""

from __future__ import annotations

import pytest

from tools.site.figures.figure_common import text_width, wrap


@pytest.mark.parametrize("text", ["coarse to fine (128,256,512 px), 146 s", "由粗到细（128,256,512 像素），146 秒"])
def test_a_bracketed_group_that_fits_on_a_line_is_not_broken(text):
    lines = wrap(text, 4.5, 24).splitlines()
    assert len(lines) > 1
    assert any("(128,256,512 px)" in line or "（128,256,512 像素）" in line for line in lines)


def test_a_bracketed_group_too_long_for_a_line_is_broken_at_its_spaces():
    text = "label (a bracketed group that is far too long to fit on one line at all) end"
    lines = wrap(text, 4.5, 24).splitlines()
    chars = 4.5 / (0.6 * 24 / 72) * 0.95
    assert all(text_width(line) <= chars for line in lines)
    assert " ".join(lines) == text


def test_no_line_starts_with_a_closing_bracket_or_a_comma():
    for line in wrap("one scale (300 iterations), seconds (466), loss (231)", 2.0, 24).splitlines():
        assert line[0] not in "),.;:"
