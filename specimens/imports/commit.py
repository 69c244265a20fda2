"""The commit: COPY the checked rows into a TEMP staging table, then set-based ``INSERT … SELECT`` into
``specimens_specimen`` and its events, and the audit outbox rows (one per specimen, signed in Python) by COPY —
all in the caller's transaction, so any problem leaves nothing written.

Ids are taken from the specimen sequence in blocks before the rows are written, so the audit rows (whose signature
covers the object id) are signed in the same pass that writes the staging lines.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from biobank.accounts.models import Biobank
from biobank.audit.canonical import canonical_json
from biobank.audit.context import current_request_context
from biobank.audit.integrity import _address, hmac256, subkey
from biobank.audit.services import _actor_fields, _host_address, _text

from ..choices import EventType, SpecimenAuditAction, SpecimenStatus
from ..models import BarcodeSequence
from ..services.register import FACT_FIELDS
from .check import Report, Shared
from .copytext import copy_field
from .lineage import lineage_write

FLUSH_EVERY = 50_000
# The staging is two tables whose columns have the target's types (``CREATE TABLE AS … WITH NO DATA``, so the
# INSERT … SELECT casts nothing): ``import_staging``, one narrow line per row (its own columns and the index of its
# shared set), and ``import_shared``, one line per distinct set of the other columns (a handful per file).
# column → its definition (a Specimen column of the same name unless said otherwise)
ROW_STAGING: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("row_number", "0"),
    ("barcode", "barcode"),
    ("donor_pid", "''::text"),
    ("collected_at", "collected_at"),
    ("received_at", "received_at"),
    ("storage_started_at", "storage_started_at"),
    ("notes", "notes"),
    ("shared", "0"),
)
SAME_NAMES = (  # shared columns of the same name and type as the Specimen column
    "material_type quantity unit concentration concentration_unit primary_container collection_type "
    "pre_centrifugation_delay_min pre_centrifugation_temperature_c centrifugation "
    "centrifugation_temperature_c centrifugation_duration_min centrifugation_g_force centrifugation_braking "
    "second_centrifugation second_centrifugation_temperature_c second_centrifugation_duration_min "
    "second_centrifugation_g_force second_centrifugation_braking post_centrifugation_delay_min "
    "post_centrifugation_temperature_c storage_container storage_method storage_temperature_c "
    "warm_ischemia_min cold_ischemia_min fixation fixation_duration_min sprec_code sprec_entered"
)
SHARED_STAGING: tuple[tuple[str, str], ...] = (
    ("collection", "''::text"),
    ("sample_type", "sample_type"),
    ("kind", "sprec_kind"),
    *((name, name) for name in SAME_NAMES.split()),
)
ROW_NAMES = frozenset(name for name, _source in ROW_STAGING)
SHARED_NAMES = tuple(name for name, _type in SHARED_STAGING)
# text columns that are NOT NULL in the table: an empty cell is stored as ''
BLANK_TEXT = frozenset(
    {
        "concentration_unit",
        "primary_container",
        "collection_type",
        "centrifugation",
        "second_centrifugation",
        "storage_container",
        "storage_method",
        "fixation",
        "notes",
    }
)
OUTBOX_COLUMNS = (
    "actor_type",
    "actor_id",
    "actor_label",
    "on_behalf_of",
    "action",
    "object_type",
    "object_id",
    "biobank_id",
    "changes",
    "details",
    "reason",
    "request_id",
    "client_ip",
    "user_agent",
    "nonce",
    "mac",
)


def segment_of(shared: Shared) -> str:
    """The staging text of the shared columns (COPY text, in ``SHARED_NAMES`` order), made once per ``Shared``."""
    segment = shared.segment
    if segment is None:
        segment = shared.segment = "\t".join(
            copy_field("" if (value := shared.values.get(name)) is None and name in BLANK_TEXT else value)
            for name in SHARED_NAMES
        )
    return segment


def row_text(values: dict[str, Any]) -> str:
    """The staging text of a row's own columns after barcode and PID: the three timestamps and the notes."""
    get = values.get
    return (
        f"{copy_field(get('collected_at'))}\t{copy_field(get('received_at'))}\t"
        f"{copy_field(get('storage_started_at'))}\t{copy_field(get('notes') or '')}"
    )


class StagingWriter:
    """Receives each clean row: gives it an id (and a barcode if it has none) and streams it to the staging COPY."""

    def __init__(self, cursor: Any, biobank: Biobank) -> None:
        self.cursor, self.biobank = cursor, biobank
        self.lines: list[str] = []
        self.waiting: list[tuple[int, str, str, Shared]] = []
        self.audit: list[tuple[int, int, str, str, Shared]] = []
        self.copying: Future[None] | None = None
        self.copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        sequence, _created = BarcodeSequence.objects.get_or_create(biobank=biobank)
        self.sequence = BarcodeSequence.objects.select_for_update().get(pk=sequence.pk)
        self.next_barcode = self.sequence.next_value
        self.pattern, self.year, self.prefix = (
            settings.SPECIMEN_BARCODE_PATTERN,
            timezone.localdate().year,
            biobank.code.upper(),
        )
        self.columns = ", ".join(name for name, _source in ROW_STAGING)
        self.index: dict[int, int] = {}
        self.closed = False
        self.reserved: Future[Iterable[int]] | None = None
        self.pool: Iterator[int] = iter(())
        self.shared: list[Shared] = []  # kept alive, so ``id()`` keys stay unique

    def _index(self, shared: Shared) -> int:
        index = self.index.get(id(shared))
        if index is None:
            index = self.index[id(shared)] = len(self.shared)
            self.shared.append(shared)
        return index

    def add(self, row: int, shared: Shared, values: dict[str, Any]) -> None:
        barcode = values.get("barcode")
        if not barcode:
            barcode = self.pattern.format(biobank=self.prefix, year=self.year, seq=self.next_barcode)
            self.next_barcode += 1
        pid = values["donor_pid"]
        self.lines.append(f"\t{row}\t{copy_field(barcode)}\t{pid}\t{row_text(values)}\t{self._index(shared)}\n")
        self.waiting.append((row, barcode, pid, shared))
        if len(self.lines) >= FLUSH_EVERY:
            self.flush()

    def add_prepared(self, row: int, barcode: str, pid: str, middle: str, shared: Shared) -> None:
        """A row converted by the dry run (``prepared``): ``middle`` is its ``row_text``, already in COPY text."""
        if not barcode:
            barcode = self.pattern.format(biobank=self.prefix, year=self.year, seq=self.next_barcode)
            self.next_barcode += 1
        self.lines.append(f"\t{row}\t{copy_field(barcode)}\t{pid}\t{middle}\t{self._index(shared)}\n")
        self.waiting.append((row, barcode, pid, shared))
        if len(self.lines) >= FLUSH_EVERY:
            self.flush()

    def wait(self) -> None:
        """The COPY in flight, finished (its error raised here): the connection is free again."""
        if self.copying is not None:
            copying, self.copying = self.copying, None
            copying.result()

    def flush(self) -> None:
        """Give the block ids from the sequence, then COPY it in the background while the check reads on (the
        server parses one block while Python checks the next; the connection is used by one thread at a time)."""
        if not self.lines:
            return
        self.wait()
        if self.reserved is not None:
            self.pool, self.reserved = iter(self.reserved.result()), None
        ids = list(islice(self.pool, len(self.lines)))
        if len(ids) < len(self.lines):
            ids += self._ids(len(self.lines) - len(ids))
        text = io.StringIO("".join([f"{pk}{line}" for pk, line in zip(ids, self.lines, strict=True)]))
        self.audit += [(pk, *entry) for pk, entry in zip(ids, self.waiting, strict=True)]
        self.lines, self.waiting = [], []
        self.copying = self.copier.submit(
            self.cursor.copy_expert, f"COPY import_staging ({self.columns}) FROM STDIN", text
        )

    def reserve(self, count: int) -> None:
        """Take ``count`` ids in the background while the caller prepares the first block (a known row count)."""
        self.reserved = self.copier.submit(self._ids, count)

    def _ids(self, count: int) -> Iterable[int]:
        """``count`` ids from the specimen sequence: the range when they are consecutive (nearly always), else
        a second block, listed (another session took ids in between; the first block is left unused)."""
        # the sequence named once, as a constant: ``pg_get_serial_sequence`` in the select list ran per row (a
        # pg_depend scan and a name lookup each: 3.4 s of a million ids, against 0.4 s for the constant)
        self.cursor.execute("SELECT pg_get_serial_sequence('specimens_specimen', 'id')::regclass::oid")
        (sequence,) = self.cursor.fetchone()
        self.cursor.execute(
            "SELECT min(v), max(v) FROM (SELECT nextval(%s::oid) AS v FROM generate_series(1, %s)) t", [sequence, count]
        )
        low, high = self.cursor.fetchone()
        if high - low + 1 == count:
            return range(low, high + 1)
        self.cursor.execute("SELECT nextval(%s::oid) FROM generate_series(1, %s)", [sequence, count])
        return [pk for (pk,) in self.cursor.fetchall()]

    def close(self) -> None:
        """Everything written (the shared sets last); once only, a second call does nothing."""
        if self.closed:
            return
        self.closed = True
        try:
            self.flush()
            self.wait()
        finally:
            self.copier.shutdown(wait=True)
        shared = "".join(f"{index}\t{segment_of(one)}\n" for index, one in enumerate(self.shared))
        self.cursor.copy_expert("COPY import_shared FROM STDIN", io.StringIO(shared))
        if self.next_barcode != self.sequence.next_value:
            self.sequence.next_value = self.next_barcode
            self.sequence.save(update_fields=["next_value"])


def staging_create(cursor: Any) -> None:
    for table, columns in (("import_staging", ROW_STAGING), ("import_shared", (("ix", "0"), *SHARED_STAGING))):
        select = ", ".join(f"{source} AS {name}" for name, source in columns)
        cursor.execute(
            f"CREATE TEMP TABLE {table} ON COMMIT DROP AS SELECT {select} FROM specimens_specimen WITH NO DATA"  # noqa: S608 (constants)
        )


INSERT_SPECIMENS = """
INSERT INTO specimens_specimen (
    id, biobank_id, collection_id, donor_id, barcode, sample_type, sprec_kind, material_type, lineage, status,
    initial_quantity, quantity, unit, concentration, concentration_unit, freeze_thaw_count, {facts},
    sprec_code, sprec_entered, notes, created_by_id, created_at, updated_at
)
SELECT s.id, %(biobank)s, c.id, d.donor_id, s.barcode, h.sample_type, h.kind, h.material_type, 'primary',
    CASE WHEN d.blocked THEN %(blocked)s ELSE %(available)s END,
    h.quantity, h.quantity, h.unit, h.concentration, h.concentration_unit, 0, {staged_facts},
    h.sprec_code, h.sprec_entered, s.notes, %(user)s, now(), now()
FROM import_staging s
JOIN import_shared h ON h.ix = s.shared
JOIN import_donor d ON d.pid = s.donor_pid
JOIN import_collection c ON c.code = h.collection
"""
FACT_COLUMNS = FACT_FIELDS


def insert_specimens_sql() -> str:
    return INSERT_SPECIMENS.format(
        facts=", ".join(FACT_COLUMNS),
        staged_facts=", ".join(f"{'s' if name in ROW_NAMES else 'h'}.{name}" for name in FACT_COLUMNS),
    )


# One event per imported specimen: ``received`` at the reception time (the import time where none is given), the
# collection time and the job in its details (the collection time is also the specimen's ``collected_at``).
INSERT_EVENTS = """
INSERT INTO specimens_specimenevent
    (specimen_id, biobank_id, type, occurred_at, recorded_at, actor_label, details, note)
SELECT id, %(biobank)s, %(received)s, coalesce(received_at, now()), now(), %(label)s,
    CASE WHEN collected_at IS NULL THEN %(details)s::jsonb
         ELSE jsonb_build_object('import', %(job)s::text, 'collected_at', collected_at) END, ''
FROM import_staging
"""


def keys_create(cursor: Any, *, biobank: Biobank, report: Report) -> None:
    """The donors (id, consent-blocked) and the collections of the biobank as TEMP tables, and every TEMP table of
    the INSERT analysed: autovacuum never analyses them, and without their sizes (and with ``catalog_collection``'s
    statistics) the planner took a million staged rows for a few hundred and hashed the wide staging x shared join,
    spilling it to disk, instead of hashing the donors and reading the staging once."""
    pids = list(report.donors)
    cursor.execute(
        "CREATE TEMP TABLE import_donor ON COMMIT DROP AS "
        "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::boolean[]) AS t(pid, donor_id, blocked)",
        [pids, [report.donors[pid][0] for pid in pids], [report.donors[pid][1] for pid in pids]],
    )
    cursor.execute(
        "CREATE TEMP TABLE import_collection ON COMMIT DROP AS "
        "SELECT code::text AS code, id FROM catalog_collection WHERE biobank_id = %s",
        [biobank.pk],
    )
    cursor.execute("ANALYZE import_staging, import_shared, import_donor, import_collection")


def insert_rows(
    cursor: Any, *, biobank: Biobank, report: Report, user_id: int | None, label: str, job_uid: str
) -> tuple[int, int]:
    """Specimens and their ``received`` events from the staging table; ``(specimens, events)``."""
    keys_create(cursor, biobank=biobank, report=report)
    cursor.execute(
        insert_specimens_sql(),
        {
            "biobank": biobank.pk,
            "blocked": SpecimenStatus.CONSENT_BLOCKED.value,
            "available": SpecimenStatus.AVAILABLE.value,
            "user": user_id,
        },
    )
    specimens = cursor.rowcount
    cursor.execute(
        INSERT_EVENTS,
        {
            "biobank": biobank.pk,
            "received": EventType.RECEIVED.value,
            "label": label,
            "details": json.dumps({"import": job_uid}),
            "job": job_uid,
        },
    )
    events = cursor.rowcount
    lineage_write(cursor, biobank=biobank, report=report, label=label, job_uid=job_uid)
    return specimens, events


def _tail(shared: Shared, blocked: bool) -> str:
    """The part of a specimen's ``changes`` after the donor (sorted keys), shared by the rows of one ``Shared``."""
    found = shared.audit.get(blocked)
    if found is None:
        values = shared.values
        status = SpecimenStatus.CONSENT_BLOCKED.value if blocked else SpecimenStatus.AVAILABLE.value
        found = shared.audit[blocked] = canonical_json(
            {
                "quantity": [None, f"{values['quantity']} {values['unit']}"],
                "sample_type": [None, values["sample_type"]],
                "sprec_code": [None, values["sprec_code"]],
                "status": [None, status],
            }
        )[1:]
    return found


def audit_rows(*, actor: Any, biobank: Biobank, writer: StagingWriter, report: Report, job_uid: str) -> Iterator[str]:
    """One signed outbox line per specimen (COPY text), its content exactly what ``audit_record_many`` writes.

    ``changes`` is built as the canonical JSON text directly and the MAC message (``integrity.outbox_mac``: a JSON
    list of the content columns) from constant parts around the per-row values; the drain recomputes every MAC
    from the stored columns and quarantines a row that differs, and the tests drain an import to prove none does.
    """
    actor_type, actor_id, actor_label, _biobank = _actor_fields(actor)
    actor_label = _text(actor_label, 254)
    request_id, client_ip, user_agent = current_request_context()
    request_id, client_ip, user_agent = request_id[:128], _host_address(client_ip), _text(user_agent, 512)
    hmac = hmac256(subkey("outbox"))
    action = SpecimenAuditAction.SPECIMEN_IMPORT.value
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    # outbox_mac's list: nonce, action, actor_id, actor_label, actor_type, biobank_id, changes, client_ip, details,
    # object_id, object_type, on_behalf_of, reason, request_id, user_agent
    after_nonce = "," + dumps([action, actor_id, actor_label, actor_type, biobank.pk])[1:-1] + ","
    after_changes = "," + dumps(_address(client_ip)) + ","
    tail = "," + dumps(["specimens.specimen", "", "", request_id, user_agent])[1:-1] + "]"
    head = "\t".join(
        [copy_field(actor_type), copy_field(actor_id), copy_field(actor_label), "", action, "specimens.specimen"]
    )
    fixed = "\t".join(["", copy_field(request_id), copy_field(client_ip), copy_field(user_agent)])
    details_head = '{"import":' + dumps(job_uid) + ',"row":'
    donors = report.donors
    lineage_of = {row: (parent, f"{used} {unit}") for row, parent, _kind, used, unit in report.lineage}
    # nonce: a random 64-bit start plus the row's offset, then 64 random bits — unique as a random one, and
    # ordered within the import, so the outbox's two nonce indexes take the rows in one place (half the COPY time
    # of 32 random digits in those indexes)
    start = secrets.randbits(62)
    nonces = secrets.token_bytes(8 * len(writer.audit)).hex()
    for number, (pk, row, barcode, pid, shared) in enumerate(writer.audit):
        changes = (
            '{"barcode":[null,'
            + dumps(barcode)
            + '],"collection":[null,'
            + dumps(shared.values["collection"])
            + '],"donor":[null,'
            + dumps(pid)
            + "],"
            + _tail(shared, donors[pid][1])
        )
        if row in lineage_of:
            parent, used = lineage_of[row]
            details = canonical_json({"import": job_uid, "parent": parent, "row": row, "used": used})
        else:
            details = f"{details_head}{row}}}"
        nonce = f"{start + number:016x}{nonces[16 * number : 16 * number + 16]}"
        message = f'["{nonce}"{after_nonce}{dumps(changes)}{after_changes}{dumps(details)},"{pk}"{tail}'
        mac = hmac.hexdigest(message.encode())
        yield f"{head}\t{pk}\t{biobank.pk}\t{copy_field(changes)}\t{copy_field(details)}\t{fixed}\t{nonce}\t{mac}\n"


def audit_copy(cursor: Any, lines: Iterable[str]) -> int:
    """COPY the signed outbox lines in blocks; the drain chains them after commit."""
    count, buffer = 0, io.StringIO()
    for line in lines:
        buffer.write(line)
        count += 1
        if count % FLUSH_EVERY == 0:
            buffer.seek(0)
            cursor.copy_expert(f"COPY audit_auditoutbox ({', '.join(OUTBOX_COLUMNS)}) FROM STDIN", buffer)
            buffer = io.StringIO()
    buffer.seek(0)
    cursor.copy_expert(f"COPY audit_auditoutbox ({', '.join(OUTBOX_COLUMNS)}) FROM STDIN", buffer)
    return count


def raw_cursor() -> Any:
    """psycopg2's cursor under Django's (``copy_expert`` lives there)."""
    return connection.cursor().cursor


__all__ = ["Decimal"]
