"""One deterministic generator of a realistic biobank network at a scale (``small`` ≈ 2k, 10k, 100k, 1m, 10m
specimens), loaded into the current database (``benchmarks.world`` calls it once per scale, seed and migration
state and keeps the result as a PostgreSQL template database).

What it makes, for ``seed`` and ``scale`` (``plan``):

- biobanks (3 … 20) with a published directory profile, contact and quality label, half of them in a network,
  each with collections and sub-collections (MIABIS attributes, DUO data-use terms, published);
- per biobank two consent templates: the MII broad consent (``seed_demo_consent``) and a disease-specific study
  consent whose policies carry DUO ``DS`` (breast cancer) — 4 of 5 donors signed the first, 1 of 5 the second;
  one donor in 13 declined the MII biomaterial module, one in 50 (2 %) later withdrew the whole consent;
- donors (one per ~5.25 specimens) with sex and birth year, each with a serum tube and two serum aliquots, an
  EDTA blood tube with a buffy-coat derivative, and one donor in four a frozen tissue sample — every specimen with
  its SPREC facts and a reception event;
- a storage hierarchy (site → room → freezers → racks → 9 x 9 boxes) holding the aliquots and the buffy coats:
  full boxes, every tenth box only partly filled, the last box of a biobank partly full; thaw and QC events;
- access requests in every request status, their biobank parts in every resource status.

How it loads (the project's own paths wherever it has them):

- specimens, aliquots and derivatives, their facts, lineage, reception events and signed audit rows: the specimen
  import service (``services.imports.prepare`` then ``import_commit``), one file per biobank and 100,000 rows;
- storage units: ``storage_unit_create``; placements: ``specimens_place_bulk`` (one call per box); events:
  ``events_add_many``; consent policies, modules and templates: the consent catalogue services; biobanks and
  collections: ``biobank_create`` and ``collection_create``; the audit outbox: ``audit_drain``; catalogue facts:
  ``recompute_all``.
- **plain ORM / set-based SQL where the project has no bulk path** (its services take one object at a time, which
  at 1M specimens would take hours): donors (``bulk_create``), consents (``bulk_create``) and their acts and
  withdrawals (``INSERT … SELECT``, as the capture and withdrawal services would write them), the collections'
  MIABIS attributes, sub-collection links and publication, the directory profiles, and the access requests with
  their resources (written straight into their states; the workflow services move one step at a time).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

SCALES = {"small": 2_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
ROWS_PER_DONOR = 5.25
FILE_ROWS = 100_000  # rows per import file
BOX_ROWS = BOX_COLUMNS = 9
MATERIALS = ["SERUM", "WHOLE_BLOOD", "BUFFY_COAT", "TISSUE_FROZEN", "PLASMA"]
DUO_DATA_USE = ["DUO:0000042", "DUO:0000006", "DUO:0000007"]
SEXES = ["female", "male", "female", "male", "unknown"]

ACTS_SQL = """
INSERT INTO consent_policystate (consent_id, donor_id, module_id, policy_id, origin, withdrawal_level, state,
    valid_from, valid_to, recorded_at, recorded_by_id, reason)
SELECT c.id, c.donor_id, mp.module_id, mp.policy_id, 'signature', '',
       CASE WHEN mp.module_id = %(declinable)s AND c.donor_id %% 13 = 5 THEN 'declined' ELSE 'accepted' END,
       c.signed_on, NULL, now(), %(user)s, ''
  FROM consent_consent c, unnest(%(modules)s::bigint[], %(policies)s::bigint[]) AS mp(module_id, policy_id)
 WHERE c.template_id = %(template)s
"""

# One donor in 50 withdrew every policy of the consent 30 days after signing it.
WITHDRAWALS_SQL = """
INSERT INTO consent_policystate (consent_id, donor_id, module_id, policy_id, origin, withdrawal_level, state,
    valid_from, valid_to, recorded_at, recorded_by_id, reason)
SELECT ps.consent_id, ps.donor_id, ps.module_id, ps.policy_id, 'withdrawal', '', 'withdrawn',
       ps.valid_from + 30, NULL, now(), %(user)s, 'Letter'
  FROM consent_policystate ps JOIN consent_donor d ON d.id = ps.donor_id
 WHERE d.biobank_id = %(biobank)s AND ps.state = 'accepted' AND ps.donor_id %% 50 = 7
"""


@dataclass(frozen=True)
class Plan:
    scale: str
    seed: int
    specimens: int
    biobanks: int
    collections: int  # top-level collections per biobank (each with two sub-collections)
    donors: int  # per biobank

    @property
    def requests_per_status(self) -> int:
        return max(2, self.specimens // 200_000)


def plan(scale: str, seed: int = 1) -> Plan:
    specimens = SCALES[scale]
    biobanks = 3 if specimens <= 10_000 else 6 if specimens <= 100_000 else 10 if specimens <= 1_000_000 else 20
    donors = max(1, round(specimens / ROWS_PER_DONOR / biobanks))
    return Plan(scale, seed, specimens, biobanks, collections=4 if specimens <= 10_000 else 8, donors=donors)


def pid_of(number: int) -> str:
    """The canonical PID of donor ``number`` (ten letters and digits and the Damm check character)."""
    from biobank.pseudonyms.checkchar import check_char

    data = f"{number:010d}".translate(str.maketrans("01", "AB"))
    return data + check_char(data)


# --- biobanks, catalogue, consent templates ------------------------------------------------------------------------


def make_biobank(index: int, rng: random.Random) -> Any:
    from biobank.accounts import services as account_services
    from catalog.models import BiobankProfile, Person, QualityStandard

    country = ["DE", "AT", "NL", "FR", "IT", "SE", "CZ", "PL"][index % 8]
    biobank = account_services.biobank_create(
        actor=None, code=f"bb{index:02d}", name=f"Biobank {index:02d}", country=country
    )
    person = Person.objects.create(
        biobank=biobank, bbmri_id=f"bbmri-eric:contactID:{country}_bb{index}", email=f"bb{index}@example.org",
        country=country,
    )  # fmt: skip
    profile = BiobankProfile.objects.create(
        biobank=biobank, bbmri_id=f"bbmri-eric:ID:{country}_bb{index}", description="Generated biobank",
        juristic_person="Generated", contact=person, state="published",
    )  # fmt: skip
    QualityStandard.objects.create(
        biobank=profile, standard=rng.choice(["iso-9001", "ISO-20387-2018"]), assessment_level="accredited"
    )
    return biobank


def make_network(biobanks: list[Any]) -> None:
    """The network the catalogue search filters by (``bench_catalog_search.SEARCHES``): half of the biobanks."""
    from catalog.models import Network, Person

    network = Network.objects.create(
        bbmri_id="bbmri-eric:networkID:EU_bench", name="Generated network", description="Generated",
        contact=Person.objects.filter(biobank=biobanks[0]).first(),
    )  # fmt: skip
    network.member_biobanks.set(biobanks[: max(1, len(biobanks) // 2)])


def make_collections(biobank: Any, count: int, rng: random.Random) -> list[Any]:
    """``count`` cohorts, each with two sub-collections (services), MIABIS attributes and published (ORM)."""
    from catalog.models import Collection
    from catalog.services import collection_create

    made = []
    for n in range(count):
        top = collection_create(actor=None, biobank=biobank, code=f"cohort-{n}", name=f"Cohort {n} {biobank.code}")
        made.append(top)
        for sub in (1, 2):
            child = collection_create(
                actor=None, biobank=biobank, code=f"cohort-{n}-{sub}", name=f"Cohort {n}.{sub} {biobank.code}"
            )
            Collection.objects.filter(pk=child.pk).update(parent=top)
            made.append(child)
    for collection in made:
        low = rng.choice([0, 18, 18, 40, 65])
        Collection.objects.filter(pk=collection.pk).update(
            state="published", country=biobank.country, description="Generated collection",
            sex=["FEMALE", "MALE"], age_low=low, age_high=low + rng.choice([17, 30, 50]), age_unit="YEAR",
            materials=rng.sample(MATERIALS, rng.randint(2, 4)), diseases=rng.sample(["C50", "C18", "E11", "I10"], 2),
            storage_temperatures=["temperature-60to-85"], collection_types=["HOSPITAL"],
            data_categories=["BIOLOGICAL_SAMPLES"], data_use=[rng.choice(DUO_DATA_USE)],
            bbmri_id=f"bbmri-eric:ID:{biobank.country}_{biobank.code}:collection:{collection.code}",
        )  # fmt: skip
    return made


def make_templates(biobank: Any) -> list[tuple[Any, int | None]]:
    """The MII broad consent and a disease-specific study consent; (template, declinable module id) each."""
    from django.utils import timezone

    from consent import services
    from consent.demo_consent import seed_demo_consent
    from consent.models import Module, Template

    mii = seed_demo_consent(biobank=biobank, actor=None)
    policies = [
        services.policy_create(actor=None, biobank=biobank, code=code, name=name, action=action,
                               data_class=data_class, duo_terms=duo, duo_disease="C50" if "DS" in duo else "")
        for code, name, action, data_class, duo in (
            ("ds-biomat-store", "Store biomaterial for the study", "store", "biomaterial", []),
            ("ds-biomat-use", "Use biomaterial for breast-cancer research", "use", "biomaterial", ["DS"]),
            ("ds-mdat-use", "Use patient data for breast-cancer research", "use", "medical_data", ["DS", "NPU"]),
        )
    ]  # fmt: skip
    module = services.module_create(
        actor=None, biobank=biobank, code="ds-study", policies=policies, mandatory=True,
        texts={"en": {"title": "Breast-cancer study", "text": "Samples and data for breast-cancer research."}},
    )  # fmt: skip
    study = services.template_create(
        actor=None, biobank=biobank, code="ds-study", version_label="v1", modules=[module],
        texts={"en": {"title": "Breast-cancer study consent", "text": "I agree to the study's use."}},
    )  # fmt: skip
    study = services.template_activate(actor=None, template=study)
    Template.objects.filter(pk__in=[mii.pk, study.pk]).update(signed_at=timezone.now())  # a signed consent froze them
    biomaterial = Module.objects.get(templates=mii, code="biomaterial")
    return [(mii, biomaterial.pk), (study, None)]


# --- donors and consents -------------------------------------------------------------------------------------------


def make_donors(biobank: Any, first: int, count: int, rng: random.Random) -> list[Any]:
    from consent.models import Donor

    return Donor.objects.bulk_create(
        (
            Donor(biobank=biobank, pid=pid_of(first + n), sex=SEXES[rng.randrange(5)],
                  birth_year=1930 + rng.randrange(80), birth_month=1 + rng.randrange(12))
            for n in range(count)
        ),
        batch_size=10_000,
    )  # fmt: skip


def make_consents(biobank: Any, donors: list[Any], templates: list[tuple[Any, int | None]], officer: Any) -> None:
    """One signed consent per donor (4 of 5 the broad consent), one act per module and policy, 2 % withdrawn."""
    from django.db import connection
    from django.utils import timezone

    from consent.models import Consent, Module

    now = timezone.now()
    signed = timezone.localdate() - timedelta(days=400)
    Consent.objects.bulk_create(
        (
            Consent(biobank=biobank, donor=donor, template=templates[1 if n % 5 == 4 else 0][0], language="en",
                    source="electronic", status="valid", signed_on=signed, recorded_by=officer,
                    countersigned_by=officer, countersigned_at=now, informed_by=officer, informed_place="Clinic")
            for n, donor in enumerate(donors)
        ),
        batch_size=10_000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        for template, declinable in templates:
            pairs = [
                (module.pk, policy.pk)
                for module in Module.objects.filter(templates=template).prefetch_related("policies")
                for policy in module.policies.all()
            ]
            cursor.execute(
                ACTS_SQL,
                {"template": template.pk, "declinable": declinable or -1, "user": officer.pk,
                 "modules": [m for m, _p in pairs], "policies": [p for _m, p in pairs]},
            )  # fmt: skip
        cursor.execute(WITHDRAWALS_SQL, {"biobank": biobank.pk, "user": officer.pk})


# --- specimens through the import service --------------------------------------------------------------------------

FLUID = {
    "kind": "fluid", "unit": "mL", "pre_centrifugation_temperature_c": "21", "centrifugation": "done",
    "centrifugation_temperature_c": "20", "centrifugation_duration_min": "10", "centrifugation_g_force": "2000",
    "centrifugation_braking": "yes", "second_centrifugation": "none", "post_centrifugation_temperature_c": "4",
    "storage_container": "cryotube-1-2ml", "storage_method": "programmable-freezing", "storage_temperature_c": "-150",
}  # fmt: skip


def donor_rows(
    biobank: Any, number: int, pid: str, collection: str, rng: random.Random, *, blocked: bool = False
) -> list[dict[str, str]]:
    """The specimens of one donor as import rows: parents before their aliquots and derivatives.

    A donor whose consent blocks the specimens (declined or withdrawn) has only the primary tubes (the import
    marks them consent-blocked); nothing can be aliquoted or derived from them.
    """
    from biobank.pseudonyms.checkchar import display

    day = 1 + rng.randrange(28)
    base = {
        "donor_pid": display(pid), "collection": collection,
        "collection_time": f"2024-{1 + number % 12:02d}-{day:02d}T08:{number % 60:02d}:00+01:00",
        "reception_time": f"2024-{1 + number % 12:02d}-{day:02d}T10:{number % 60:02d}:00+01:00",
    }  # fmt: skip
    code = f"{biobank.code.upper()}-{number:07d}"
    spin = {**FLUID, "pre_centrifugation_delay_min": str(30 + rng.randrange(300)),
            "post_centrifugation_delay_min": str(rng.randrange(90))}  # fmt: skip
    rows = [
        {**base, **spin, "barcode": f"{code}-1", "sample_type": "SER", "primary_container": "SST", "quantity": "2"},
        *({**base, **spin, "barcode": f"{code}-{k}", "sample_type": "SER", "quantity": "0.5",
           "parent_barcode": f"{code}-1"} for k in (2, 3)),
        {**base, "kind": "fluid", "barcode": f"{code}-4", "sample_type": "BLD", "primary_container": "PED",
         "quantity": "4", "unit": "mL", "storage_temperature_c": "-80", "storage_method": "freezer",
         "storage_container": "pp-tube-5ml"},
        {**base, "kind": "fluid", "barcode": f"{code}-5", "sample_type": "BUF", "quantity": "0.5", "unit": "mL",
         "parent_barcode": f"{code}-4", "used_quantity": "1", "used_unit": "mL", "storage_temperature_c": "-20",
         "storage_method": "freezer", "storage_container": "pp-tube-0.5-2ml"},
    ]  # fmt: skip
    if blocked:
        rows = [row for row in rows if not row.get("parent_barcode")]
    if number % 4 == 0:
        rows.append(
            {**base, "kind": "solid", "barcode": f"{code}-6", "sample_type": "TIS", "collection_type": "SRG",
             "quantity": "1", "unit": "count", "warm_ischemia_min": "10", "cold_ischemia_min": "20",
             "fixation": "SNP", "storage_temperature_c": "-196", "storage_method": "liquid-nitrogen",
             "storage_container": "straw"}
        )  # fmt: skip
    return rows


def import_file(biobank: Any, rows: list[dict[str, str]]) -> int:
    """One file through the import service: the dry run (``prepare``) and the commit (``import_commit``)."""
    from django.core.files.base import ContentFile

    from specimens.imports.columns import HEADER
    from specimens.models import ImportJob
    from specimens.services import imports

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([row.get(name, "") for name in HEADER] for row in rows)
    data = buffer.getvalue().encode()
    uid = uuid.uuid4()
    name = ImportJob._meta.get_field("file").storage.save(
        f"specimens/imports/{biobank.pk}/{uid}.csv", ContentFile(data)
    )  # as the upload stores it
    job = ImportJob.objects.create(
        uid=uid, biobank=biobank, file=name, file_name="generated.csv",
        file_format="csv", file_size=len(data), status="validating", file_sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    report = imports.prepare(job, data)
    if not report.clean:
        raise RuntimeError(f"the generated import file has problems: {report.problems[:5]}")
    ImportJob.objects.filter(pk=job.pk).update(status="committing")
    done = imports.import_commit(job_id=job.pk)
    if done.status != "imported":
        raise RuntimeError(f"the generated import did not commit: {done.status} {done.message}")
    return report.rows


# --- storage, events, access requests ------------------------------------------------------------------------------


def store(biobank: Any, rng: random.Random) -> int:
    """Freezers, racks and boxes (services); aliquots and buffy coats placed box by box (``specimens_place_bulk``)."""
    from django.db.models import Q

    from specimens.models import Specimen
    from specimens.services import specimens_place_bulk, storage_unit_create

    barcodes = list(
        Specimen.objects.filter(biobank=biobank)
        .filter(Q(lineage="aliquot", barcode__endswith="-2") | Q(lineage="derivative"))
        .order_by("barcode")
        .values_list("barcode", flat=True)
    )
    site = storage_unit_create(actor=None, biobank=biobank, parent=None, kind="site", name="Site", code="site")
    room = storage_unit_create(actor=None, biobank=biobank, parent=site, kind="room", name="Room", code="room")
    cells, placed, number = BOX_ROWS * BOX_COLUMNS, 0, 0
    freezer = rack = None
    while placed < len(barcodes):
        if number % 400 == 0:
            freezer = storage_unit_create(
                actor=None, biobank=biobank, parent=room, kind="freezer", name=f"Freezer {number // 400}",
                code=f"fz{number // 400}",
            )  # fmt: skip
        if number % 20 == 0:
            rack = storage_unit_create(
                actor=None, biobank=biobank, parent=freezer, kind="rack", name=f"Rack {number // 20}",
                code=f"rack{number // 20}",
            )  # fmt: skip
        box = storage_unit_create(
            actor=None, biobank=biobank, parent=rack, kind="box", name=f"Box {number}", code=f"box{number}",
            rows=BOX_ROWS, columns=BOX_COLUMNS,
        )  # fmt: skip
        take = cells if number % 10 != 9 else rng.randint(cells // 3, cells - 5)  # every tenth box partly full
        chunk = barcodes[placed : placed + take]
        specimens_place_bulk(actor=None, box=box, placements=[(barcode, None) for barcode in chunk])
        placed += len(chunk)
        number += 1
    return number


def more_events(biobank: Any) -> None:
    """A thaw for one serum aliquot in ten and a QC result for one buffy coat in five (``events_add_many``)."""
    from django.db.models.functions import Mod

    from specimens.models import Specimen
    from specimens.services.events import events_add_many

    mine = Specimen.objects.filter(biobank=biobank).alias(tenth=Mod("id", 10), fifth=Mod("id", 5))
    events_add_many(actor=None, specimens=mine.filter(sample_type="SER", lineage="aliquot", tenth=3), type="thawed",
                    note="Thawed for QC")  # fmt: skip
    events_add_many(actor=None, specimens=mine.filter(sample_type="BUF", fifth=1), type="qc_result",
                    details={"hemolysis": "none"}, note="Integrity checked")  # fmt: skip


def make_requests(biobanks: list[Any], collections: dict[int, list[Any]], per_status: int) -> int:
    """Requests in every status, with parts at one or two biobanks in every resource status (ORM)."""
    from django.utils import timezone

    from access_requests.choices import RequestStatus, ResourceStatus
    from access_requests.models import AccessRequest, RequestResource
    from biobank.accounts.models import User

    researcher = User.objects.create_user(email="researcher@bench.example.org", password=None, is_researcher=True)
    statuses, resource_statuses, now, made = list(RequestStatus), list(ResourceStatus), timezone.now(), 0
    for n in range(per_status * len(statuses)):
        status = statuses[n % len(statuses)]
        request = AccessRequest.objects.create(
            researcher=researcher, title=f"Generated request {n}", purpose_kind="hmb", status=status,
            submitted_at=None if status == "draft" else now, criteria={"material_types": ["SERUM"]},
            material=[{"material_type": "SERUM", "amount": "0.5", "unit": "ml", "samples": 100}],
        )  # fmt: skip
        for k in range(1 + n % 2):
            biobank = biobanks[(n + k) % len(biobanks)]
            resource = RequestResource.objects.create(
                request=request, biobank=biobank, status=resource_statuses[(n + k) % len(resource_statuses)]
            )
            resource.collections.add(*collections[biobank.pk][:2])
        made += 1
    return made


def generate(scale: str, seed: int = 1, log: Any = print) -> Plan:
    """Fill the current (empty, migrated) database with the network of ``plan(scale, seed)``."""
    from django.db import connection

    from biobank.accounts.models import User
    from biobank.audit import services as audit_services
    from catalog.facts.engine import recompute_all
    from specimens.services import imports

    the_plan, rng = plan(scale, seed), random.Random(seed)
    officer = User.objects.create_user(email="officer@bench.example.org", password=None)
    schedule = audit_services.schedule_drain, imports.schedule_drain
    audit_services.schedule_drain = imports.schedule_drain = lambda: None  # type: ignore[assignment]
    try:
        biobanks, collections = [], {}
        for index in range(the_plan.biobanks):
            biobank = make_biobank(index, rng)
            biobanks.append(biobank)
            collections[biobank.pk] = make_collections(biobank, the_plan.collections, rng)
            templates = make_templates(biobank)
            first = index * the_plan.donors
            donors = make_donors(biobank, first, the_plan.donors, rng)
            make_consents(biobank, donors, templates, officer)
            codes = [c.code for c in collections[biobank.pk]]
            rows: list[dict[str, str]] = []
            imported = 0
            for n, donor in enumerate(donors):
                blocked = donor.pk % 50 == 7 or (n % 5 != 4 and donor.pk % 13 == 5)  # make_consents' rules
                rows += donor_rows(
                    biobank, first + n, donor.pid, codes[rng.randrange(len(codes))], rng, blocked=blocked
                )
                if len(rows) >= FILE_ROWS or n == len(donors) - 1:
                    imported += import_file(biobank, rows)
                    rows = []
            boxes = store(biobank, rng)
            more_events(biobank)
            log(f"  {biobank.code}: {the_plan.donors:,} donors, {imported:,} specimens, {boxes:,} boxes")
            while audit_services.audit_drain():
                pass
        make_network(biobanks)
        made = make_requests(biobanks, collections, the_plan.requests_per_status)
        log(f"  {made} access requests; catalogue facts")
        recompute_all()
        while audit_services.audit_drain():
            pass
    finally:
        audit_services.schedule_drain, imports.schedule_drain = schedule  # type: ignore[assignment]
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would soon after the import (its insert threshold): a network that has been running
        # has its pages marked all-visible, which index-only scans (a feasibility count) depend on.
        cursor.execute("VACUUM (ANALYZE)")
    return the_plan
