"""The administrator keeps the holiday table through its page; others may not."""

from jiceng.accounts.models import OperationLog
from jiceng.workcal.models import CalendarDay, CalendarYear

PAGE = "/workdays/holidays/"


def test_only_the_administrator_may_open_the_holiday_table(client, cast):
    client.force_login(cast.users.staffing)
    assert client.get(PAGE).status_code == 403
    client.force_login(cast.users.admin)
    assert client.get(PAGE).status_code == 200


def test_entering_2027_and_confirming_it_ends_the_fallback(client, cast, calendar_2026):
    client.force_login(cast.users.admin)
    before = client.get("/api/v1/workdays/add", {"start": "2026-12-31", "days": 1}).json()
    assert before == {**before, "date": "2027-01-01", "fallback": True}

    response = client.post(PAGE, {"form": "day", "date": "2027-01-01", "is_workday": "0", "name": "元旦"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2027-01-01").name == "元旦"
    client.post(PAGE, {"form": "year", "year": "2027", "document_no": "国办发明电〔2026〕9号"})
    assert CalendarYear.objects.get(year=2027).document_no == "国办发明电〔2026〕9号"

    after = client.get("/api/v1/workdays/add", {"start": "2026-12-31", "days": 1}).json()
    assert after["date"] == "2027-01-04"  # 1 January is now a holiday, then the weekend
    assert after["fallback"] is False
    assert OperationLog.objects.filter(action="修改节假日", user=cast.users.admin).exists()


def test_a_bad_date_is_explained_and_nothing_is_saved(client, cast):
    client.force_login(cast.users.admin)
    response = client.post(PAGE, {"form": "day", "date": "2027-02-30", "is_workday": "0", "name": "春节"})
    assert response.status_code == 200
    assert "有效的日期" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_importing_a_year_the_package_lacks_says_to_enter_it_by_hand(client, cast):
    client.force_login(cast.users.admin)
    response = client.post("/workdays/holidays/import/", {"year": "2031"}, follow=True)
    assert "没有2031年的节假日安排" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_the_calculator_page_shows_the_fallback_notice(client, cast, calendar_2026):
    text = client.get("/workdays/", {"start": "2027-03-01", "days": "3"}).content.decode()
    assert "2027年3月4日" in text
    assert "2027年的节假日安排尚未录入" in text


def test_the_interface_stays_chinese_for_an_english_browser(client, cast):
    response = client.get("/workdays/", {"start": "2026-02-30", "days": "1"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = response.content.decode()
    assert "有效的日期" in text
    assert "Enter a valid date" not in text
