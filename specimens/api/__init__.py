"""The specimens app's API (/api/v1/): specimens and their verbs, imports, storage and placements, SPREC."""
