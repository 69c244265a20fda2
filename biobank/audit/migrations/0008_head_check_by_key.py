"""The append trigger finds the highest seq through the primary key (the drain's speed, docs/performance.md).

The statement-level check of each drained batch asked ``EXISTS (SELECT 1 FROM audit_auditevent WHERE seq > hi)``
("nothing lies beyond the new rows"). PL/pgSQL soon runs that with a generic plan, and for ``seq > $1`` the planner
expects a third of the log to match, so a sequential scan looks cheapest for finding the first one; but no row ever
matches, so every batch read the whole log. The drain's cost per entry grew with the log's depth (50,000 entries
more: 34 → 42 µs per entry moved). The rule is unchanged: the new rows must be the head of the chain.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("biobank.audit.migrations.0007_faster_hex_checks").FAST_FUNCTIONS

SCAN = "    IF hi - lo + 1 <> n OR head_hash IS NULL OR EXISTS (SELECT 1 FROM audit_auditevent WHERE seq > hi) THEN\n"
BY_KEY = (
    "    -- (the highest seq through the primary key: an EXISTS (… WHERE seq > hi) got a generic plan that scanned the\n"
    "    -- whole log for a row that is never there, so every batch cost more as the log grew)\n"
    "    IF hi - lo + 1 <> n OR head_hash IS NULL\n"
    "       OR (SELECT seq FROM audit_auditevent ORDER BY seq DESC LIMIT 1) > hi THEN\n"
)
# 0007's two functions with that one test changed (the outbox's stamp function is re-created as it was).
assert PREVIOUS.count(SCAN) == 1
APPEND_CHECK = PREVIOUS.replace(SCAN, BY_KEY)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_faster_hex_checks")]

    operations = [migrations.RunSQL(APPEND_CHECK, PREVIOUS)]
