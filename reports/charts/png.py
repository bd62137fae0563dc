"""A chart as a PNG for the email (mail clients do not show SVG), drawn by matplotlib.

It reads the same axis, labels and series styles as the page's SVG (spec.py); only the placing
differs: 960 px wide, shown at 600 px in the email so it stays sharp.
"""

from __future__ import annotations

import io
import math

from .spec import Chart, number, shorten

LINE_WIDTH = 2
LEGEND_NAME_MAX = 34


def render_png(chart: Chart) -> bytes:
    # matplotlib is imported here, not at the top: loading it costs the web process half a second at
    # start-up, and only the email task (once a month) draws a PNG.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    axis = chart.y_axis()
    fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=150)
    try:
        positions = range(len(chart.categories))
        if chart.kind == "bar":
            width = 0.8 / max(len(chart.series), 1)
            for si, series in enumerate(chart.series):
                values = [number(v) or 0 for v in series.values]
                ax.bar([p + si * width - 0.4 + width / 2 for p in positions], values, width, label=series.name,
                       color=chart.style(si).colour)  # fmt: skip
        else:
            for si, series in enumerate(chart.series):
                style = chart.style(si)
                values = [number(v) for v in series.values]
                # Dash lengths are in line widths, as matplotlib scales them.
                linestyle = (0, style.dash) if style.dash else "-"
                ax.plot(list(positions), [math.nan if v is None else v for v in values], marker="o", markersize=3,
                        linewidth=LINE_WIDTH, label=series.name, color=style.colour, linestyle=linestyle)  # fmt: skip
        ax.set_xticks(list(positions))
        ax.set_xticklabels(chart.category_labels, fontsize=7, rotation=0 if chart.kind == "line" else 20,
                           ha="center" if chart.kind == "line" else "right")  # fmt: skip
        ax.set_yticks([tick for tick, _label in axis.ticks], [label for _tick, label in axis.ticks])
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylim(0, axis.top)
        ax.grid(axis="y", color="#d0d0d0", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(chart.title, fontsize=9, loc="left")
        fig.tight_layout()
        if len(chart.series) > 1:
            # Under the axis labels, in as many columns as fit; the saved image grows to hold it.
            handles, names = ax.get_legend_handles_labels()
            names = [shorten(name, LEGEND_NAME_MAX) for name in names]
            below = -0.32 if chart.kind == "bar" else -0.14
            ax.legend(handles, names, fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(0, below),
                      ncol=3 if len(names) != 4 else 2)  # fmt: skip
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.08)
        return buffer.getvalue()
    finally:
        plt.close(fig)
