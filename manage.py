#!/usr/bin/env python
"""Django's command-line utility for the Biobank Portal."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        if sys.argv[1:2] == ["runserver"]:
            _start_embedded_database()
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake (a malformed or missing environment variable): the message names the variable and
        # says what is allowed; a traceback would only hide it.
        sys.stderr.write(f"Configuration error: {error}\n")
        sys.exit(2)


def _start_embedded_database() -> None:
    """runserver: the autoreloader's parent holds the embedded PostgreSQL (if that is the database) from the start.

    Elsewhere the server starts on the first connection (biobank/embedded_db). Here the parent, which never
    connects, must hold it too: on Ctrl-C it outlives the served child (which it may kill mid-exit) and stops the
    server as the last process using it.
    """
    from django.conf import settings

    from biobank.embedded_db import ensure_started

    ensure_started(settings.DATABASES["default"])


if __name__ == "__main__":
    main()
