"""The layout of the report's bar charts."""

from __future__ import annotations

from engine.web.report_charts import BAR_AREA_HEIGHT, bar_chart


def test_axis_ends_at_round_number() -> None:
    chart = bar_chart("Avvik", ["a", "b"], [[37, 5]], ["2027"])

    assert [tick.value for tick in chart.ticks] == [0, 10, 20, 30, 40]


def test_bar_height_follows_value() -> None:
    chart = bar_chart("Avvik", ["a", "b"], [[8, 2], [4, 0]], ["2027", "2026"])
    heights = {(bar.series, bar.title): bar.height for bar in chart.bars}

    assert heights[(0, "a, 2027: 8")] == BAR_AREA_HEIGHT
    assert heights[(0, "b, 2027: 2")] == BAR_AREA_HEIGHT / 4
    assert heights[(1, "b, 2026: 0")] == 0
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)


def test_empty_chart_keeps_axis() -> None:
    chart = bar_chart("Avvik", ["a"], [[0]], ["2027"])

    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3, 4]
    assert chart.bars[0].height == 0


def test_long_label_cut_to_group() -> None:
    labels = ["Informasjonssikkerhet og personvern", "Bygg", "HMS", "Tjeneste", "Fall"]
    chart = bar_chart("Avvik", labels, [[1] * 5], ["2027"])

    assert chart.labels[0].text.endswith("…")
    assert len(chart.labels[0].text) < len(labels[0])
    assert chart.labels[1].text == "Bygg"
