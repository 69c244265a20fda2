"""``manage.py import_directory``: a dry run writes nothing; problems are listed and the command fails."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from catalog.directory import export
from catalog.models import Collection
from tests.accounts.factories import make_biobank
from tests.catalog.factories import make_described_catalogue

pytestmark = pytest.mark.django_db


def test_dry_run_then_import(tmp_path, capsys):
    make_described_catalogue(make_biobank("uh-berlin"))
    path = tmp_path / "d.zip"
    path.write_bytes(export.export_bytes("zip"))
    Collection.objects.filter(code="crc-rectum").update(name="Changed locally")

    call_command("import_directory", str(path), dry_run=True)
    assert Collection.objects.get(code="crc-rectum").name == "Changed locally"
    call_command("import_directory", str(path))

    assert Collection.objects.get(code="crc-rectum").name == "Rectum"
    assert "Imported: 1 persons" in capsys.readouterr().out


def test_a_broken_workbook_fails_listing_each_problem(tmp_path, capsys, db):
    path = tmp_path / "d.xlsx"
    path.write_bytes(b"nonsense")

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_directory", str(path))
    assert "d.xlsx" in capsys.readouterr().err
