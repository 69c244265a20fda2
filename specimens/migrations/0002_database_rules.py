"""Rules the database keeps whatever the caller: events are append-only; a position lies inside its box.

* ``specimens_specimenevent`` refuses UPDATE and DELETE (the chain of custody is only ever extended).
* A specimen's (box, row, column) must name a box of the same biobank and a cell inside its grid: checked by a
  row trigger on INSERT and on UPDATE of the position columns, so a bulk path that bypasses the services cannot
  put a tube at K11 of a 10 x 10 box. (One specimen per cell is the unique constraint of 0001.)
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION specimen_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Specimen events are append-only: % on %.% is refused.', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new event (a correction) instead.';
END;
$$;

CREATE TRIGGER specimen_event_append_only
    BEFORE UPDATE OR DELETE ON specimens_specimenevent
    FOR EACH STATEMENT EXECUTE FUNCTION specimen_event_refuse_change();

CREATE OR REPLACE FUNCTION specimen_position_inside_box() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unit RECORD;
BEGIN
    IF NEW.box_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT kind, rows, columns, biobank_id INTO unit FROM specimens_storageunit WHERE id = NEW.box_id;
    IF unit.kind IS DISTINCT FROM 'box' OR unit.biobank_id <> NEW.biobank_id
       OR NEW.box_row > unit.rows OR NEW.box_column > unit.columns THEN
        RAISE EXCEPTION 'Position (%, %) is not a cell of box % of this biobank.', NEW.box_row, NEW.box_column, NEW.box_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'specimen_position_inside_box';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER specimen_position_inside_box
    BEFORE INSERT OR UPDATE OF box_id, box_row, box_column ON specimens_specimen
    FOR EACH ROW EXECUTE FUNCTION specimen_position_inside_box();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS specimen_position_inside_box ON specimens_specimen;
DROP FUNCTION IF EXISTS specimen_position_inside_box();
DROP TRIGGER IF EXISTS specimen_event_append_only ON specimens_specimenevent;
DROP FUNCTION IF EXISTS specimen_event_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("specimens", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
