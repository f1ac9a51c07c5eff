"""Item 8 of issue #15: CSV exports neutralised a formula only at the very start of a cell, and
wrote cells unquoted: an agreement titled ``x;=1+1`` opened in Swedish Excel (which splits on ``;``)
gave a cell ``=1+1``. Every exported file is read here the ways a spreadsheet program may read it
(``,`` ``;`` or tab as separator, quotes honoured or not) and no cell may be a formula; negative
figures in statistics stay figures."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.tests.test_export import formula_like, spreadsheet_cells
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory
from samverkan.statistics.tests.factories import cube, store

pytestmark = pytest.mark.django_db

HOSTILE_TITLES = [
    "x;=1+1",
    "x,=1+1",
    "x\t=1+1",
    "x\n=1+1",
    "=1+1",
    ";@SUM(1+1)*cmd|' /C calc'!A0",
    "\t-2+3",
]


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def _no_formula(text: str) -> None:
    formulas = [c for c in spreadsheet_cells(text) if formula_like(c)]
    assert not formulas, formulas


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_agreement_exports_hold_no_formula_after_any_separator(client, title):
    owner = OrganisationFactory(name='Fiktiv kommun, =HYPERLINK("http://evil.invalid")')
    user = member("coordinator", owner)
    agreement = AgreementFactory(owner=owner, title=title, visibility="internal")
    verified_login(client, user)
    listing = _text(client.get(reverse("organisations:agreement_list_export")))
    detail = _text(client.get(reverse("organisations:agreement_export", args=[agreement.pk])))
    for text in (listing, detail):
        _no_formula(text)
        # The title is still there, whole, in one cell, for a program that honours the quotes.
        cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
        assert any(c.replace("'", "") == title.replace("'", "") for c in cells), cells


def test_negative_statistics_figures_stay_figures(client):
    store(cube([[-3, 5], [7, -12]]))
    page = list(csv.reader(io.StringIO(_text(client.get("/statistics/datasets/test-table/table.csv")))))
    api = list(
        csv.reader(
            io.StringIO(_text(client.get("/api/v1/statistics/datasets/test-table/observations?format=csv")))
        )
    )
    page_values = {c for row in page[1:] for c in row[1:]}
    api_values = {row[-2] for row in api[1:]}
    assert {"-3", "-12"} <= page_values and {"-3", "-12"} <= api_values
    assert not any(c.startswith("'") for c in page_values | api_values)
