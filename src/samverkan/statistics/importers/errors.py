"""The one error the importers raise for a file they will not read.

A refusal says what is wrong and where: the 1-based ``line`` of the file (when the format has
lines) and a human-readable ``cell`` reference such as ``column "2019", line 7`` or
``cell 12 (Kon=1, Tid=2019)``. ``str()`` gives all of it in one sentence for the person who
uploaded the file.
"""

from __future__ import annotations


class ImportRefused(Exception):
    """The file cannot be read as a statistical table; nothing was imported."""

    def __init__(self, message: str, *, line: int | None = None, cell: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.cell = cell

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.cell:
            where.append(self.cell)
        if not where:
            return self.message
        place = ", ".join(where)
        return f"{place[0].upper()}{place[1:]}: {self.message}"

    def __repr__(self) -> str:
        return f"ImportRefused({self.message!r}, line={self.line!r}, cell={self.cell!r})"
