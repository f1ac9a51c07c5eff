"""seed_demo: the real organisations and the letter of intent, fictional others, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from samverkan.accounts.models import User
from samverkan.organisations.models import Agreement, Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_real_and_fictional_data_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = {
        kind: Organisation.objects.filter(kind=kind).count()
        for kind in ("agency", "county_board", "municipality")
    }
    assert counts == {"agency": 8, "county_board": 21, "municipality": 290}
    letter = Agreement.objects.get(kind="letter_of_intent")
    # eight agencies plus the county administrative boards, who signed together
    assert letter.parties.count() == 8 + 21
    assert letter.open_for_joining and not letter.is_fictional and letter.source_note
    # every organisation, user and agreement that is not a real public one is marked fictional
    assert not Organisation.objects.filter(
        kind__in=["ngo", "employer", "faith", "education"], is_fictional=False
    ).exists()
    assert not User.objects.filter(is_fictional=False).exists()
    assert set(Agreement.objects.filter(is_fictional=False).values_list("kind", flat=True)) == {
        "letter_of_intent"
    }

    # Fictional organisations say so in their name, wherever the name is shown; the partners
    # page does not add a second marker ("(fiktiv) (fiktiv)").
    fictional = list(Organisation.objects.filter(is_fictional=True))
    assert fictional and all(o.name.endswith(("(fiktiv)", "(fiktivt)")) for o in fictional)
    partners = Client().get("/partners/").content.decode()
    listed = [o for o in fictional if f"{o.name}</bdi>" in partners]
    assert listed, "the partners page lists the fictional partners"
    for organisation in listed:
        assert f"{organisation.name}</bdi></a></li>" in partners, "a second marker is added"

    before = (Organisation.objects.count(), Agreement.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), Agreement.objects.count(), User.objects.count()) == before


def test_seed_demo_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
