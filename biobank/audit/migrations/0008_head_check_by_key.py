"""The append trigger finds the highest seq through the primary key (the drain's speed, docs/performance.md).

The statement-level check of each drained batch asked ``EXISTS (SELECT 1 FROM audit_auditevent WHERE seq > hi)``
("nothing lies beyond the new rows"). PL/pgSQL soon runs that with a generic plan, and for ``seq > $1`` the planner
expects a third of the log to match, so a sequential scan looks cheapest for finding the first one; but no row ever
matches, so every batch read the whole log. The drain's cost per entry grew with the log's depth (50,000 entries
more: 34 → 42 µs per entry moved). The rule is unchanged: the new rows must be the head of the chain.
"""

import importlib

from django.db import migrations

APPEND_CHECK = r"""
CREATE OR REPLACE FUNCTION audit_event_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo bigint;
    hi bigint;
    n bigint;
    first_prev text;
    unlinked boolean;
    unsigned boolean;
    head_hash text;
BEGIN
    -- one pass over the new rows in seq order: range, count, the first row's link, broken links, missing signatures
    SELECT min(seq), max(seq), count(*), max(prev_hash) FILTER (WHERE before IS NULL),
           coalesce(bool_or(before <> prev_hash), false),
           coalesce(bool_or(length(mac) <> 64 OR mac !~ '^[0-9a-f]*$'), false)
      INTO lo, hi, n, first_prev, unlinked, unsigned
      FROM (SELECT seq, prev_hash, mac, lag(hash) OVER (ORDER BY seq) AS before FROM new_rows) AS r;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF NOT audit_holds_chain_lock() THEN
        RAISE EXCEPTION 'Audit events are appended only by the drain (audit_drain), which holds the chain lock.'
            USING ERRCODE = 'insufficient_privilege', HINT = 'Record events with audit_record().';
    END IF;
    IF lo = 1 THEN
        head_hash := repeat('0', 64);
    ELSE
        SELECT hash INTO head_hash FROM audit_auditevent WHERE seq = lo - 1;
    END IF;
    -- the new rows are seq lo..hi without a gap, right after an existing entry, and nothing lies beyond them
    -- (the highest seq through the primary key: an EXISTS (… WHERE seq > hi) got a generic plan that scanned the
    -- whole log for a row that is never there, so every batch cost more as the log grew)
    IF hi - lo + 1 <> n OR head_hash IS NULL
       OR (SELECT seq FROM audit_auditevent ORDER BY seq DESC LIMIT 1) > hi THEN
        RAISE EXCEPTION 'Audit events extend the head of the chain consecutively: seq % to % is not that.', lo, hi
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- each links to its predecessor (the old head for the first), each is signed
    IF first_prev <> head_hash OR unlinked OR unsigned THEN
        RAISE EXCEPTION 'Audit events must link to the previous entry''s hash and carry the drain''s signature.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;
"""

PREVIOUS = importlib.import_module("biobank.audit.migrations.0007_faster_hex_checks").FAST_FUNCTIONS


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_faster_hex_checks")]

    operations = [migrations.RunSQL(APPEND_CHECK, PREVIOUS)]
