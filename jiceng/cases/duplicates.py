"""Likely duplicates: the same matter reported near the same place within recent days.

Found at intake (non-service cases only: two villagers applying for the same allowance are not a
duplicate) and shown in the command centre, where the dispatcher merges or dismisses them.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from .models import OPEN_STATUSES, Case

RECENT_DAYS = 7
NEAR_METRES = 300
SIMILAR_TITLES = 0.5
_SPACE = re.compile(r"[\s，,。.、（）()]+")


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), good to a metre at village scale."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _norm(address: str) -> str:
    return _SPACE.sub("", address or "")


def near(a: Case, b: Case) -> bool:
    """Points within NEAR_METRES; without points, the same village and the same (or no) address."""
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        return _metres(a.latitude, a.longitude, b.latitude, b.longitude) <= NEAR_METRES
    if a.village_id and a.village_id == b.village_id:
        return not _norm(a.address) or not _norm(b.address) or _norm(a.address) == _norm(b.address)
    return bool(_norm(a.address)) and _norm(a.address) == _norm(b.address)


def _bigrams(text: str) -> set[str]:
    text = _norm(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similar(a: str, b: str) -> bool:
    """Titles that share at least half their character pairs (路灯不亮 / 村口路灯不亮了)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) >= SIMILAR_TITLES


def find_duplicate(case: Case) -> int | None:
    """The id of the earliest open case this one likely repeats, or None.

    With a matter: the same matter, near the same place. Without one (grid reports, the portal): near the
    same place and with a similar title.
    """
    if case.is_service or case.township_id is None:
        return None
    candidates = _open_since(case).filter(township_id=case.township_id).exclude(pk=case.pk)
    if case.matter_id is not None:
        candidates = candidates.filter(matter_id=case.matter_id)
    # Plain rows, not model instances: this runs on every report registered.
    rows = candidates.order_by("created_at", "id").values_list(*_Candidate._fields)[:50]
    return _first_repeated(case, map(_Candidate._make, rows))


def flag(cases: list[Case]) -> None:
    """Set duplicate_of on new cases, as find_duplicate does for one: for a batch, with one query for all their
    townships and matters instead of one each."""
    if len(cases) == 1:
        cases[0].duplicate_of_id = find_duplicate(cases[0])
        return
    eligible = [c for c in cases if not c.is_service and c.township_id is not None]
    if not eligible:
        return
    any_matter = {c.township_id for c in eligible if c.matter_id is None}
    towns = {c.township_id for c in eligible if c.matter_id is not None}
    matters = {c.matter_id for c in eligible if c.matter_id is not None}
    where = Q(township_id__in=any_matter) | Q(township_id__in=towns, matter_id__in=matters)
    earliest = min(eligible, key=lambda c: c.created_at or timezone.now())
    rows = _open_since(earliest).filter(where).order_by("created_at", "id")
    by_town: dict[int, list[_Candidate]] = {}
    for township_id, *rest in rows.values_list("township_id", *_Candidate._fields):
        by_town.setdefault(township_id, []).append(_Candidate._make(rest))
    for case in eligible:
        case.duplicate_of_id = _first_repeated(case, by_town.get(case.township_id, ()))


def flag_within(cases: list[Case]) -> None:
    """Cases just written together (a 12345 file): a later one that repeats an earlier one of the same batch is
    flagged as find_duplicate would have flagged it, had the earlier one been registered first."""
    earlier: dict[int, list[Case]] = {}  # by township
    flagged = []
    for case in cases:
        if case.is_service or case.township_id is None:
            continue
        pool = earlier.setdefault(case.township_id, [])
        if case.duplicate_of_id is None:
            case.duplicate_of_id = _first_repeated(case, pool)
            if case.duplicate_of_id is not None:
                flagged.append(case)
        pool.append(case)
    if flagged:
        Case.objects.bulk_update(flagged, ["duplicate_of"])


def _open_since(case: Case):
    """Open event cases registered within RECENT_DAYS before this one: the only ones it may repeat."""
    since = (case.created_at or timezone.now()) - timedelta(days=RECENT_DAYS)
    return Case.objects.filter(
        created_at__gte=since, status__in=OPEN_STATUSES, merged_into__isnull=True, is_service=False
    )


def _first_repeated(case: Case, others) -> int | None:
    """The id of the first of `others` (earliest first, in the case's township) that the case repeats."""
    for other in others:
        if case.matter_id is not None and other.matter_id != case.matter_id:
            continue
        if near(case, other) and (case.matter_id is not None or similar(case.title, other.title)):
            return other.pk
    return None


class _Candidate(NamedTuple):
    pk: int
    matter_id: int | None
    title: str
    village_id: int | None
    address: str
    latitude: float | None
    longitude: float | None
