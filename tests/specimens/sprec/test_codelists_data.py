"""The shipped data: provenance, the code lists as in the reference, nothing read from ../shared at run time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specimens.sprec import code_lists
from specimens.sprec.codelists import DATA_DIR

REPO = Path(__file__).resolve().parents[3]
REFERENCE = REPO.parent / "shared" / "reference" / "sprec-v3.json"


def test_the_data_names_its_source_and_citation():
    provenance = json.loads((DATA_DIR / "sprec-v3.json").read_text())["provenance"]

    assert provenance["doi"] == "10.1089/bio.2017.0109"
    assert "Betsou" in provenance["citation"]
    assert provenance["copied_on"]
    mapping = json.loads((DATA_DIR / "sprec-miabis.json").read_text())["provenance"]
    assert "SampleTypeMapping" in mapping["material_types"]["source_file"]


def test_the_engine_reads_only_the_shipped_files():
    sources = "".join(path.read_text() for path in (REPO / "specimens").rglob("*.py"))

    assert "../shared" not in sources and "shared/reference" not in sources


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference is not beside this checkout")
def test_the_code_lists_are_those_of_the_reference():
    reference = json.loads(REFERENCE.read_text())
    for kind in ("fluid", "solid"):
        for raw, spec in zip(reference[kind], code_lists().positions[kind], strict=True):
            for item in raw["codes"]:
                element = spec.codes[item["code"]]
                assert (element.meaning, element.status) == (item["meaning"], item.get("status"))
