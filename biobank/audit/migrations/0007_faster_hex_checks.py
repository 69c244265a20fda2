"""The audit log's checks of 64-hex values without ``{64}`` in a regex (the drain's speed, docs/performance.md "Audit
drain").

PostgreSQL's regex engine spends about 10 µs matching ``^[0-9a-f]{64}$`` against one value and well under 1 µs for
``^[0-9a-f]*$``; a length check makes the two equal. Each chained entry paid three such matches — the check
constraint on ``hash`` and ``prev_hash`` and the append trigger's test of ``mac`` — about a third of the drain's time
per entry; the outbox's stamp function (0004), which every ORM-recorded event runs, paid one. The rules are
unchanged: exactly 64 characters, each a lower-case hex digit.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

FAST_FUNCTIONS = r"""
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
    IF hi - lo + 1 <> n OR head_hash IS NULL OR EXISTS (SELECT 1 FROM audit_auditevent WHERE seq > hi) THEN
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

CREATE OR REPLACE FUNCTION audit_outbox_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.occurred_at := statement_timestamp();
    IF NEW.mac IS NULL OR length(NEW.mac) <> 64 OR NEW.mac !~ '^[0-9a-f]*$' THEN
        RAISE EXCEPTION 'Pending audit events are written only by audit_record(), which signs them.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""

REGEX_FUNCTIONS = r"""
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
           coalesce(bool_or(before <> prev_hash), false), coalesce(bool_or(mac !~ '^[0-9a-f]{64}$'), false)
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
    IF hi - lo + 1 <> n OR head_hash IS NULL OR EXISTS (SELECT 1 FROM audit_auditevent WHERE seq > hi) THEN
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

CREATE OR REPLACE FUNCTION audit_outbox_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.occurred_at := statement_timestamp();
    IF NEW.mac IS NULL OR NEW.mac !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'Pending audit events are written only by audit_record(), which signs them.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_idempotency_keys"),
        ("audit", "0006_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="auditevent",
            name="audit_event_hashes_hex",
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    django.db.models.lookups.Exact(django.db.models.functions.text.Length("hash"), 64),
                    django.db.models.lookups.Exact(django.db.models.functions.text.Length("prev_hash"), 64),
                    ("hash__regex", "^[0-9a-f]*$"),
                    ("prev_hash__regex", "^[0-9a-f]*$"),
                ),
                name="audit_event_hashes_hex",
            ),
        ),
        migrations.RunSQL(FAST_FUNCTIONS, REGEX_FUNCTIONS),
    ]
