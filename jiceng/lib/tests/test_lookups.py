"""pk__in_ids: integers written into the SQL, the same rows as pk__in, nothing but integers accepted."""

import pytest

from jiceng.accounts.models import User


@pytest.fixture
def users(db):
    return [User.objects.create(username=f"u{n}") for n in range(4)]


def test_in_ids_matches_the_same_rows_as_in_and_writes_the_ids_into_the_sql(users):
    ids = [users[2].pk, users[0].pk, users[2].pk]
    queryset = User.objects.filter(pk__in_ids=ids)
    assert set(queryset) == set(User.objects.filter(pk__in=ids)) == {users[0], users[2]}
    sql, params = queryset.query.sql_with_params()
    assert f"IN ({min(ids)}, {max(ids)})" in sql and params == ()


def test_an_empty_list_matches_nothing_alone_and_drops_out_of_an_or(users):
    from django.db.models import Q

    assert not User.objects.filter(pk__in_ids=[]).exists()
    assert list(User.objects.filter(Q(pk__in_ids=[]) | Q(username="u1"))) == [users[1]]


def test_anything_but_integers_is_refused_before_it_reaches_the_sql(users):
    with pytest.raises(ValueError):
        User.objects.filter(pk__in_ids=["1) OR (1=1"])
