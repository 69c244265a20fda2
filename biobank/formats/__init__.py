"""The portal's date and number formats per language (``FORMAT_MODULE_PATH``; docs/ui.md, "Time, dates and language").

Django looks here first and falls back to its own locale formats for anything not set. Dates are European in every
language (day first); times are 24-hour and carry their zone ("07/12/2026 03:15 CET"), because the portal shows the
time of its own zone (``TIME_ZONE``) to people who may be elsewhere. Input formats put ISO 8601 first: the browser's
``<input type="date">`` sends and expects ``YYYY-MM-DD`` whatever the language.
"""
