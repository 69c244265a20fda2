"""Tail protection of the audit trail (issue 9, items 9, 10, 12, 13).

- ``audit_auditevent`` gains ``mac`` (the drain's HMAC of each entry's hash with the audit key); a statement-level
  trigger accepts new entries only from a transaction holding the chain lock, consecutive from the head, each
  linked to its predecessor's hash and signed (a 64-hex ``mac``). The database cannot check the MAC itself (it has
  no key); ``verify_audit_chain`` does, for every entry.
- ``audit_auditoutbox`` gains ``nonce`` and ``mac`` (signed by ``audit_record``); the database sets ``occurred_at``
  to the inserting statement's time, refuses an unsigned row and any UPDATE, and lets only the chain lock's holder
  (the drain) delete. Rows pending at upgrade time carry no MAC: the drain quarantines them — drain before migrating.
- ``AuditOutboxQuarantine`` keeps rows whose MAC failed; ``AuditVerification`` gains ``mac``.

The chain lock is ``pg_advisory_xact_lock(0x6175646974000001)`` (``chaining.DRAIN_LOCK_KEY``): classid 1635083369,
objid 1946157057 in ``pg_locks``. Holding it is a guard against accidents and naive forgery, not a secret: the MAC is.
"""

import biobank.audit.models
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

FORWARD = r"""
CREATE FUNCTION audit_holds_chain_lock() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
          AND classid = 1635083369 AND objid = 1946157057 AND objsubid = 1
    )
$$;

CREATE FUNCTION audit_event_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER audit_event_append_check
    AFTER INSERT ON audit_auditevent REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_check_append();

CREATE FUNCTION audit_outbox_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.occurred_at := statement_timestamp();
    IF NEW.mac IS NULL OR NEW.mac !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'Pending audit events are written only by audit_record(), which signs them.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_outbox_stamp
    BEFORE INSERT ON audit_auditoutbox
    FOR EACH ROW EXECUTE FUNCTION audit_outbox_stamp();

CREATE FUNCTION audit_outbox_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'Pending audit events cannot be changed: % on %.% is refused.', TG_OP, TG_TABLE_SCHEMA,
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT audit_holds_chain_lock() THEN
        RAISE EXCEPTION 'Pending audit events are removed only by the drain, which chains or quarantines them.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_outbox_guard
    BEFORE UPDATE OR DELETE ON audit_auditoutbox
    FOR EACH STATEMENT EXECUTE FUNCTION audit_outbox_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_outbox_guard ON audit_auditoutbox;
DROP FUNCTION IF EXISTS audit_outbox_guard();
DROP TRIGGER IF EXISTS audit_outbox_stamp ON audit_auditoutbox;
DROP FUNCTION IF EXISTS audit_outbox_stamp();
DROP TRIGGER IF EXISTS audit_event_append_check ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_check_append();
DROP FUNCTION IF EXISTS audit_holds_chain_lock();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0003_client_ip"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="signature"),
        ),
        migrations.AddField(
            model_name="auditoutbox",
            name="mac",
            field=models.CharField(default="", max_length=64, verbose_name="signature"),
        ),
        migrations.AddField(
            model_name="auditoutbox",
            name="nonce",
            field=models.CharField(default="", max_length=32, verbose_name="nonce"),
        ),
        migrations.RunSQL(
            "UPDATE audit_auditoutbox SET nonce = 'legacy-' || id WHERE nonce = ''", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="auditoutbox",
            name="mac",
            field=models.CharField(max_length=64, verbose_name="signature"),
        ),
        migrations.AlterField(
            model_name="auditoutbox",
            name="nonce",
            field=models.CharField(max_length=32, unique=True, verbose_name="nonce"),
        ),
        migrations.AddField(
            model_name="auditverification",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="signature"),
        ),
        migrations.AlterField(
            model_name="auditverification",
            name="reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("hash_mismatch", "The entry's content does not match its hash (entry altered)"),
                    ("prev_hash_mismatch", "The entry does not link to the previous entry's hash"),
                    ("gap", "A sequence number is missing (entry deleted)"),
                    ("missing_rows", "Entries covered by a signed checkpoint are missing"),
                    ("checkpoint_mismatch", "The entry differs from the signed checkpoint (chain rewritten)"),
                    ("bad_checkpoint", "A checkpoint line has an invalid signature"),
                    ("mac_mismatch", "The entry's signature does not verify (forged, rewritten or renumbered)"),
                    ("unsigned", "An entry carries no signature and no signed checkpoint covers it"),
                ],
                max_length=32,
                verbose_name="reason",
            ),
        ),
        migrations.CreateModel(
            name="AuditOutboxQuarantine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                (
                    "actor_type",
                    models.CharField(
                        choices=[
                            ("user", "Person"),
                            ("token", "API token"),
                            ("system", "System job"),
                            ("anonymous", "Anonymous visitor"),
                        ],
                        max_length=16,
                        verbose_name="actor type",
                    ),
                ),
                ("actor_id", models.CharField(blank=True, max_length=64, verbose_name="actor id")),
                ("actor_label", models.CharField(blank=True, max_length=254, verbose_name="actor")),
                ("on_behalf_of", models.CharField(blank=True, max_length=254, verbose_name="on behalf of")),
                ("action", models.CharField(max_length=64, verbose_name="action")),
                ("object_type", models.CharField(blank=True, max_length=64, verbose_name="object type")),
                ("object_id", models.CharField(blank=True, max_length=64, verbose_name="object id")),
                (
                    "changes",
                    biobank.audit.models.CanonicalJSONField(
                        blank=True, help_text="{field: [old, new]}", null=True, verbose_name="changes"
                    ),
                ),
                (
                    "details",
                    biobank.audit.models.CanonicalJSONField(
                        blank=True, help_text="Context of reads and denials", null=True, verbose_name="details"
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("request_id", models.CharField(blank=True, max_length=128, verbose_name="request id")),
                ("client_ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="client IP")),
                ("user_agent", models.CharField(blank=True, max_length=512, verbose_name="user agent")),
                ("outbox_id", models.BigIntegerField(verbose_name="outbox id")),
                ("nonce", models.CharField(blank=True, max_length=32, verbose_name="nonce")),
                ("mac", models.CharField(blank=True, max_length=64, verbose_name="signature")),
                ("quarantined_at", models.DateTimeField(verbose_name="quarantined at")),
                (
                    "biobank",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.biobank",
                        verbose_name="biobank",
                    ),
                ),
            ],
            options={
                "ordering": ["-quarantined_at"],
                "default_permissions": (),
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
