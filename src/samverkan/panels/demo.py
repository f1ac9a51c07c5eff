"""Demo data for panels: one fictional pool of volunteers (invented people with invented ids),
owned by the Migration Agency, with illustrative quotas that are not official statistics.
Idempotent: the pool is created once."""

from __future__ import annotations

import random

from samverkan.core.actor import Actor
from samverkan.organisations.models import Organisation
from samverkan.panels import services
from samverkan.panels.models import Pool

DEMO_POOL = "Fiktiv pool för MIG Talks-panelen (demodata)"
GROUNDS = ("skydd", "anhöriga", "arbete", "studier", "EU/EES")
REGIONS = ("Afrika", "Asien", "Europa", "Amerika och Oceanien")


def _people_csv(n: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not secrets
    lines = ["id,kön,grund,ursprungsregion"]
    for i in range(n):
        sex = rng.choice(("kvinna", "man"))
        ground = rng.choices(GROUNDS, weights=(4, 3, 2, 1, 1))[0]
        region = rng.choices(REGIONS, weights=(3, 4, 2, 1))[0]
        lines.append(f"DEMO-{i + 1:04d},{sex},{ground},{region}")
    return ("\n".join(lines) + "\n").encode()


def load_demo() -> dict[str, int]:
    owner = Organisation.objects.filter(slug="migrationsverket").first()
    if owner is None or Pool.objects.filter(name=DEMO_POOL).exists():
        return {"demo panel pools": 0}
    actor = Actor.system()
    pool = services.pool_create(
        actor=actor,
        owner_id=owner.pk,
        name=DEMO_POOL,
        panel_size=30,
        data=_people_csv(300),
        filename="demo-people.csv",
        id_column="id",
    )
    rows = [
        services.QuotaRow("kön", "kvinna", 14, 16),
        services.QuotaRow("kön", "man", 14, 16),
        *[services.QuotaRow("ursprungsregion", region, 4, 12) for region in REGIONS],
    ]
    services.pool_quotas_set(
        actor=actor,
        pool=pool,
        rows=rows,
        source="illustrative quotas for the demo, not official statistics",
        origin={"code": "demo"},
    )
    return {"demo panel pools": 1}
