"""Capacity never oversells: 200 people registering at the same moment for 50 places give exactly
50 confirmed and 150 on the waiting list, with no duplicates, on SQLite and PostgreSQL alike; a
cancellation promotes exactly the first on the waiting list."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Registration, RegistrationStatus
from samverkan.meetingplace.tests.factories import session

THREADS = 20  # connections at once (PostgreSQL's default limit is 100)
PEOPLE = 200
PLACES = 50


def _in_parallel(jobs, threads=THREADS):
    """Run the callables from ``threads`` threads, each on its own connection, started together."""
    errors: list[BaseException] = []
    results: list[object] = []
    barrier = threading.Barrier(threads)
    lock = threading.Lock()
    chunks = [jobs[i::threads] for i in range(threads)]

    def worker(chunk):
        try:
            barrier.wait()
            for job in chunk:
                try:
                    outcome = job()
                except ValidationError as exc:
                    outcome = exc
                with lock:
                    results.append(outcome)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_hundred_simultaneous_registrations_for_fifty_places():
    the_session = session(capacity=PLACES)
    anyone = Actor.anonymous()
    jobs = [
        (
            lambda n=n: services.registration_create(
                actor=Actor.anonymous(ip=f"10.0.{n // 250}.{n % 250}"),  # people, not one script
                session=the_session,
                name=f"Fiktiv Person {n}",
                email=f"person{n}@example.invalid",
            )
        )
        for n in range(PEOPLE)
    ]
    _in_parallel(jobs)
    registrations = Registration.objects.filter(session=the_session)
    assert registrations.count() == PEOPLE
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == PLACES
    assert registrations.filter(status=RegistrationStatus.WAITING).count() == PEOPLE - PLACES
    assert registrations.values("identity").distinct().count() == PEOPLE

    # a cancellation promotes exactly the first on the waiting list
    waiting = list(registrations.filter(status=RegistrationStatus.WAITING).order_by("pk"))
    leaving = registrations.filter(status=RegistrationStatus.CONFIRMED).order_by("-pk").first()
    promoted = services.registration_cancel(actor=anyone, registration=leaving, code=leaving.code)
    assert promoted is not None and promoted.pk == waiting[0].pk
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == PLACES
    assert set(registrations.filter(status=RegistrationStatus.WAITING).values_list("pk", flat=True)) == {
        w.pk for w in waiting[1:]
    }


@pytest.mark.django_db(transaction=True)
def test_the_same_person_registering_twice_at_once_gets_one_place():
    the_session = session(capacity=5)
    anyone = Actor.anonymous()
    jobs = [
        (
            lambda: services.registration_create(
                actor=anyone, session=the_session, name="Fiktiv Person", email="SAMMA@example.invalid"
            )
        )
        for _ in range(THREADS)
    ]
    results = _in_parallel(jobs)
    assert sum(isinstance(r, Registration) for r in results) == 1
    assert all(set(r.errors) == {"__all__"} for r in results if isinstance(r, ValidationError))
    assert Registration.objects.filter(session=the_session).count() == 1
