"""``manage.py export_directory``: the format follows the file name; a bad name or biobank is a clear error."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from tests.accounts.factories import make_biobank
from tests.catalog.factories import make_described_catalogue

pytestmark = pytest.mark.django_db


def test_writes_the_workbook_csvs_or_miabis_json_by_file_name(tmp_path):
    make_described_catalogue(make_biobank("uh-berlin"))

    for name in ("d.xlsx", "d.zip", "d.json"):
        call_command("export_directory", output=str(tmp_path / name), biobank="uh-berlin")

    assert (tmp_path / "d.xlsx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "d.zip").read_bytes()[:2] == b"PK"
    assert json.loads((tmp_path / "d.json").read_text())["standard"] == "MIABIS Core 3.0"


def test_an_unknown_suffix_or_biobank_is_refused_naming_what_is_allowed(tmp_path, db):
    with pytest.raises(CommandError, match=r"\.xlsx, \.zip, \.json"):
        call_command("export_directory", output=str(tmp_path / "d.txt"))
    with pytest.raises(CommandError, match="No biobank with the code 'nope'"):
        call_command("export_directory", output=str(tmp_path / "d.xlsx"), biobank="nope")
