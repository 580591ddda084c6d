"""Small charts drawn as SVG on the server, for staff pages.

No script and no style attribute or element, so they pass the Content-Security-Policy:
colours and sizes are SVG presentation attributes. Every chart is an image with a
title, axis titles, tick labels and the value on each bar or point; the page shows
the same numbers in a table. The same data always gives the same markup.
"""

import math
from collections.abc import Callable, Sequence

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 28, 72
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Designsystemet's Digdir theme: accent blue, neutral text and borders.
ACCENT, TEXT, GRID = "#0062ba", "#1e2b3c", "#d2d7dc"
TICKS = 4

Formatter = Callable[[float], str]


def format_number(value: float) -> str:
    """Whole numbers as such, anything else with one decimal, in the active language."""
    # number_format cuts off decimals; round first.
    decimals = 0 if float(value).is_integer() else 1
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    format_value: Formatter = format_number,
) -> SafeString:
    """Vertical bars, one per (label, value). A label may hold a line break."""
    top, step = _scale([value for _label, value in bars])
    slot = PLOT_WIDTH / max(len(bars), 1)
    size = _value_font_size(slot, [format_value(value) for _label, value in bars])
    parts = []
    for index, (label, value) in enumerate(bars):
        height = value / top * PLOT_HEIGHT
        x, y = LEFT + index * slot, TOP + PLOT_HEIGHT - height
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(x + slot * 0.15),
                _n(y),
                _n(slot * 0.7),
                _n(height),
                ACCENT,
            )
        )
        parts.append(_value_text(x + slot / 2, y - 5, format_value(value), size))
        parts.append(_category_text(x + slot / 2, label))
    return _svg(title, x_label, y_label, top, step, format_value, parts)


def line_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    format_value: Formatter = format_number,
) -> SafeString:
    """A line through one point per (label, value), evenly spaced. A label may hold a line break."""
    top, step = _scale([value for _label, value in points])
    slot = PLOT_WIDTH / max(len(points), 1)
    size = _value_font_size(slot, [format_value(value) for _label, value in points])
    coordinates = [
        (LEFT + (index + 0.5) * slot, TOP + PLOT_HEIGHT - value / top * PLOT_HEIGHT)
        for index, (_label, value) in enumerate(points)
    ]
    parts = [
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-linejoin="round"/>',
            " ".join(f"{_n(x)},{_n(y)}" for x, y in coordinates),
            ACCENT,
        )
    ]
    for (label, value), (x, y) in zip(points, coordinates, strict=True):
        parts.append(format_html('<circle cx="{}" cy="{}" r="4" fill="{}"/>', _n(x), _n(y), ACCENT))
        parts.append(_value_text(x, y - 9, format_value(value), size))
        parts.append(_category_text(x, label))
    return _svg(title, x_label, y_label, top, step, format_value, parts)


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """The top of the value axis and the step between its ticks: 1, 2, 2.5 or 5 times a power of ten."""
    whole = all(float(value).is_integer() for value in values)
    highest = max([*values, 0]) or 1
    rough = highest / TICKS
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    if whole:
        step = max(math.ceil(step), 1)
    return step * math.ceil(highest / step), step


def _svg(title, x_label, y_label, top, step, format_value, parts) -> SafeString:
    ticks = [
        (step * index, _n(TOP + PLOT_HEIGHT - step * index / top * PLOT_HEIGHT))
        for index in range(round(top / step) + 1)
    ]
    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="12" fill="{}">{}</text>',
        ((LEFT, y, LEFT + PLOT_WIDTH, y, GRID, LEFT - 8, y, TEXT, format_value(tick)) for tick, y in ticks),
    )
    middle_y = TOP + PLOT_HEIGHT / 2
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="felles-chart" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}"><title>{}</title>{}'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/>{}'
        '<text x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="600" fill="{}">{}</text>'
        '<text x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle" dominant-baseline="middle" '
        'font-size="13" font-weight="600" fill="{}">{}</text></svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        grid,
        LEFT,
        TOP + PLOT_HEIGHT,
        LEFT + PLOT_WIDTH,
        TOP + PLOT_HEIGHT,
        TEXT,
        format_html_join("", "{}", ((part,) for part in parts)),
        _n(LEFT + PLOT_WIDTH / 2),
        HEIGHT - 10,
        TEXT,
        x_label,
        _n(middle_y),
        _n(middle_y),
        TEXT,
        y_label,
    )


def _value_text(x: float, y: float, text: str, size: float) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
        _n(x),
        _n(y),
        _n(size),
        TEXT,
        text,
    )


def _category_text(x: float, label: str) -> SafeString:
    """The label under a bar or point; each line of it a line of text."""
    lines = format_html_join(
        "",
        '<tspan x="{}" dy="{}">{}</tspan>',
        ((_n(x), "0" if index == 0 else "1.2em", line) for index, line in enumerate(label.split("\n"))),
    )
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
        _n(x),
        TOP + PLOT_HEIGHT + 18,
        TEXT,
        lines,
    )


def _value_font_size(slot: float, texts: Sequence[str]) -> float:
    """As large as fits the narrowest slot (a digit is about 0.6 em wide), between 8 and 12."""
    longest = max((len(text) for text in texts), default=1)
    return max(8.0, min(12.0, round(slot * 0.95 / (0.6 * longest), 1)))


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so output does not depend on float noise."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
