# The specimen list API's rows, each as the JSON text SpecimenSerializer renders, built by PostgreSQL in one call.
#
# specimens/api/specimen_list_rows.py calls specimen_list_rows(keys, url_head, url_tail) for a page's keys. A PL/pgSQL
# function keeps its query's plan for the session: planning this seven-table query took 2-3 ms, more than running it,
# and a PREPAREd statement would not survive PgBouncer in transaction mode (docs/deployment.md). Each value is written
# as DRF writes it (tests/specimens/api/test_specimen_list_rows.py compares the two byte for byte):
# - times in UTC, ISO 8601, "Z", the microseconds only when there are any (datetime.isoformat);
# - decimals with the column's scale (DecimalField's quantize: the column is numeric(16, 4));
# - the donor's PID grouped ABCDE-FGHJK-M when it has 11 characters (consent.models.donors.pid_display);
# - the box position's label by specimens_row_label (specimens.models.storage.row_label) and the column;
# - the URL the detail's route gives, when the barcode has only characters a URL path keeps as they are; for any other
#   barcode url is null and the barcode is returned beside the row, for the caller to quote (urllib.parse.quote).

from django.db import migrations

ROW_LABEL = r"""
CREATE FUNCTION specimens_row_label(n integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN n < 1 THEN ''
        WHEN n <= 26 THEN chr(64 + n)
        WHEN n <= 702 THEN chr(64 + (n - 1) / 26) || chr(65 + mod(n - 1, 26))
        WHEN n <= 18278 THEN chr(64 + ((n - 1) / 26 - 1) / 26) || chr(65 + mod((n - 1) / 26 - 1, 26))
            || chr(65 + mod(n - 1, 26))
        ELSE chr(64 + (((n - 1) / 26 - 1) / 26 - 1) / 26) || chr(65 + mod(((n - 1) / 26 - 1) / 26 - 1, 26))
            || chr(65 + mod((n - 1) / 26 - 1, 26)) || chr(65 + mod(n - 1, 26))
    END
$$;
"""

UTC = """to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE WHEN mod(date_part('microseconds', {0} AT TIME ZONE 'UTC')::integer, 1000000) = 0 THEN ''
                    ELSE to_char({0} AT TIME ZONE 'UTC', '.US') END || 'Z'"""

ROWS = r"""
CREATE FUNCTION specimen_list_rows(keys bigint[], url_head text, url_tail text)
RETURNS TABLE (unquoted_barcode text, row_json text) LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT CASE WHEN f.plain THEN NULL ELSE s.barcode END::text, to_json(r)::text
    FROM unnest(keys) WITH ORDINALITY AS k(id, ord)
    JOIN specimens_specimen s ON s.id = k.id
    JOIN accounts_biobank b ON b.id = s.biobank_id
    JOIN catalog_collection c ON c.id = s.collection_id
    JOIN consent_donor d ON d.id = s.donor_id
    LEFT JOIN specimens_specimen p ON p.id = s.parent_id
    LEFT JOIN specimens_storageunit u ON u.id = s.box_id
    -- what urllib.parse.quote(barcode, safe="!$&'()*+,;=/~:@") leaves as it is: letters, digits, "_.-~" and those
    CROSS JOIN LATERAL (
        SELECT s.barcode ~ '^[ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~!$&''()*+,;=/:@-]*$'
            AS plain
    ) f
    CROSS JOIN LATERAL (
        SELECT
            CASE WHEN f.plain THEN url_head || s.barcode || url_tail END AS url,
            s.barcode,
            b.code AS biobank,
            c.code AS collection,
            CASE WHEN char_length(d.pid) = 11
                THEN substr(d.pid, 1, 5) || '-' || substr(d.pid, 6, 5) || '-' || substr(d.pid, 11, 5)
                ELSE d.pid END AS donor,
            s.sample_type,
            s.material_type,
            s.sprec_code,
            s.lineage,
            p.barcode AS parent,
            s.status,
            s.quantity::text AS quantity,
            s.unit,
            s.concentration::text AS concentration,
            s.concentration_unit,
            s.freeze_thaw_count,
            CASE WHEN s.box_id IS NULL OR s.box_row IS NULL OR s.box_column IS NULL THEN NULL ELSE (
                SELECT to_json(q) FROM (
                    SELECT u.code AS box, s.box_id, s.box_row AS "row", s.box_column AS "column",
                        specimens_row_label(s.box_row) || s.box_column AS label
                ) q
            ) END AS position,
            COLLECTED_AT AS collected_at,
            RECEIVED_AT AS received_at,
            CREATED_AT AS created_at,
            UPDATED_AT AS updated_at
    ) r
    ORDER BY k.ord;
END
$$;
"""
for _column in ("collected_at", "received_at", "created_at", "updated_at"):
    ROWS = ROWS.replace(f"{_column.upper()} AS", UTC.format(f"s.{_column}") + " AS")


class Migration(migrations.Migration):

    dependencies = [
        ("specimens", "0010_feasibility_index"),
    ]

    operations = [
        migrations.RunSQL(ROW_LABEL, "DROP FUNCTION specimens_row_label(integer);"),
        migrations.RunSQL(ROWS, "DROP FUNCTION specimen_list_rows(bigint[], text, text);"),
    ]
