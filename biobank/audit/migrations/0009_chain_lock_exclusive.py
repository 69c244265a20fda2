"""Only the exclusive chain lock lets a session append to the audit log (found by an attack on the chain).

``audit_holds_chain_lock()`` (migration 0004) looked for any granted advisory lock on the chain's key, so a session
holding it *shared* (``pg_advisory_xact_lock_shared``) passed the append trigger's test; several sessions can hold
a shared lock at once, and the rule is one writer at a time. The drain takes the lock exclusively
(``pg_advisory_xact_lock``), so it is unaffected.
"""

from django.db import migrations

EXCLUSIVE = r"""
CREATE OR REPLACE FUNCTION audit_holds_chain_lock() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND mode = 'ExclusiveLock'
          AND classid = 1635083369 AND objid = 1946157057 AND objsubid = 1
    )
$$;
"""

ANY_MODE = EXCLUSIVE.replace(" AND mode = 'ExclusiveLock'", "")


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_head_check_by_key")]

    operations = [migrations.RunSQL(EXCLUSIVE, ANY_MODE)]
