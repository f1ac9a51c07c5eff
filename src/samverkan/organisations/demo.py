"""Demo data: real public organisations and the real nine-agency letter of intent, plus
fictional organisations, agreements and people, each marked fictional.

Real facts used here come from the project's sources: the municipalities and counties from
data/municipalities.csv (data/SOURCES.md), the nine agencies and the letter of intent from a
2019 press report (Mellanöstern och Nordafrika Tidningen, 28 March 2019). No organisation
number of a real organisation is filled in: we have no source for them in the project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from samverkan.organisations.models import (
    Agreement,
    AgreementParty,
    Municipality,
    Organisation,
    OrganisationKind,
)

# The nine signatories of the 2019 letter of intent. "Länsstyrelserna" signed as the county
# administrative boards together: in the demo all 21 boards are parties.
LETTER_AGENCIES = [
    ("Migrationsverket", "migrationsverket"),
    ("Arbetsförmedlingen", "arbetsformedlingen"),
    ("Försäkringskassan", "forsakringskassan"),
    ("Myndigheten för ungdoms- och civilsamhällesfrågor", "mucf"),
    ("Polismyndigheten", "polismyndigheten"),
    ("Skatteverket", "skatteverket"),
    ("Skolverket", "skolverket"),
    ("Statens institutionsstyrelse", "sis"),
]

LETTER_TITLE = "Avsiktsförklaring om utökad samverkan inom migrations- och integrationsområdet"
LETTER_PURPOSE = (
    "Nio myndigheter ska med individen i fokus samverka bättre genom hela migrations- och "
    "integrationsprocessen, så att det blir lättare för nyanlända att komma in i det svenska "
    "samhället: bland annat mötesplatser för nyanlända, elektroniskt informationsutbyte, "
    "effektivare ärendehantering och erfarenhetsutbyte."
)
LETTER_SOURCE = (
    "Mellanöstern och Nordafrika Tidningen, 28 mars 2019: ”Gemensamt ansvar för att etableringen i "
    "samhället ska lyckas”. Avsiktsförklaringen undertecknades tidigare under 2019 och står öppen för "
    "andra myndigheter och organisationer; startdatumet här är artikelns datum, eftersom källan inte "
    "anger dagen för undertecknandet."
)


@dataclass(frozen=True)
class FictionalOrg:
    name: str
    slug: str
    kind: str
    org_number: str
    municipality: str | None = None
    description: str = ""


FICTIONAL_ORGS = [
    FictionalOrg(
        "Föreningen Nya Grannar (fiktiv)",
        "nya-grannar",
        OrganisationKind.NGO,
        "802000-0108",
        "2380",
        "Fiktiv ideell förening för demo: språkcafé och läxhjälp.",
    ),
    FictionalOrg(
        "Språkvänner i Norr (fiktiv)",
        "sprakvanner-i-norr",
        OrganisationKind.NGO,
        "802000-0207",
        "2380",
        "Fiktiv förening för demo: matchar nyanlända med språkvänner.",
    ),
    FictionalOrg(
        "Gemenskapens församling (fiktiv)",
        "gemenskapens-forsamling",
        OrganisationKind.FAITH,
        "802000-0306",
        "1480",
        "Fiktivt trossamfund för demo.",
    ),
    FictionalOrg(
        "Fjällbygg AB (fiktivt)",
        "fjallbygg",
        OrganisationKind.EMPLOYER,
        "556000-0001",
        "2380",
        "Fiktivt byggföretag för demo: praktikplatser.",
    ),
    FictionalOrg(
        "Omsorg Solrosen AB (fiktivt)",
        "omsorg-solrosen",
        OrganisationKind.EMPLOYER,
        "556000-0019",
        "1280",
        "Fiktivt omsorgsföretag för demo.",
    ),
    FictionalOrg(
        "Exempelviks folkhögskola (fiktiv)",
        "exempelviks-folkhogskola",
        OrganisationKind.EDUCATION,
        "802000-0405",
        "2380",
        "Fiktiv folkhögskola för demo: svenska från dag ett.",
    ),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    organisation_slug: str
    role: str


DEMO_PASSWORD = "demo-samverkan-2026"  # noqa: S105 - fictional demo accounts, printed by seed_demo
DEMO_USERS = [
    DemoUser(
        "admin.migrationsverket@demo.invalid", "Anna Andersson (fiktiv)", "migrationsverket", "administrator"
    ),
    DemoUser(
        "handlaggare.migrationsverket@demo.invalid",
        "Karim Haddad (fiktiv)",
        "migrationsverket",
        "case_officer",
    ),
    DemoUser("redaktor.migtalks@demo.invalid", "Maja Lind (fiktiv)", "migrationsverket", "editor"),
    DemoUser(
        "admin.ostersund@demo.invalid", "Erik Eriksson (fiktiv)", "ostersunds-kommun-2380", "administrator"
    ),
    DemoUser("redaktor.nyagrannar@demo.invalid", "Lina Svensson (fiktiv)", "nya-grannar", "editor"),
    DemoUser("admin.nyagrannar@demo.invalid", "Sara Nilsson (fiktiv)", "nya-grannar", "administrator"),
    DemoUser("lasare.fjallbygg@demo.invalid", "Johan Berg (fiktiv)", "fjallbygg", "reader"),
]


def _org(name: str, slug: str, kind: str, **extra: object) -> Organisation:
    org, _ = Organisation.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind, **extra})
    return org


@transaction.atomic
def load_demo(today: dt.date | None = None) -> dict[str, int]:
    """Create or refresh the demo data. Idempotent: running it twice changes nothing."""
    from samverkan.accounts.models import Membership, User

    today = today or dt.date.today()
    agencies = {slug: _org(name, slug, OrganisationKind.AGENCY) for name, slug in LETTER_AGENCIES}

    counties = sorted(set(Municipality.objects.values_list("county", flat=True)))
    boards = [
        _org(f"Länsstyrelsen i {county}", slugify(f"lansstyrelsen-{county}"), OrganisationKind.COUNTY_BOARD)
        for county in counties
    ]
    municipalities = [
        # The code keeps slugs unique: Håbo and Habo both slugify to "habo-kommun".
        _org(m.name, f"{slugify(m.name)}-{m.code}", OrganisationKind.MUNICIPALITY, municipality=m)
        for m in Municipality.objects.all()
    ]
    fictional = {
        f.slug: _org(
            f.name,
            f.slug,
            f.kind,
            org_number=f.org_number,
            is_fictional=True,
            description=f.description,
            municipality=Municipality.objects.get(code=f.municipality) if f.municipality else None,
        )
        for f in FICTIONAL_ORGS
    }

    letter, _ = Agreement.objects.update_or_create(
        title=LETTER_TITLE,
        defaults={
            "kind": "letter_of_intent",
            "purpose": LETTER_PURPOSE,
            "start_date": dt.date(2019, 3, 28),
            "end_date": None,
            "status": "active",
            "visibility": "public",
            "open_for_joining": True,
            "owner": agencies["migrationsverket"],
            "source_note": LETTER_SOURCE,
            "is_fictional": False,
        },
    )
    for org in [*agencies.values(), *boards]:
        AgreementParty.objects.get_or_create(
            agreement=letter, organisation=org, defaults={"joined_on": letter.start_date}
        )

    ostersund = Organisation.objects.get(slug="ostersunds-kommun-2380")
    iop, _ = Agreement.objects.update_or_create(
        title="IOP Språkcafé och läxhjälp i Östersund (fiktivt exempel)",
        defaults={
            "kind": "iop",
            "is_fictional": True,
            "owner": ostersund,
            "status": "active",
            "visibility": "public",
            "purpose": (
                "Fiktivt exempel: kommunen och idéburna organisationer driver tillsammans språkcafé "
                "och läxhjälp för nyanlända barn och vuxna."
            ),
            "scope": (
                "Fiktivt exempel: två kvällar i veckan, lokaler från kommunen, volontärer från föreningarna."
            ),
            "start_date": dt.date(today.year, 1, 1),
            "end_date": dt.date(today.year + 1, 12, 31),
        },
    )
    for org, contact in [
        (ostersund, "admin.ostersund@demo.invalid"),
        (fictional["nya-grannar"], "admin.nyagrannar@demo.invalid"),
        (fictional["sprakvanner-i-norr"], ""),
    ]:
        AgreementParty.objects.get_or_create(
            agreement=iop, organisation=org, defaults={"joined_on": iop.start_date, "contact_email": contact}
        )

    internal, _ = Agreement.objects.update_or_create(
        title="Praktikplatser för asylsökande (fiktivt exempel)",
        defaults={
            "kind": "cooperation",
            "is_fictional": True,
            "owner": agencies["migrationsverket"],
            "status": "active",
            "visibility": "internal",
            "purpose": (
                "Fiktivt exempel: arbetsgivare erbjuder praktik till asylsökande som får och vill arbeta."
            ),
            "start_date": today - dt.timedelta(days=300),
            "end_date": today + dt.timedelta(days=45),
        },
    )
    for org, contact in [
        (agencies["migrationsverket"], "admin.migrationsverket@demo.invalid"),
        (fictional["fjallbygg"], ""),
    ]:
        AgreementParty.objects.get_or_create(
            agreement=internal,
            organisation=org,
            defaults={"joined_on": internal.start_date, "contact_email": contact},
        )

    for person in DEMO_USERS:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User(
                email=person.email, username=person.email, full_name=person.full_name, is_fictional=True
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        org = Organisation.objects.get(slug=person.organisation_slug)
        Membership.objects.get_or_create(user=user, organisation=org, role=person.role)

    return {
        "agencies": len(agencies),
        "county_boards": len(boards),
        "municipalities": len(municipalities),
        "fictional_organisations": len(fictional),
        "users": len(DEMO_USERS),
    }
