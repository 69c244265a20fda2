"""docs/security.md carries the roles-and-permissions table by hand; this keeps it equal to the code."""

from __future__ import annotations

import re
from pathlib import Path

from biobank.accounts.choices import BIOBANK_PERMISSIONS, ROLE_PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def documented_table() -> tuple[list[str], dict[str, list[str]]]:
    text = DOC.read_text()
    block = re.search(r"<!-- roles-table:start -->\n(.*?)\n<!-- roles-table:end -->", text, re.S)
    assert block, "docs/security.md lost its roles-table markers"
    lines = [line for line in block.group(1).splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    header, rows = cells[0], cells[2:]
    return header, {row[0].strip("`"): row for row in rows}


def test_the_table_has_a_column_per_role_and_one_for_api_tokens():
    header, _ = documented_table()
    assert header[2:] == [str(role.label) for role in Role] + ["API token"]


def test_the_table_has_a_row_per_permission():
    _, rows = documented_table()
    assert list(rows) == list(BIOBANK_PERMISSIONS)


def test_every_tick_matches_role_permissions():
    _, rows = documented_table()
    for codename, row in rows.items():
        assert row[1] == str(BIOBANK_PERMISSIONS[codename]), codename
        for role, mark in zip(Role, row[2:-1], strict=True):
            assert (mark == "✓") == (codename in ROLE_PERMISSIONS[role]), (codename, role.label)
        assert (row[-1] == "✓") == (codename in TOKEN_GRANTABLE_PERMISSIONS), (codename, "API token")
