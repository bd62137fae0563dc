"""Charts of the KPI report: one specification, drawn by two renderers.

spec.py: a `Chart` says what to draw and decides how it reads (the y axis with its round top, ticks
and Dutch labels; category labels; each series' colour and dash), once for both renderers.
kpi.py: which figures of the report each chart draws, and where it sits on the dashboard.
svg.py draws the spec as inline SVG for the dashboard; png.py draws it with matplotlib for the email.

Why two renderers and not matplotlib for both: mail clients do not show SVG, so the email needs a
PNG; the page needs SVG that is accessible (role="img" with a title and description, a table with
the same numbers beside each chart, no serious or critical axe findings) and fast, because the
dashboard draws 18 charts on every view. Measured on the same 18 charts (CPU time per chart, a
busy 2-core machine, November 2026): the hand-written SVG 0.1 to 0.3 ms, matplotlib 85 to 140 ms
whether it writes SVG or PNG, which would add 1.5 to 2.5 s to every dashboard view; matplotlib's SVG
also has no role, title or description to point a screen reader at. What the two renderers share
is everything but the placing on the canvas, so the page and the email show the same chart.

Every chart has a table with the same numbers: that table is the chart's text alternative on the
page and in the CSV.
"""

from .kpi import CHART_SECTIONS, report_charts
from .png import render_png
from .spec import Chart, Series
from .svg import render_svg

__all__ = ["CHART_SECTIONS", "Chart", "Series", "render_png", "render_svg", "report_charts"]
