"""The API's renderer writes rows already written as JSON as they are, and everything else as DRF does."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer

from biobank.api.renderers import JSONRenderer, RenderedRows

JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


def _compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@given(
    rows=st.lists(st.dictionaries(st.text(max_size=6), JSON_VALUE, max_size=4), max_size=5),
    link=st.none() | st.text(),
)
def test_a_page_of_rendered_rows_is_the_bytes_drf_writes_for_the_same_rows(rows, link):
    data = {"next": link, "previous": None, "results": rows}

    rendered = JSONRenderer().render({**data, "results": RenderedRows([_compact(row) for row in rows])})

    assert rendered == DrfJSONRenderer().render(data)


def test_line_and_paragraph_separators_in_rows_are_escaped_as_drf_escapes_them():
    rows = [{"note": "a\u2028b\u2029c"}]

    rendered = JSONRenderer().render({"results": RenderedRows([_compact(row) for row in rows])})

    assert b"\\u2028" in rendered and b"\\u2029" in rendered
    assert rendered == DrfJSONRenderer().render({"results": rows})


def test_indentation_asked_for_indents_the_rows_too():
    rows = [{"a": 1, "b": [1, 2]}]
    media_type = "application/json; indent=2"

    rendered = JSONRenderer().render({"results": RenderedRows([_compact(row) for row in rows])}, media_type)

    assert rendered == DrfJSONRenderer().render({"results": rows}, media_type)
    assert b'\n  "results": [' in rendered


def test_answers_without_rendered_rows_are_drf_s():
    for data in ({"detail": "x", "n": Decimal("1.50")}, [1, 2], None, "text"):
        assert JSONRenderer().render(data) == DrfJSONRenderer().render(data)


def test_rendered_rows_read_as_the_rows_they_hold():
    rows = RenderedRows(['{"a":1}', '{"a":2}'])

    assert len(rows) == 2 and rows[1] == {"a": 2} and rows[:1] == [{"a": 1}]
    assert list(rows) == [{"a": 1}, {"a": 2}] and rows == [{"a": 1}, {"a": 2}]
    assert rows == RenderedRows(['{"a":1}', '{"a":2}']) and rows != [{"a": 1}] and rows != "ab"
