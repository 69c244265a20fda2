"""Copy the vocabulary data files into ``VocabularyTerm`` rows (``manage.py load_vocabularies`` and ``migrate``)."""

from __future__ import annotations

from django.db import transaction

from . import vocabularies
from .models import Collection, VocabularyTerm, VocabularyVersion


@transaction.atomic
def load_vocabularies(*, force: bool = False) -> int:
    """Replace the stored terms with the data files' when they changed (or ``force``); return the number loaded."""
    version = vocabularies.data_version()
    stored = VocabularyVersion.objects.select_for_update().first()
    if stored is not None and stored.version == version and not force:
        return 0
    VocabularyTerm.objects.all().delete()
    rows = [
        VocabularyTerm(
            vocabulary=name,
            code=term.code,
            label=term.label[:500],
            parent=term.parent,
            kind=term.kind,
            definition=term.definition,
            position=position,
        )
        for name in vocabularies.vocabulary_names()
        for position, term in enumerate(vocabularies.terms(name).values())
    ]
    VocabularyTerm.objects.bulk_create(rows, batch_size=5000)
    VocabularyVersion.objects.all().delete()
    VocabularyVersion.objects.create(version=version)
    # the collections' stored search text carries disease labels: the trigger of migration 0005 recomputes it
    Collection.objects.update(search_text=None)
    return len(rows)
