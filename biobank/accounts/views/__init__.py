"""Browser views of accounts, one module per screen family (house style 12)."""
