"""The donor portal (``/my/``): what a donor sees and changes of their own consent, signed in with a one-time link.

Views are thin: every read goes through ``consent.selectors.portal`` (scoped to the account's donor merge family),
every change through ``consent.services.portal``. Any page for someone without a donor account is a 404.
"""
