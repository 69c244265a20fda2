"""Bulk import of specimens from CSV/XLSX: columns, reading, the whole-file check, the set-based commit, the
template, the pages (docs/specimens.md, "Bulk import and export")."""
