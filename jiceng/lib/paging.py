"""Pagination for tables that grow without limit (cases): the count stops at a cap, so a page of a
million-row table costs what a page of ten thousand costs. Past the cap the user narrows the search."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 2_000


class CappedPaginator(Paginator):
    """`count` is exact up to `cap`; above it, `cap` and `capped` is True. Pages past the cap are not offered."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # COUNT over an unordered LIMIT subquery: the database stops after cap + 1 rows, in any order.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return super().num_pages if not self.capped else -(-self.cap // self.per_page)
