"""The specimens app's API (/api/v1/): storage units, box maps and placements; SPREC utilities."""
