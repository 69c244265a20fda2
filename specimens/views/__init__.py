"""Browser pages of the specimens app, one module per area (routes in ``specimens/urls.py``)."""
