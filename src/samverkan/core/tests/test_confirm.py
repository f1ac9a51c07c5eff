"""Irreversible actions ask first: one POST alone changes nothing; the answer to the question acts."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from samverkan.core.tests import confirm_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("samverkan.core.tests.confirm_urls")]


@pytest.fixture(autouse=True)
def _clean() -> None:
    confirm_urls.DONE.clear()


def _hidden_fields(body: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)


@override_settings(LANGUAGE_CODE="en")
def test_the_first_post_only_asks_and_the_confirmed_post_acts() -> None:
    client = Client(enforce_csrf_checks=False)
    client.cookies["samverkan_language"] = "en"
    first = client.post("/destroy/", {"registration": "42", "reason": ["a", "b"]})
    assert first.status_code == 200
    body = first.content.decode()
    assert confirm_urls.DONE == [], "the action ran without asking"
    assert "Cancel your place?" in body and "Your place goes to the next person" in body
    assert 'href="/back/"' in body
    fields = _hidden_fields(body)
    assert ("registration", "42") in fields and ("reason", "a") in fields and ("reason", "b") in fields
    assert ("confirmed", "yes") in fields

    answer = client.post("/destroy/", dict_from(fields))
    assert answer.content == b"done"
    assert confirm_urls.DONE == [{"registration": ["42"], "reason": ["a", "b"], "confirmed": ["yes"]}]


def test_a_forged_confirmation_value_still_asks() -> None:
    client = Client()
    client.post("/destroy/", {"confirmed": "true"})
    assert confirm_urls.DONE == []


def test_the_question_is_in_the_readers_language() -> None:
    client = Client()
    client.cookies["samverkan_language"] = "ar"
    body = client.post("/destroy/", {}).content.decode()
    assert '<html lang="ar" dir="rtl"' in body
    assert "No, go back" not in body


def dict_from(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data
