"""The outbox's stamp trigger runs its function only for a row it has something to do to (import speed,
docs/performance.md "Specimen import").

- ``audit_outbox_stamp`` (biobank/audit migration 0004) set ``occurred_at`` to the statement's time and refused an
  unsigned row, in PL/pgSQL for every row: about half the time of the import's outbox ``COPY``. The column now
  defaults to ``statement_timestamp()`` and the trigger has a ``WHEN`` clause, so its function runs only for a row
  whose time is not the statement's or whose MAC is not 64 lower-case hex digits (``length`` and a ``*`` regex:
  ``{64}`` in a regex is what cost). Same rule as before: a row that skips the function already has the statement's
  time and a well-formed MAC, which is all the function would have made sure of; any other row goes through it (the
  ORM's writes, which send their own time, are stamped as before).
"""

from django.db import migrations

OUTBOX_STAMP_WHEN = """
ALTER TABLE audit_auditoutbox ALTER COLUMN occurred_at SET DEFAULT statement_timestamp();
DROP TRIGGER audit_outbox_stamp ON audit_auditoutbox;
CREATE TRIGGER audit_outbox_stamp
    BEFORE INSERT ON audit_auditoutbox
    FOR EACH ROW
    WHEN (NEW.occurred_at IS DISTINCT FROM statement_timestamp() OR NEW.mac IS NULL OR length(NEW.mac) <> 64
          OR NEW.mac !~ '^[0-9a-f]*$')
    EXECUTE FUNCTION audit_outbox_stamp();
"""

OUTBOX_STAMP_EVERY_ROW = """
DROP TRIGGER audit_outbox_stamp ON audit_auditoutbox;
CREATE TRIGGER audit_outbox_stamp
    BEFORE INSERT ON audit_auditoutbox
    FOR EACH ROW EXECUTE FUNCTION audit_outbox_stamp();
ALTER TABLE audit_auditoutbox ALTER COLUMN occurred_at DROP DEFAULT;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_tail_protection")]

    operations = [migrations.RunSQL(OUTBOX_STAMP_WHEN, OUTBOX_STAMP_EVERY_ROW)]
