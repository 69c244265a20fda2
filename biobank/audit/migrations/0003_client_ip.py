"""The audit tables hold host addresses only (issue 9, item 14): ``client_ip`` without a netmask.

The hash covers the address as PostgreSQL shows it (``abbrev``, see ``canonical.py``); with a netmask that text would
differ from the bare address users expect, so the database refuses one. ``NOT VALID``: rows written before are not
re-checked here (the log is append-only and cannot be corrected) — ``verify_audit_chain`` reports any such row as
altered, since the portal never recorded a netmask.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE audit_auditevent ADD CONSTRAINT audit_event_client_ip_host
    CHECK (client_ip IS NULL OR masklen(client_ip) = CASE family(client_ip) WHEN 4 THEN 32 ELSE 128 END) NOT VALID;
ALTER TABLE audit_auditoutbox ADD CONSTRAINT audit_outbox_client_ip_host
    CHECK (client_ip IS NULL OR masklen(client_ip) = CASE family(client_ip) WHEN 4 THEN 32 ELSE 128 END) NOT VALID;
"""

BACKWARD = """
ALTER TABLE audit_auditoutbox DROP CONSTRAINT IF EXISTS audit_outbox_client_ip_host;
ALTER TABLE audit_auditevent DROP CONSTRAINT IF EXISTS audit_event_client_ip_host;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
