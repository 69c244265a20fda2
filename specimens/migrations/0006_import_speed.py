"""Import speed (docs/performance.md, "Specimen import"): two unused event indexes dropped.

- ``SpecimenEvent.specimen`` and ``.biobank`` lose their single-column indexes: ``specimen_event_timeline``
  (specimen, occurred_at, id) serves every look-up by specimen (the timeline, the foreign key's checks), and nothing
  reads events by biobank. Two index entries fewer per event row.
- The audit outbox's row trigger runs only when it has something to do: audit migration 0005.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_idempotency_keys"),
        ("audit", "0005_outbox_stamp_when"),
        ("specimens", "0005_event_biobank_no_fk"),
    ]

    operations = [
        migrations.AlterField(
            model_name="specimenevent",
            name="biobank",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.biobank",
            ),
        ),
        migrations.AlterField(
            model_name="specimenevent",
            name="specimen",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="specimens.specimen",
            ),
        ),
    ]
