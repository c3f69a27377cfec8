"""Address text → township and village, for reports without a point (or with a point outside every grid)."""

from __future__ import annotations

from jiceng.orgs.models import Region


def _longest_only(regions: list[Region]) -> Region | None:
    """The match with the longest name when it is the only one that long; None when absent or ambiguous."""
    if not regions:
        return None
    longest = max(len(r.name) for r in regions)
    candidates = [r for r in regions if len(r.name) == longest]
    return candidates[0] if len(candidates) == 1 else None


def find_place(address: str) -> tuple[Region | None, Region | None]:
    """The township and village named in an address, as far as the names tell; (None, None) when unsure.

    A village counts only under a township the address also names (when it names one), so "东岗镇柳树村"
    never lands in another township's 柳树村; a village name shared by two townships decides nothing.
    """
    if not address:
        return None, None
    regions = Region.objects.filter(level__in=(4, 5)).select_related("parent")
    named = [r for r in regions if r.name and r.name in address]
    townships = [r for r in named if r.level == 4]
    villages = [r for r in named if r.level == 5 and r.parent is not None and r.parent.level == 4]
    if townships:
        township_ids = {t.pk for t in townships}
        villages = [v for v in villages if v.parent_id in township_ids]
    village = _longest_only(villages)
    if village is not None:
        return village.parent, village
    township = _longest_only(townships)
    if township is None and villages and len({v.parent_id for v in villages}) == 1:
        township = villages[0].parent  # the same village name twice in one township still places it
    return township, None
