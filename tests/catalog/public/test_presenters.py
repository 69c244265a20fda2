"""How the public pages word a collection's attributes (catalog/public/presenters.py)."""

from catalog.public.presenters import age_range_text


def test_age_ranges_read_as_people_write_them():
    assert age_range_text(20, 90, "YEAR") == "20-90 years"
    assert age_range_text(18, None, "YEAR") == "from 18 years"
    assert age_range_text(None, 23, "MONTH") == "up to 23 months"
