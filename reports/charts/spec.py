"""A chart as data, and every drawing decision both renderers share.

`Chart` says what to draw (categories, series, unit, line or bar). Its methods decide how it reads,
once for both renderers: the y axis (a round top, its ticks and their Dutch labels), the category
labels, and each series' colour and dash. The renderers (svg.py, png.py) only place those on a
canvas, so the page and the email cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from cases import formatting
from cases.formatting import NVT

from ..figures import format_value

# Okabe-Ito: distinguishable with the common forms of colour blindness.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8a6d00"]
# Solid, dashed, dotted, dash-dot: a second cue besides colour. On/off lengths in line widths.
DASHES = [(), (2.4, 1.2), (0.8, 1.2), (3.2, 1.2, 0.8, 1.2)]
CATEGORY_LABEL_MAX = 14


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    dash: tuple[float, ...]  # on/off lengths in line widths; () is a solid line


@dataclass(frozen=True)
class YAxis:
    top: float
    ticks: list[tuple[float, str]]  # (value, label), from 0 up to `top`


@dataclass
class Series:
    name: str
    values: list  # numbers, None or NVT (a gap)


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    categories: list[str]
    series: list[Series]
    kind: str = "line"  # or "bar"
    note: str = ""
    figure_keys: tuple = ()  # the report figures behind the chart: its CSV download

    @property
    def has_data(self) -> bool:
        return any(number(v) is not None for s in self.series for v in s.values)

    def rows(self) -> list[dict]:
        """The chart as a table: one row per category, one formatted cell per series."""
        return [
            {"category": cat, "cells": [format_value(s.values[i], self.unit) for s in self.series]}
            for i, cat in enumerate(self.categories)
        ]

    def y_axis(self) -> YAxis:
        """From 0 to a round top above the largest value, in about four steps of 1, 2, 2.5 or 5 × 10^k."""
        values = [number(v) for s in self.series for v in s.values]
        top, step = nice_ceiling(max([v for v in values if v is not None] or [0]))
        ticks, tick = [], 0.0
        while tick <= top + step / 2:
            ticks.append((tick, axis_label(tick, self.unit)))
            tick += step
        return YAxis(top, ticks)

    @property
    def category_labels(self) -> list[str]:
        return [shorten(c, CATEGORY_LABEL_MAX) for c in self.categories]

    @staticmethod
    def style(index: int) -> SeriesStyle:
        return SeriesStyle(COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)])


def number(value) -> float | None:
    """A value as a float to draw; None for a gap (no value, n.v.t.)."""
    if value is None or value == NVT:
        return None
    return float(value) if isinstance(value, int | float | Decimal) else None


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for the y axis and its tick step (1, 2, 2.5 or 5 × 10^k)."""
    if value <= 0:
        return 1.0, 0.25
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw_step:
            break
    return step * math.ceil(value / step), step


def axis_label(value: float, unit: str) -> str:
    """A tick label with the decimals the tick has: '€ 250.000', '€ 1,5 mln', '2,5', '40%'."""
    if unit == "€" and value >= 1_000_000:
        return f"€ {formatting.number(value / 1_000_000, 1)} mln"
    # The decimals the tick has, read off its shortest form (0.6000000000000001 is 0.6).
    decimals = max(0, -Decimal(f"{value:g}").as_tuple().exponent)
    if unit == "€":
        return formatting.euro(value, decimals)
    text = formatting.number(value, decimals, grouping=False)
    return f"{text}%" if unit == "%" else text
