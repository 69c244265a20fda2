"""BBMRI-ERIC Directory exchange: the staging workbook (XLSX or a ZIP of CSVs) and MIABIS JSON, out and in."""
