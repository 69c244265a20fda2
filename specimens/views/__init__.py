"""Browser pages of the specimens app, one module per section (``storage``; the specimen pages sit beside it)."""
