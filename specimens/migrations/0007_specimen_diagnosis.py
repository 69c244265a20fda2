"""``Specimen.diagnosis``; an index for the facts (collection, status); and the triggers that mark collections whose
catalogue facts a change makes stale (``catalog.FactsRecompute``), in the transaction of the change.

The triggers are statement-level with transition tables, so an import of 100,000 rows marks its collections with one
``INSERT ... SELECT DISTINCT`` rather than a trigger call per row. An update marks only when something the facts
read changed (collection, donor, status, lineage, material type, collection time, diagnosis). A change of a donor's
sex or birth date marks the collections holding that donor's specimens. ``requested_at`` is the clock time of the
change, so the recompute task deletes only the marks it has seen (``catalog.facts.engine``).
"""

from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE FUNCTION specimens_facts_mark(collection_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO catalog_factsrecompute (collection_id, requested_at)
    SELECT c, clock_timestamp() FROM (SELECT DISTINCT unnest(collection_ids) AS c) t WHERE c IS NOT NULL
    ORDER BY c
    ON CONFLICT (collection_id) DO UPDATE SET requested_at = EXCLUDED.requested_at;
$$;

CREATE FUNCTION specimens_facts_dirty_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM specimens_facts_mark(ARRAY(SELECT DISTINCT collection_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION specimens_facts_dirty_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM specimens_facts_mark(ARRAY(SELECT DISTINCT collection_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION specimens_facts_dirty_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM specimens_facts_mark(ARRAY(
        SELECT DISTINCT x.c FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (o.collection_id), (n.collection_id)) x(c)
        WHERE (o.collection_id, o.donor_id, o.status, o.lineage, o.material_type, o.collected_at, o.diagnosis)
            IS DISTINCT FROM
            (n.collection_id, n.donor_id, n.status, n.lineage, n.material_type, n.collected_at, n.diagnosis)
    ));
    RETURN NULL;
END $$;

CREATE TRIGGER specimens_facts_dirty_insert AFTER INSERT ON specimens_specimen
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION specimens_facts_dirty_insert();
CREATE TRIGGER specimens_facts_dirty_delete AFTER DELETE ON specimens_specimen
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION specimens_facts_dirty_delete();
CREATE TRIGGER specimens_facts_dirty_update AFTER UPDATE ON specimens_specimen
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION specimens_facts_dirty_update();

CREATE FUNCTION specimens_facts_dirty_donor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.sex, OLD.birth_year, OLD.birth_month, OLD.status)
        IS DISTINCT FROM (NEW.sex, NEW.birth_year, NEW.birth_month, NEW.status) THEN
        PERFORM specimens_facts_mark(ARRAY(
            SELECT DISTINCT collection_id FROM specimens_specimen WHERE donor_id = NEW.id
        ));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER specimens_facts_dirty_donor AFTER UPDATE OF sex, birth_year, birth_month, status ON consent_donor
    FOR EACH ROW EXECUTE FUNCTION specimens_facts_dirty_donor();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS specimens_facts_dirty_donor ON consent_donor;
DROP TRIGGER IF EXISTS specimens_facts_dirty_update ON specimens_specimen;
DROP TRIGGER IF EXISTS specimens_facts_dirty_delete ON specimens_specimen;
DROP TRIGGER IF EXISTS specimens_facts_dirty_insert ON specimens_specimen;
DROP FUNCTION IF EXISTS specimens_facts_dirty_donor();
DROP FUNCTION IF EXISTS specimens_facts_dirty_update();
DROP FUNCTION IF EXISTS specimens_facts_dirty_delete();
DROP FUNCTION IF EXISTS specimens_facts_dirty_insert();
DROP FUNCTION IF EXISTS specimens_facts_mark(bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_idempotency_keys"),
        ("catalog", "0004_facts"),
        ("consent", "0008_pid_history"),
        ("specimens", "0006_import_speed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="specimen",
            name="diagnosis",
            field=models.CharField(
                blank=True,
                default="",
                db_default="",
                help_text="ICD-10 (WHO 2019) or ORPHA code of the donor's disease this specimen documents (optional)",
                max_length=40,
                verbose_name="diagnosis",
            ),
        ),
        migrations.AddIndex(
            model_name="specimen",
            index=models.Index(fields=["collection", "status"], name="specimen_collection_status"),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
