"""The public portal (submit, track, rate) and the grid worker's report with photos."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.models import Attachment, Case, Channel, Evaluation, Result, Status


@pytest.fixture(autouse=True)
def fresh_limits():
    """The per-address limits live in the cache; every test starts with none used."""
    cache.clear()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submit(client, cast, token="t1", **extra):
    data = {
        "township": cast.regions.east.pk,
        "title": "路灯坏了",
        "text": "村口路灯一周不亮",
        "name": "王先生",
        "phone": "13912345678",
        "token": token,
        **extra,
    }
    return client.post(reverse("portal:submit"), data)


def test_the_public_submits_without_login_and_a_double_click_makes_one_case(client, cast):
    first = submit(client, cast)
    assert "查询码" in first.content.decode()
    submit(client, cast)  # the same form posted again
    case = Case.objects.get()
    assert (case.channel, case.requester_phone) == (Channel.ONLINE, "13912345678")


def test_submissions_are_limited_per_address(client, cast, settings):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    for i in range(3):
        response = submit(client, cast, token=f"x{i}")
    assert "提交过于频繁" in response.content.decode()
    assert Case.objects.count() == 2


def test_tracking_needs_the_phones_last_four_digits_and_shows_no_staff_names(client, cast, matters):
    submit(client, cast)
    case = Case.objects.get()
    wrong = client.get(reverse("portal:track"), {"code": case.code, "last4": "0000"}).content.decode()
    assert "没有找到该办件" in wrong and "路灯坏了" not in wrong
    actions.dispatch_case(case, by=cast.users.dispatcher, unit=cast.units.east_office)
    page = client.get(reverse("portal:track"), {"code": case.code.lower(), "last4": "5678"}).content.decode()
    assert "路灯坏了" in page and "派单" in page and "paidan" not in page


def test_the_requester_rates_a_finished_case_once(client, cast, matters):
    submit(client, cast)
    case = actions.sign_case(actions.dispatch_case(Case.objects.get(), by=None, unit=cast.units.east_office), by=None)
    actions.finish_case(case, result=Result.SOLVED, reply="已修复", by=None)
    client.post(reverse("portal:track"), {"code": case.code, "last4": "5678", "score": "5", "comment": "快"})
    assert Evaluation.objects.get(case=case).score == 5
    page = client.get(reverse("portal:track"), {"code": case.code, "last4": "5678"}).content.decode()
    assert "感谢您的评价" in page


def test_a_grid_report_keeps_its_photos_and_rejects_files_that_are_not_images(client, cast):
    client.force_login(cast.users.grid)
    bad = client.post(
        reverse("cases:grid"),
        {
            "title": "垃圾乱倒",
            "text": "河边倒了建筑垃圾",
            "token": "g1",
            "photos": [SimpleUploadedFile("现场.jpg", b"not really a picture", content_type="image/jpeg")],
        },
    )
    assert "不是JPG、PNG或WebP格式的照片" in bad.content.decode()
    assert not Case.objects.exists()
    client.post(
        reverse("cases:grid"),
        {
            "title": "垃圾乱倒",
            "text": "河边倒了建筑垃圾",
            "token": "g2",
            "photos": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
        },
    )
    case = Case.objects.get()
    assert (case.channel, case.registered_by) == (Channel.GRID, cast.users.grid)
    assert Attachment.objects.get(case=case).content_type == "image/png"
    page = client.get(reverse("cases:grid")).content.decode()
    assert "垃圾乱倒" in page


def test_too_big_photos_are_refused(client, cast, settings):
    settings.CASE_PHOTO_MAX_BYTES = 32
    client.force_login(cast.users.grid)
    response = client.post(
        reverse("cases:grid"),
        {
            "title": "垃圾",
            "text": "x",
            "token": "g3",
            "photos": [SimpleUploadedFile("a.png", PNG)],
        },
    )
    assert "超过" in response.content.decode() and not Case.objects.exists()


def track(client, case, last4="5678", **data):
    if data:
        return client.post(reverse("portal:track"), {"code": case.code, "last4": last4, **data}).content.decode()
    return client.get(reverse("portal:track"), {"code": case.code, "last4": last4}).content.decode()


def test_the_requester_withdraws_an_open_case_from_the_tracking_page(client, cast):
    submit(client, cast)
    case = Case.objects.get()
    assert "撤回申请" in track(client, case)
    track(client, case, action="withdraw", reason="已自行解决")
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN and case.events.get(action="withdraw").note == "已自行解决"
    assert "撤回申请" not in track(client, case)


def test_a_bad_rating_leads_to_rectification_and_one_follow_up_rating_online(client, cast):
    submit(client, cast)
    case = actions.sign_case(actions.dispatch_case(Case.objects.get(), by=None, unit=cast.units.east_office), by=None)
    actions.finish_case(case, result=Result.SOLVED, reply="已修复", by=None)
    page = track(client, case, score="1", comment="根本没修")
    assert "差评已转承办单位整改" in page
    actions.rectify_case(Case.objects.get(pk=case.pk), note="更换了灯头", by=None)
    assert "更换了灯头" in track(client, case)
    track(client, case, action="follow_up", score="4")
    assert Evaluation.objects.get(case=case, kind=Evaluation.Kind.FOLLOW_UP).score == 4
    assert "提交整改后评价" not in track(client, case)


def test_a_merged_duplicate_shows_the_progress_of_the_main_case(client, cast):
    submit(client, cast, token="a")
    submit(client, cast, token="b", phone="13700001111")
    first, second = Case.objects.order_by("id")
    actions.merge_case(second, into=first, by=None)
    actions.dispatch_case(first, by=None, unit=cast.units.east_office)
    page = track(client, second, last4="1111")
    assert "已合并办理" in page and "已派单" in page and "东岗镇党政综合办公室" in page


def test_guessing_the_last_four_digits_is_stopped_after_too_many_misses(client, cast, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PORTAL_TRACK_MISSES_PER_HOUR = 3
    submit(client, cast)
    case = Case.objects.get()
    for guess in ("0000", "0001", "0002"):
        assert "没有找到该办件" in track(client, case, last4=guess)
    assert "查询失败次数过多" in track(client, case)  # even the right digits wait now
