"""Models of this app arrive with its own issue; the app is registered so migrations and imports have a home."""
