"""Writes of the access-requests app, one module per part of the workflow (see each module's docstring)."""
