"""reports/charts/spec.py: what the page's SVG and the email's PNG both read."""

from decimal import Decimal

from reports.charts import Chart, Series, render_svg


def test_the_y_axis_is_round_and_labelled_in_dutch():
    money = Chart("m", "Uitgaven", "€", ["jan 26", "feb 26"], [Series("Uitgegeven", [Decimal("16500.00"), None])])
    assert money.y_axis().top == 20000
    assert [label for _tick, label in money.y_axis().ticks] == ["€ 0", "€ 5.000", "€ 10.000", "€ 15.000", "€ 20.000"]
    millions = Chart("m", "Uitgaven", "€", ["jan 26"], [Series("Budget", [Decimal("2400000")])])
    assert [label for _tick, label in millions.y_axis().ticks] == ["€ 0", "€ 1,0 mln", "€ 2,0 mln", "€ 3,0 mln"]
    share = Chart("s", "Aandeel", "%", ["jan 26"], [Series("Verlengd", [1.8])])
    assert [label for _tick, label in share.y_axis().ticks] == ["0%", "0,5%", "1%", "1,5%", "2%"]


def test_series_styles_and_short_labels_are_the_same_for_both_renderers():
    chart = Chart("c", "Verwijzingen", "aantal", ["1. Jeugdhulp zonder verblijf"], [Series("A", [1]), Series("B", [2])])
    assert chart.category_labels == ["1. Jeugdhulp …"]
    assert [chart.style(i).dash for i in range(5)] == [(), (2.4, 1.2), (0.8, 1.2), (3.2, 1.2, 0.8, 1.2), ()]
    svg = render_svg(chart, "chart-c")
    assert 'stroke-dasharray="6 3"' in svg and chart.style(1).colour in svg
    assert '<title id="chart-c-t">Verwijzingen</title>' in svg
