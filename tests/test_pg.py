"""Planner settings last for their block, not for the rest of the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction

from biobank.audit.services import audit_drain, audit_record
from biobank.pg import planner_settings

pytestmark = pytest.mark.django_db


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_the_settings_hold_inside_the_block_and_the_previous_values_come_back():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '8MB'")  # the caller's own setting
        with planner_settings(cursor, enable_seqscan="off", work_mem="64MB"):
            assert (show("enable_seqscan"), show("work_mem")) == ("off", "64MB")
        assert (show("enable_seqscan"), show("work_mem")) == ("on", "8MB")


def test_a_failed_block_leaves_no_setting_behind_either():
    with transaction.atomic(), connection.cursor() as cursor:
        with pytest.raises(DataError), transaction.atomic(), planner_settings(cursor, enable_nestloop="off"):
            cursor.execute("SELECT 1 / 0")
        assert show("enable_nestloop") == "on"


def test_the_audit_drain_inside_a_callers_transaction_leaves_its_planner_settings_to_nobody(biobank_a):
    with transaction.atomic():
        audit_record(actor=None, action="biobank.create", obj=biobank_a, biobank=biobank_a)
        audit_drain()
        # the rest of the caller's transaction plans as usual (a second per access-request list, with seqscan off)
        assert show("enable_seqscan") == "on"
