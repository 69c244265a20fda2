"""Demo data of the donor registry: ``seed_demo_donors(biobank=..., actor=...)`` registers ~20 fictitious donors
through the real registration service (vault, PIDs, audit), including one near duplicate that waits for review.

Idempotent: a donor whose hospital ID is already in the biobank's vault is skipped, so ``seed_demo`` can run twice.
Every name, address and number is invented.
"""

from __future__ import annotations

from datetime import date

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor

from .models import DuplicateReview, IdentityRecord
from .services import Registration, donor_register
from .vault_crypto import vault_lookup

# given names, family name, date of birth, sex, hospital ID, city
DEMO_DONORS: list[tuple[str, str, date, str, str, str]] = [
    ("Anna", "Becker", date(1958, 4, 12), "female", "MRN-100001", "Berlin"),
    ("Lukas", "Hoffmann", date(1971, 9, 3), "male", "MRN-100002", "Potsdam"),
    ("Marie Luise", "Schneider", date(1949, 1, 27), "female", "MRN-100003", "Berlin"),
    ("Jonas", "Wagner", date(1985, 6, 30), "male", "MRN-100004", "Cottbus"),
    ("Sophie", "Keller", date(1992, 11, 8), "female", "MRN-100005", "Berlin"),
    ("Peter", "Schulz", date(1963, 2, 14), "male", "MRN-100006", "Frankfurt (Oder)"),
    ("Elif", "Yılmaz", date(1977, 7, 21), "female", "MRN-100007", "Berlin"),  # noqa: RUF001 (a Turkish name)
    ("Thomas", "Müller", date(1955, 12, 2), "male", "MRN-100008", "Brandenburg an der Havel"),
    ("Katarzyna", "Nowak", date(1968, 3, 19), "female", "MRN-100009", "Berlin"),
    ("Felix", "Braun", date(2001, 5, 5), "male", "MRN-100010", "Oranienburg"),
    ("Hannah", "Zimmermann", date(1980, 8, 16), "female", "MRN-100011", "Berlin"),
    ("Mehmet", "Demir", date(1959, 10, 1), "male", "MRN-100012", "Berlin"),
    ("Laura", "Krüger", date(1996, 2, 29), "female", "MRN-100013", "Eberswalde"),
    ("Stefan", "Lange", date(1952, 6, 11), "male", "MRN-100014", "Berlin"),
    ("Giulia", "Rossi", date(1974, 4, 4), "female", "MRN-100015", "Berlin"),
    ("Karl-Heinz", "Fischer", date(1944, 9, 23), "male", "MRN-100016", "Neuruppin"),
    ("Mia", "Schäfer", date(1988, 12, 30), "female", "MRN-100017", "Berlin"),
    ("Oleksandr", "Kovalenko", date(1983, 1, 9), "male", "MRN-100018", "Berlin"),
    ("Ingrid", "Wolf", date(1939, 7, 7), "female", "MRN-100019", "Königs Wusterhausen"),
    # The same person as MRN-100006, registered again under a new MRN with a typo in the name: held for review.
    ("Peter", "Schultz", date(1963, 2, 14), "male", "MRN-100020", "Frankfurt (Oder)"),
]


def seed_demo_donors(*, biobank: Biobank, actor: Actor = None) -> list[Registration]:
    """Register the demo donors of ``biobank`` that are not there yet; returns what was registered now."""
    done: list[Registration] = []
    records = IdentityRecord.objects.filter(biobank=biobank)
    pending = DuplicateReview.objects.filter(biobank=biobank)
    for number, (given, family, born, sex, mrn, city) in enumerate(DEMO_DONORS, start=1):
        if vault_lookup(records, "hospital_id", mrn).exists() or vault_lookup(pending, "hospital_id", mrn).exists():
            continue
        done.append(
            donor_register(
                actor=actor,
                biobank=biobank,
                given_names=given,
                family_name=family,
                date_of_birth=born,
                sex=sex,
                hospital_id=mrn,
                email=f"donor{number:02d}@example.org",
                phone=f"+49 30 5550{number:03d}",
                address=f"Musterweg {number}, {city}",
            )
        )
    return done
