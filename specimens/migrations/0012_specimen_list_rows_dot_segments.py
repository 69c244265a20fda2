# specimen_list_rows (0011) leaves the URL of a barcode with a "." or ".." path segment ("A/../B") to Python: such a
# URL is resolved (RFC 3986 removes dot segments), so it is not the barcode's path appended to the route. Python
# builds it as the serializer does. Everything else in the function is 0011's.

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("specimens.migrations.0011_specimen_list_rows_function").ROWS
PLAIN = "'^[ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~!$&''()*+,;=/:@-]*$'"
assert PLAIN in PREVIOUS
ROWS = PREVIOUS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1).replace(
    PLAIN, PLAIN + "\n            AND s.barcode !~ '(^|/)[.][.]?(/|$)'", 1
)
BEFORE = PREVIOUS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


class Migration(migrations.Migration):

    dependencies = [
        ("specimens", "0011_specimen_list_rows_function"),
    ]

    operations = [
        migrations.RunSQL(ROWS, BEFORE),
    ]
