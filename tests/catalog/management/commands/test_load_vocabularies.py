"""``manage.py load_vocabularies``: the data files into VocabularyTerm rows, only when they changed."""

import pytest
from django.core.management import call_command

from catalog import vocabularies
from catalog.models import VocabularyTerm, VocabularyVersion

pytestmark = pytest.mark.django_db


def test_loads_every_vocabulary_once_and_reloads_on_force(capsys):
    VocabularyTerm.objects.all().delete()
    VocabularyVersion.objects.all().delete()
    call_command("load_vocabularies")
    expected = sum(len(vocabularies.terms(name)) for name in vocabularies.vocabulary_names())
    assert VocabularyTerm.objects.count() == expected
    assert VocabularyTerm.objects.get(vocabulary="ICD-10", code="C18.0").parent == "C18"
    assert "Loaded" in capsys.readouterr().out
    call_command("load_vocabularies")
    assert "up to date" in capsys.readouterr().out
    VocabularyTerm.objects.filter(vocabulary="DUO").delete()
    call_command("load_vocabularies", "--force")
    assert VocabularyTerm.objects.filter(vocabulary="DUO").count() == 23
