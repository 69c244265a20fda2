"""A new collection, or one that moves under another parent, has stale facts: the trigger marks it (and the old
parent, whose size included it) in ``FactsRecompute``; the engine recomputes the ancestors of what is marked."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION catalog_collection_facts_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.parent_id IS DISTINCT FROM NEW.parent_id THEN
        INSERT INTO catalog_factsrecompute (collection_id, requested_at)
        SELECT c, clock_timestamp() FROM (VALUES (NEW.id), (CASE WHEN TG_OP = 'UPDATE' THEN OLD.parent_id END)) v(c)
        WHERE c IS NOT NULL
        ON CONFLICT (collection_id) DO UPDATE SET requested_at = EXCLUDED.requested_at;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER catalog_collection_facts_dirty AFTER INSERT OR UPDATE OF parent_id ON catalog_collection
    FOR EACH ROW EXECUTE FUNCTION catalog_collection_facts_dirty();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalog_collection_facts_dirty ON catalog_collection;
DROP FUNCTION IF EXISTS catalog_collection_facts_dirty();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_collection_tree_rules")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
