"""The public catalogue's pages (no login): see ``views``."""
