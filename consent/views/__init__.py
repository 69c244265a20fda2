"""Browser pages of the consent app, one module per screen family (``donors``, and the consent pages)."""
