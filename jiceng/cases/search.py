"""Finding cases: one filter form for the case list page and its Excel export (the REST API takes the same
parameters)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.lib.forms import DateInput, StyledForm
from jiceng.orgs.forms import UnitChoiceField
from jiceng.orgs.models import Region, Unit

from .models import CLOSED_STATUSES, OPEN_STATUSES, Channel, Status

STATE_CHOICES = [
    ("", "全部状态"),
    ("open", "未办结（全部）"),
    ("overdue", "已超期"),
    ("closed", "已办结（全部）"),
    *Status.choices,
]
EXPORT_LIMIT = 20_000


class CaseFilterForm(StyledForm, forms.Form):
    q = forms.CharField(
        label="查询码、标题或地点",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "查询码、标题或地点"}),
    )
    state = forms.ChoiceField(label="状态", choices=STATE_CHOICES, required=False)
    channel = forms.ChoiceField(label="来源", choices=[("", "全部来源"), *Channel.choices], required=False)
    township = forms.ModelChoiceField(
        label="乡镇（街道）",
        queryset=Region.objects.townships().order_by("code"),
        required=False,
        empty_label="全部乡镇",
    )
    lead_unit = UnitChoiceField(
        label="承办单位", queryset=Unit.objects.none(), required=False, empty_label="全部承办单位"
    )
    since = forms.DateField(label="登记日期自", required=False, widget=DateInput)
    until = forms.DateField(label="至", required=False, widget=DateInput)

    def __init__(self, *args, units: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "结束日期不能早于开始日期。")
        return data


def filter_cases(qs: QuerySet, data: dict, *, now: datetime | None = None) -> QuerySet:
    """Apply the cleaned filter values; an exact tracking code wins over the text search."""
    now = now or timezone.now()
    q = (data.get("q") or "").strip()
    if q:
        # A tracking code, then an order number, each on its own unique index (an OR of the two would scan);
        # text search only when neither matches.
        by_code = qs.filter(code=q.upper())
        by_order = qs.filter(external_no=q).exclude(external_no="")
        if by_code.exists():
            qs = by_code
        elif by_order.exists():
            qs = by_order
        elif q.isascii() or any(c.isascii() and c.isalpha() for c in q):
            qs = qs.filter(Q(title__icontains=q) | Q(address__icontains=q))
        else:
            # Chinese has no case: a plain LIKE spares the database an UPPER() of every row it scans.
            qs = qs.filter(Q(title__contains=q) | Q(address__contains=q))
    state = data.get("state")
    if state == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif state == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    elif state == "overdue":
        qs = qs.overdue(now)
    elif state:
        qs = qs.filter(status=state)
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("township"):
        qs = qs.filter(township=data["township"])
    if data.get("lead_unit"):
        qs = qs.filter(lead_unit=data["lead_unit"])
    if data.get("since"):
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(data["since"], time.min)))
    if data.get("until"):
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(data["until"], time.max)))
    return qs


def export_rows(qs: QuerySet):
    """Rows for the Excel export; requester contacts stay masked."""
    for c in qs.select_related("matter_version", "township", "lead_unit")[:EXPORT_LIMIT]:
        yield (
            c.code,
            c.get_channel_display(),
            c.title,
            c.matter_version.name if c.matter_version_id else "",
            c.township.name if c.township_id else "",
            c.address,
            c.lead_unit.name if c.lead_unit_id else "",
            c.get_status_display(),
            c.created_at,
            c.due_at,
            c.finished_at,
            c.get_result_display() if c.result else "",
            c.masked_name,
            c.masked_phone,
        )


EXPORT_HEADERS = [
    "查询码",
    "来源",
    "标题",
    "事项",
    "乡镇（街道）",
    "地点",
    "承办单位",
    "状态",
    "登记时间",
    "办结期限",
    "办结时间",
    "办理结果",
    "申请人（脱敏）",
    "联系电话（脱敏）",
]
