"""Fictional pools for the panel tests (invented people, invented ids)."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.panels import services
from samverkan.panels.models import Pool

SEXES = ("kvinna", "man")
GROUNDS = ("skydd", "familj", "arbete")


def people_csv(n: int = 40, *, extra: bool = True, households: bool = False) -> bytes:
    """``n`` fictional volunteers: id, kön, grund (and a name and e-mail column that must not be stored)."""
    header = (
        ["id", "kön", "grund"] + (["namn", "epost"] if extra else []) + (["adress"] if households else [])
    )
    lines = [",".join(header)]
    for i in range(n):
        row = [f"V{i:03d}", SEXES[i % 2], GROUNDS[(i // 2) % 3]]
        if extra:
            row += [f"Fiktiv Person {i}", f"person{i}@example.invalid"]
        if households:
            row += [f"Fiktiv gata {i // 2}"]
        lines.append(",".join(row))
    return ("\n".join(lines) + "\n").encode()


def pool(actor: Actor, owner_id: int, *, n: int = 40, size: int = 10, households: bool = False) -> Pool:
    return services.pool_create(
        actor=actor,
        owner_id=owner_id,
        name="Fiktiv pool",
        panel_size=size,
        data=people_csv(n, households=households),
        filename="people.csv",
        id_column="id",
        feature_columns=["kön", "grund"],
        household_column="adress" if households else "",
    )


def even_quotas(size: int = 10) -> list[services.QuotaRow]:
    return [
        services.QuotaRow("kön", "kvinna", size // 2, size // 2),
        services.QuotaRow("kön", "man", size // 2, size // 2),
        services.QuotaRow("grund", "skydd", 2, 4),
        services.QuotaRow("grund", "familj", 2, 4),
        services.QuotaRow("grund", "arbete", 2, 4),
    ]
