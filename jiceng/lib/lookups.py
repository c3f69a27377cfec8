"""`pk__in_ids=[…]`: an IN list of integer ids written into the SQL as literals.

A data scope lists up to 2,000 case ids. As bound parameters each of them is prepared, adapted and sent by Django
and the driver, which on a case list cost more than the queries themselves; integers cannot carry SQL, so they
are written in. Anything but integers is refused before it reaches the SQL.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import BigAutoField, Lookup


@BigAutoField.register_lookup
class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self):
        return sorted({int(v) for v in self.rhs})  # int() refuses a string that is not a number

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet  # as the `in` lookup: an OR drops the branch, an AND matches nothing
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(map(str, self.rhs))})", params
