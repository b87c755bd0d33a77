"""Small-number suppression: the one place a figure is withheld before it leaves the server.

A count below the threshold could point at a person, so it is published as ``None`` with
``suppressed: True``. Withholding one cell is not enough when the row's total is shown: the total
minus the cells shown gives it back. So when exactly one cell of a table is withheld, the next
smallest is withheld too (ties go to the first in the table's order). The total is never the
second cell: the same range's total is published again under every other grouping, where it
would be shown, so hiding it here would hide nothing. In a funnel, where each stage's cases are
among the stage before, the step between two stages is a count too and is guarded the same way.
A median over fewer cases than the
threshold is withheld as well.

There is no switch: every published figure goes through here, and the threshold is never a
request parameter. The deployment's ``STATS_SUPPRESSION_THRESHOLD`` (at least 1) is the floor;
an organisation may raise its own (``Organisation.stats_threshold``), and figures drawn from
several organisations' records are published under the highest of theirs."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Cell:
    key: str
    count: int | None
    suppressed: bool

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "count": self.count, "suppressed": self.suppressed}


@dataclass(frozen=True)
class Table:
    cells: tuple[Cell, ...]
    total: Cell

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": [cell.as_dict() for cell in self.cells],
            "total": {"count": self.total.count, "suppressed": self.total.suppressed},
        }


def floor() -> int:
    value = int(settings.STATS_SUPPRESSION_THRESHOLD)
    if value < 1:
        raise ValueError("STATS_SUPPRESSION_THRESHOLD must be at least 1.")
    return value


def threshold(*raised: int | None) -> int:
    """The threshold figures are published under: the deployment's floor, or the highest of the
    organisations' own (``raised``) whose records the figures count, whichever is higher. An
    organisation's value below the floor (the floor was raised since) counts for nothing."""
    return max([floor(), *(value for value in raised if value is not None)])


def suppress_table(counts: Sequence[tuple[str, int]], total: int, *, limit: int) -> Table:
    """``counts`` in the table's order and the table's ``total`` (the number of distinct cases,
    which is the cells' sum unless a case falls in several cells), published."""
    if limit < 1:
        raise ValueError("The suppression threshold must be at least 1.")
    hidden = {index for index, (_key, count) in enumerate(counts) if count < limit}
    if len(hidden) == 1:
        shown = [
            (count, index) for index, (_key, count) in enumerate(counts) if index not in hidden
        ]
        if shown:
            hidden.add(min(shown)[1])
    cells = tuple(
        Cell(key, None, True) if index in hidden else Cell(key, count, False)
        for index, (key, count) in enumerate(counts)
    )
    total_hidden = total < limit
    return Table(cells, Cell("total", None if total_hidden else total, total_hidden))


def suppress_nested(
    counts: Sequence[tuple[str, int]],
    parents: Mapping[str, str],
    total: int,
    *,
    limit: int,
) -> Table:
    """A table whose cells are nested (a funnel: every case charged was reported), given parents
    before their children. The difference between a cell and its parent is itself a count (the
    cases that left between them), so a cell is withheld as well when it falls short of its
    nearest shown ancestor (the total at the root) by fewer than ``limit``; a difference of
    none points at no one and is let through. The cells do not add up to the total, so no cell
    can be worked out from the others and the one-withheld-cell rule of tables does not apply."""
    if limit < 1:
        raise ValueError("The suppression threshold must be at least 1.")
    shown: dict[str, int] = {}
    cells = []
    for key, count in counts:
        ancestor = parents.get(key)
        while ancestor is not None and ancestor not in shown:
            ancestor = parents.get(ancestor)
        above = shown[ancestor] if ancestor is not None else total
        if count < limit or 0 < above - count < limit:
            cells.append(Cell(key, None, True))
        else:
            shown[key] = count
            cells.append(Cell(key, count, False))
    total_hidden = total < limit
    return Table(tuple(cells), Cell("total", None if total_hidden else total, total_hidden))


def suppress_count(key: str, count: int, *, limit: int) -> Cell:
    """A figure that stands alone (no total reveals it): withheld below the threshold."""
    return Cell(key, None, True) if count < limit else Cell(key, count, False)


def suppress_median(median: float | None, cases: int, *, limit: int) -> dict[str, object]:
    """A median in days, withheld when fewer than ``limit`` cases make it up (or none do)."""
    if median is None or cases < limit:
        return {"days": None, "suppressed": True}
    return {"days": round(median, 1), "suppressed": False}
