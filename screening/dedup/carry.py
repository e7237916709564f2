"""What happens to decisions when references merge: votes, resolutions and full texts follow.

A reference already screened may turn out to be a duplicate (a later import, a late dedup run).
Its decisions are kept: each one the surviving reference does not hold yet moves onto it; one it
does hold stays where it was, so an unmerge finds everything where it was. When the merged
references disagree (a reviewer included one and excluded the other, two resolutions differ),
nothing decides for the lead: the set waits for a person, who names the reference whose
decisions stand. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Held:
    """A decision a reference holds.

    `key` is what a reference holds at most once: (stage, reviewer) for a vote, (stage,) for a
    resolution, () for a full text. `value` is what must agree between merged references
    ("include", "exclude: wrong population"); a full text has none. `label` names the key in
    words: "reviewer_a at title/abstract".
    """

    kind: str
    id: int
    reference: int
    key: tuple[object, ...]
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Clash:
    """The same reviewer (or the lead) decided differently on references being merged."""

    label: str
    values: tuple[tuple[int, str], ...]  # (reference, value), by reference

    def __str__(self) -> str:
        held = ", ".join(f"{value} on reference {reference}" for reference, value in self.values)
        return f"{self.label}: {held}"


def _by_key(held: Iterable[Held]) -> dict[tuple[object, ...], list[Held]]:
    groups: dict[tuple[object, ...], list[Held]] = {}
    for item in held:
        groups.setdefault((item.kind, *item.key), []).append(item)
    return groups


def clashes(held: Iterable[Held]) -> list[Clash]:
    """Every key held with different values by the references being merged."""
    found = []
    for items in _by_key(held).values():
        values = {item.value for item in items}
        if len(values) > 1:
            by_reference = tuple(sorted((item.reference, item.value) for item in items))
            found.append(Clash(label=items[0].label, values=by_reference))
    return sorted(found, key=lambda clash: (clash.label, clash.values))


def survivors(found: Iterable[Clash], references: Iterable[int]) -> list[int]:
    """The references that may survive the merge, given its `clashes`: each holds every key
    that clashes, so its decisions settle every disagreement."""
    holders = [{reference for reference, _ in clash.values} for clash in found]
    return [r for r in sorted(references) if all(r in found for found in holders)]


def carried(held: Iterable[Held], survivor: int) -> list[Held]:
    """The decisions that move onto the survivor: for each key it does not hold, the one held
    by the lowest-numbered other reference. The rest stay where they are."""
    moving = []
    for items in _by_key(held).values():
        if any(item.reference == survivor for item in items):
            continue
        moving.append(min(items, key=lambda item: (item.reference, item.id)))
    return sorted(moving, key=lambda item: (item.kind, item.id))
