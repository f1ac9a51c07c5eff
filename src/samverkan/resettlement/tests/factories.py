"""Fictional organisations, people and files for the resettlement tests."""

from __future__ import annotations

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import User
from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.actor import Actor
from samverkan.organisations.models import Municipality, Organisation
from samverkan.organisations.municipalities import read_municipalities

YEAR = 2027
OSTERSUND, GOTEBORG, KIRUNA = "2380", "1480", "2584"

RECEPTION_CSV = (
    "code,name,capacity_persons,large_dwellings,need_slots,languages\n"
    f"{OSTERSUND},Östersund,12,1,SM=2;CR=1,ar;ti\n"
    f"{GOTEBORG},Göteborg,10,1,SM=1;WR=1,ar\n"
    f"{KIRUNA},Kiruna,4,0,,\n"
).encode()

CASES_CSV = (
    b"case_id,age,sex,needs,languages,education,occupation,priority,tie_municipality,expected_arrival\n"
    b"K-1,41,M,,ar,university,engineer,normal,,2027-03-01\n"
    b"K-1,38,F,SM-CI,ar,,,,,\n"
    b"K-1,9,F,,ar,,,,,\n"
    b"K-2,30,F,WR,ti,,,urgent,1480,2027-04-01\n"
    b"K-2,4,M,,ti,,,,,\n"
    b"K-3,55,M,SM,ar,,,normal,,\n"
    b"K-4,25,M,,prs,,,normal,,\n"
)


def agency() -> Organisation:
    return Organisation.objects.get_or_create(
        slug="migrationsverket", defaults={"name": "Migrationsverket", "kind": "agency"}
    )[0]


def municipality_org(code: str) -> Organisation:
    """A fictional organisation for the municipality ``code``; the register row is put back if a
    transactional test's flush removed it."""
    if not Municipality.objects.filter(code=code).exists():
        row = next(r for r in read_municipalities() if r.code == code)
        Municipality.objects.create(
            code=row.code, name=row.name, county=row.county, population_2016=row.population_2016
        )
    return organisation(kind="municipality", municipality_id=code, name=f"Kommun {code} (fiktiv)")


def officer(role: str = "case_officer") -> Actor:
    return actor_for_user(member(role, agency()))


def municipal(code: str, role: str = "coordinator") -> Actor:
    org = Organisation.objects.filter(kind="municipality", municipality_id=code).first() or municipality_org(
        code
    )
    return actor_for_user(member(role, org))


def officer_user(role: str = "case_officer") -> User:
    return member(role, agency())


def municipal_user(code: str, role: str = "coordinator") -> User:
    org = Organisation.objects.filter(kind="municipality", municipality_id=code).first() or municipality_org(
        code
    )
    return member(role, org)


TIE_ELSEWHERE = "2513"  # Överkalix: a kommunkod of the register outside the reception numbers above


def give_the_case_what_a_packet_must_not_show(reference: str) -> list[str]:
    """Give the (approved) case ``reference`` everything the agency keeps to itself — education and
    occupation for every person, a tie to relatives in another municipality, and the optimizer's
    reasoning and the officer's note on its proposal — each a text that appears nowhere else on a
    page. Returns those texts: none of them may reach the receiving municipality's packet."""
    from samverkan.resettlement.models import Case, Proposal

    case = Case.objects.get(reference=reference)
    if not Municipality.objects.filter(code=TIE_ELSEWHERE).exists():
        row = next(r for r in read_municipalities() if r.code == TIE_ELSEWHERE)
        Municipality.objects.create(
            code=row.code, name=row.name, county=row.county, population_2016=row.population_2016
        )
    tie = Municipality.objects.get(code=TIE_ELSEWHERE)
    assert case.placed_in_id != tie.code
    secrets = [tie.name]
    for person in case.persons.order_by("position"):
        person.education = f"Agronomexamen Alnarp kull {person.position}"
        person.occupation = f"Hovslagare i Kåbdalis nummer {person.position}"
        person.save(update_fields=["education", "occupation"])
        secrets += [person.education, person.occupation]
    case.tie = tie
    case.save(update_fields=["tie"])
    reasoning = {
        "reasons": ["Motivering: morbror Yusuf bor i Vuollerim"],
        "binding": ["large_dwellings_zebra"],
        "parts": {"scores_file_zebra": 0.75},
        "override_note": "Handläggarens anteckning om Jokkfall",
    }
    assert Proposal.objects.filter(case=case, run=case.approved_run).update(**reasoning) == 1
    return [
        *secrets,
        *reasoning["reasons"],
        *reasoning["binding"],
        *reasoning["parts"],
        reasoning["override_note"],
    ]
