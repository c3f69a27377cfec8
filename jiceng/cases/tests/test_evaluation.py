"""好差评 with rectification and one follow-up, 反向评价 of county departments, and 重办."""

import pytest

from jiceng.cases import actions
from jiceng.cases.models import Case, Channel, Evaluation, Rectification, Result, Status
from jiceng.lib.errors import DomainError


@pytest.fixture
def finished(cast, matters):
    case, _ = actions.register_case(
        channel=Channel.TOWNSHIP_CALL,
        title="违建",
        text="x",
        matter=matters["event"],
        township=cast.regions.east,
        by=cast.users.east_leader,
    )
    case = actions.sign_case(actions.dispatch_case(case, by=None), by=None)
    return actions.finish_case(case, result=Result.SOLVED, reply="已拆除", by=None)


def test_a_good_rating_closes_without_rectification(finished):
    case = actions.rate_case(finished, score=5, comment="很快")
    assert case.status == Status.RATED and not Rectification.objects.filter(case=case).exists()
    with pytest.raises(DomainError, match="不能重复评价"):
        actions.rate_case(case, score=4)


def test_a_bad_rating_opens_rectification_and_allows_one_follow_up(finished):
    case = actions.rate_case(finished, score=2, comment="没拆干净")
    rectification = Case.objects.get(pk=case.pk).rectification
    assert rectification.due_on > rectification.created_at.date()
    with pytest.raises(DomainError, match="整改完成后"):
        actions.rate_follow_up(case, score=4)
    actions.rectify_case(case, note="已清运建筑垃圾", by=None)
    actions.rate_follow_up(case, score=4)
    with pytest.raises(DomainError, match="只能复评一次"):
        actions.rate_follow_up(case, score=5)


def test_ratings_are_on_the_one_to_five_scale(finished):
    with pytest.raises(DomainError, match="1至5"):
        actions.rate_case(finished, score=6)


def test_the_township_rates_the_department_on_three_counts(finished, cast):
    actions.reverse_evaluate(finished, response=5, quality=4, cooperation=3, by=cast.users.east_leader)
    evaluation = Evaluation.objects.get(kind=Evaluation.Kind.REVERSE)
    assert (evaluation.unit, evaluation.score) == (cast.units.land, 4)
    with pytest.raises(DomainError, match="已反向评价"):
        actions.reverse_evaluate(finished, response=5, quality=5, cooperation=5, by=cast.users.east_leader)


def test_a_reopened_case_is_new_linked_and_goes_to_the_same_unit(finished, cast):
    actions.rate_case(finished, score=1)
    again = actions.reopen_case(finished, reason="又开始打地基", by=None)
    assert again.pk != finished.pk and again.reopened_from == finished
    assert (again.status, again.lead_unit) == (Status.DISPATCHED, cast.units.land)
    assert again.title.startswith("【重办】")
    assert again.limit_days == finished.limit_days  # the same limit, not the default
    assert finished.events.get(action="reopen").data == {"case": again.pk}
    with pytest.raises(DomainError, match="已重办"):
        actions.reopen_case(finished, reason="再办一次", by=None)


def test_an_extension_is_between_one_and_sixty_working_days(finished, cast):
    case, _ = actions.register_case(channel=Channel.GRID, title="x", text="y", township=cast.regions.east)
    case = actions.sign_case(actions.dispatch_case(case, by=None, unit=cast.units.land), by=None)
    for days in (0, 61):
        with pytest.raises(DomainError, match="1至60个工作日"):
            actions.request_extension(case, days=days, reason="需要测绘", by=None)
