"""Forms of the specimens app's pages, one module per section (``storage``; the specimen forms sit beside it)."""
