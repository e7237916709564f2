"""The progress curve's drawing: pure, from plain numbers; well-formed, accessible SVG whose curve
and random-order line say what the data say."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from screening.reports.progress_svg import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    nice_ticks,
    progress_svg,
    step_points,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())  # noqa: S314 - our own SVG


def _points(root: ET.Element) -> list[tuple[float, float]]:
    line = root.find("svg:polyline[@class='includes-found']", NS)
    assert line is not None
    return [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]


@pytest.mark.parametrize(
    ("top", "most", "ticks"),
    [
        (0, 6, [0, 1]),
        (1, 5, [0, 1]),
        (4, 5, [0, 1, 2, 3, 4]),
        (7, 5, [0, 2, 4, 6, 8]),
        (30, 6, [0, 5, 10, 15, 20, 25, 30]),
        (1000, 6, [0, 200, 400, 600, 800, 1000]),
        (100_000, 6, [0, 20_000, 40_000, 60_000, 80_000, 100_000]),
    ],
)
def test_ticks_are_round_and_reach_the_top(top: int, most: int, ticks: list[int]) -> None:
    assert nice_ticks(top, most) == ticks


@pytest.mark.parametrize(
    ("found", "corners"),
    [
        ([], [(0, 0)]),
        ([0, 0, 0], [(0, 0), (3, 0)]),
        ([1, 2, 3], [(0, 0), (0, 0), (1, 1), (1, 1), (2, 2), (2, 2), (3, 3)]),
        ([0, 1, 1, 2, 2, 2], [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (6, 2)]),
    ],
)
def test_the_curve_keeps_its_corners_only(found: list[int], corners: list) -> None:
    assert step_points(found) == corners


def test_a_long_screening_draws_two_corners_per_include_not_one_per_reference() -> None:
    found = [min(i // 1000, 10) for i in range(100_000)]
    assert len(step_points(found)) <= 2 * 10 + 2


def test_the_chart_is_accessible_svg_with_a_title_a_summary_and_a_legend() -> None:
    root = _parsed(progress_svg([1, 1, 2, 2], 10))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "progress-title progress-desc"
    assert root.find("svg:title", NS).text.startswith("Includes found against references")
    assert root.find("svg:desc", NS).text == (
        "4 of 10 references screened and settled, 2 includes found. In random order, about "
        "0.8 would have been found by then, had these been all the includes."
    )
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "References screened (settled)" in texts
    assert "Includes found" in texts
    assert "Includes found, in the order settled" in texts
    assert any(t.startswith("Random order, expected") for t in texts)


def test_the_curve_and_the_random_line_are_drawn_to_scale() -> None:
    # 10 references in all (x axis 0-10), 2 includes (y axis 0-2).
    root = _parsed(progress_svg([1, 1, 2, 2], 10))
    points = _points(root)
    assert points[0] == (LEFT, TOP + PLOT_H)  # (0, 0)
    assert points[-1] == (LEFT + PLOT_W * 4 / 10, TOP)  # (4 screened, 2 found)
    line = root.find("svg:line[@class='random-order']", NS)
    start = (float(line.get("x1")), float(line.get("y1")))
    end = (float(line.get("x2")), float(line.get("y2")))
    assert start == (LEFT, TOP + PLOT_H)
    assert end == (LEFT + PLOT_W, TOP)  # the 2 includes at all 10 references


def test_nothing_settled_yet_says_so_and_draws_no_curve() -> None:
    root = _parsed(progress_svg([], 30))
    assert root.find("svg:polyline", NS) is None
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "No reference settled yet." in texts
    assert root.find("svg:desc", NS).text == "No reference is settled yet; 30 to screen."


def test_a_title_with_markup_is_escaped() -> None:
    svg = progress_svg([1], 2, title='<script>alert("x")</script> & co')
    root = _parsed(svg)
    assert "<script>" not in svg
    assert root.find("svg:title", NS).text == '<script>alert("x")</script> & co'
