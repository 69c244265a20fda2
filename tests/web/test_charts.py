"""The dashboard's SVG charts: accessible (role, label, title, description), figures written, a data table."""

import re

from biobank.web.charts import Bar, bar_chart, column_chart


def test_a_bar_chart_is_an_image_with_a_label_a_title_and_a_description():
    chart = bar_chart(title="Consents by status", bars=[Bar("Valid", 20), Bar("Pending QC", 3)], headers=("S", "N"))
    svg = str(chart.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="Consents by status: Valid 20; Pending QC 3"' in svg
    assert "<title>Consents by status</title>" in svg
    assert "<desc>Valid 20; Pending QC 3</desc>" in svg


def test_every_bar_has_its_value_written_beside_it_and_in_the_data_table():
    chart = bar_chart(title="T", bars=[Bar("A", 7), Bar("B", 0), Bar("C", 14)], headers=("Name", "Count"))
    values = re.findall(r'class="chart__value"[^>]*>([^<]*)<', str(chart.svg))
    assert values == ["7", "0", "14"]
    assert chart.rows == [("A", "7"), ("B", "0"), ("C", "14")]
    assert chart.headers == ("Name", "Count")


def test_bar_lengths_are_proportional_and_a_maximum_caps_them():
    chart = bar_chart(title="T", bars=[Bar("A", 50, text="50 %"), Bar("B", 100, text="100 %")], maximum=100, headers=())
    widths = [float(w) for w in re.findall(r'class="chart__bar" x="\d+" y="[\d.]+" width="([\d.]+)"', str(chart.svg))]
    assert widths[1] == 2 * widths[0]
    assert "50 %" in str(chart.svg)


def test_labels_are_escaped():
    chart = bar_chart(title="<b>T</b>", bars=[Bar("<script>", 1)], headers=())
    assert "<script>" not in str(chart.svg) and "&lt;script&gt;" in str(chart.svg)
    assert "<b>" not in str(chart.svg)


def test_an_empty_chart_says_so():
    assert bar_chart(title="T", bars=[], headers=()).empty
    assert column_chart(title="T", bars=[], headers=()).empty


def test_a_column_chart_writes_each_value_and_the_table_carries_the_extra_columns():
    bars = [Bar("Jan", 3, extra=("1", "2")), Bar("Feb", 0, extra=("0", "0")), Bar("Mar", 5, extra=("5", "0"))]
    chart = column_chart(title="Received", bars=bars, headers=("Month", "Total", "X", "Y"))
    svg = str(chart.svg)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert re.findall(r'class="chart__value"[^>]*>([^<]*)<', svg) == ["3", "0", "5"]
    assert chart.rows[0] == ("Jan", "3", "1", "2")
