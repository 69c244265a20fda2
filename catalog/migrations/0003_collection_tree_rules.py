"""The database refuses a sub-collection cycle and a sub-collection of another biobank's collection.

The service checks the same first and says so in words; this trigger is the last line (concurrent edits, raw SQL).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION catalog_collection_tree_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_biobank bigint;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT biobank_id INTO parent_biobank FROM catalog_collection WHERE id = NEW.parent_id;
    IF parent_biobank IS DISTINCT FROM NEW.biobank_id THEN
        RAISE EXCEPTION 'collection %: a sub-collection must belong to the biobank of its parent', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_parent_same_biobank';
    END IF;
    IF EXISTS (
        WITH RECURSIVE up(id, parent_id) AS (
            SELECT id, parent_id FROM catalog_collection WHERE id = NEW.parent_id
            UNION
            SELECT c.id, c.parent_id FROM catalog_collection c JOIN up ON c.id = up.parent_id
        )
        SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'collection %: making % its parent would close a cycle', NEW.id, NEW.parent_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_no_cycle';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER catalog_collection_tree_check
    BEFORE INSERT OR UPDATE OF parent_id, biobank_id ON catalog_collection
    FOR EACH ROW EXECUTE FUNCTION catalog_collection_tree_check();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalog_collection_tree_check ON catalog_collection;
DROP FUNCTION IF EXISTS catalog_collection_tree_check();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_miabis")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
