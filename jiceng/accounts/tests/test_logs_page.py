"""The audit pages: operation and login logs, with search and Excel export."""

from io import BytesIO

from openpyxl import load_workbook

from jiceng.accounts.models import LoginLog
from jiceng.orgs import actions


def test_a_reveal_of_an_id_number_appears_in_the_operation_log(client, cast):
    actions.reveal_person_pii(cast.people.east_staff, field="id_number", by=cast.users.east_leader)
    client.force_login(cast.users.staffing)
    text = client.get("/accounts/logs/", {"q": "查看完整"}).content.decode()
    assert "查看完整身份证号" in text and "李东" in text and "east_leader" in text


def test_roles_without_the_log_permission_get_403(client, cast):
    client.force_login(cast.users.east_leader)
    assert client.get("/accounts/logs/").status_code == 403


def test_the_login_log_exports_to_excel(client, cast):
    LoginLog.objects.create(username="bianban", outcome=LoginLog.Outcome.BAD_PASSWORD, ip="10.0.0.8")
    client.force_login(cast.users.staffing)
    response = client.get("/accounts/logs/", {"kind": "login", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0] == ("时间", "用户名", "结果", "IP地址", "浏览器")
    assert ("bianban", "用户名或密码错误", "10.0.0.8") in [r[1:4] for r in rows[1:]]
