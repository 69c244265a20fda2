"""Browser views of the portal shell, one module per screen family (house style 12)."""
