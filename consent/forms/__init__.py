"""Forms of the consent app's pages, one module per screen family (``donors``, and the consent pages)."""
