"""Claims: the seats a reviewer's page takes on the references it shows and holds ahead.

Each reference's claims are one counter in the cache (`claims:{stage}:{id}`), beside its votes:
a reference is free while its votes and claims are fewer than the votes it needs. A reviewer
claims the card shown (`claimed-by:{stage}:{id}`) and the cards held ahead (`held:...`). They are
only where to look: they expire after CLAIM_SECONDS, and the vote itself is checked under the
reference's lock.
"""

from __future__ import annotations

from django.core.cache import cache

CLAIM_SECONDS = 15 * 60


class Held:
    """The seats a reviewer's page holds for the cards it shows next (`held:{stage}:{id}` in the
    cache), each also counted in its reference's `claims:` counter."""

    def __init__(self, stage: str, reviewer_id: int) -> None:
        self.stage, self.key = stage, f"held:{stage}:{reviewer_id}"
        self.ids: set[int] = set(cache.get(self.key) or ())

    def seat_of(self, reference_id: int) -> int:
        return 1 if reference_id in self.ids else 0

    def take(self, reference_id: int) -> bool:
        """The seat held ahead becomes the claim of the card shown: True if there was one."""
        if reference_id not in self.ids:
            return False
        self.ids.discard(reference_id)
        cache.set(self.key, sorted(self.ids), CLAIM_SECONDS)
        return True

    def reserve(self, rows: list[tuple[int, int, int]], free: set[int], wanted: int) -> list[int]:
        """Up to `wanted` of the free `rows` (in their order) to hold ahead, each with a seat:
        one held already keeps it; another takes one if it still has one free when counted
        (`incr` is atomic: two pages asking at once cannot both take its last seat)."""
        chosen: list[int] = []
        for pk, votes, required in rows:
            if len(chosen) >= wanted:
                break
            if pk in self.ids:
                chosen.append(pk)
            elif pk in free and _take_seat(pk, votes, required, self.stage):
                chosen.append(pk)
                self.ids.add(pk)
        return chosen

    def keep(self, page_holds: set[int]) -> None:
        """Let go of the seats of cards the page no longer holds."""
        for pk in self.ids - page_holds:
            _unclaim(pk, self.stage)
        self.ids &= page_holds
        cache.set(self.key, sorted(self.ids), CLAIM_SECONDS)


def claim(
    rows: list[tuple[int, int, int]], stage: str, reviewer_id: int, held: Held, free: set[int]
) -> int:
    """Hand the reviewer a reference whose seats are not all taken by votes and live claims.

    A reference's claims are one counter in the cache; `incr` is atomic there (Redis, or the
    in-process cache's lock), so two reviewers asking at the same moment cannot both take the
    last seat, as they could when claims were read, changed and written back. A reviewer keeps
    one claim: asking again before voting gives the same reference. A card the page held ahead
    already has its seat: shown, the seat becomes its claim.
    """
    own_key = f"claimed-by:{stage}:{reviewer_id}"
    claimed = cache.get(own_key)
    if claimed is not None and any(pk == claimed for pk, _, _ in rows):
        return claimed
    for pk, votes, required in rows:
        if held.take(pk) or (pk in free and _take_seat(pk, votes, required, stage)):
            if claimed is not None:
                _unclaim(claimed, stage)
            cache.set(own_key, pk, CLAIM_SECONDS)
            return pk
    return rows[0][0]  # every seat is claimed: better a reference others hold than none


def _take_seat(reference_id: int, votes: int, required: int, stage: str) -> bool:
    """Count one more claim on the reference if a seat is left beside its `votes`: `incr` is
    atomic, and a count past the seats is taken back."""
    key = f"claims:{stage}:{reference_id}"
    cache.add(key, 0, CLAIM_SECONDS)
    try:
        taken = cache.incr(key)
    except ValueError:  # expired between add and incr: the seats are free again
        return False
    if votes + taken <= required:
        return True
    _unclaim(reference_id, stage)
    return False


def _unclaim(reference_id: int, stage: str) -> None:
    try:
        if cache.decr(f"claims:{stage}:{reference_id}") < 0:
            cache.delete(f"claims:{stage}:{reference_id}")
    except ValueError:  # the claims expired already
        pass


def release_claim(reference_id: int, stage: str, reviewer_id: int) -> None:
    """The reviewer voted: their vote now counts, their claim must not count twice."""
    own_key = f"claimed-by:{stage}:{reviewer_id}"
    if cache.get(own_key) == reference_id:
        cache.delete(own_key)
        _unclaim(reference_id, stage)
    elif Held(stage, reviewer_id).take(reference_id):  # voted on a card held ahead (the API)
        _unclaim(reference_id, stage)
