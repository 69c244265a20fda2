"""/api/v1/ of the specimens app."""
