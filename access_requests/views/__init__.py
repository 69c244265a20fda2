"""Pages of the access-requests app, one module per screen family."""
