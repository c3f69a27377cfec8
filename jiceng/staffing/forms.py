from datetime import date

from django import forms
from django.utils import timezone

from jiceng.accounts.roles import Perm
from jiceng.lib.forms import StyledForm
from jiceng.orgs.forms import PersonChoiceField, UnitChoiceField
from jiceng.orgs.models import Person, Unit, UnitKind

from .models import (
    SEAT_KIND_CHOICES,
    EntryReason,
    ExitReason,
    HiringRequest,
    MoveType,
    PlanAdjustment,
    QuotaKind,
)

ENTRY_REASONS = [(r.value, r.label) for r in (EntryReason.APPROVE, EntryReason.INCREASE, EntryReason.DECREASE)]
EXIT_CHOICES = [(r.value, r.label) for r in ExitReason if r not in (ExitReason.TRANSFER, ExitReason.REFORM)]


def today():
    return timezone.localdate()


class AsOfForm(StyledForm, forms.Form):
    as_of = forms.DateField(label="统计日期", required=False)
    township = forms.CharField(label="乡镇（街道）", required=False)

    def day(self) -> date:
        return (self.cleaned_data.get("as_of") if self.is_valid() else None) or today()


class EntryForm(StyledForm, forms.Form):
    unit = UnitChoiceField(label="单位", queryset=Unit.objects.none())
    kind = forms.ChoiceField(label="编制类型", choices=QuotaKind.choices)
    reason = forms.ChoiceField(label="事由", choices=ENTRY_REASONS)
    delta = forms.IntegerField(label="增减数", help_text="核定、核增填正数；核减填负数")
    on = forms.DateField(label="生效日期", initial=today)
    document_no = forms.CharField(label="批准文号", max_length=100)
    note = forms.CharField(label="说明", max_length=200, required=False)
    allow_overstaffing = forms.BooleanField(label="明确造成超编（须在说明中写明理由）", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, Perm.MANAGE_STAFFING).active().order_by("path")


class MoveForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label="编制类型", choices=QuotaKind.choices)
    source_unit = UnitChoiceField(label="调出单位", queryset=Unit.objects.none(), required=False)
    source_pool = forms.BooleanField(label="从编制周转池调出", required=False)
    target_unit = UnitChoiceField(label="调入单位", queryset=Unit.objects.none(), required=False)
    target_pool = forms.BooleanField(label="收回编制周转池", required=False)
    amount = forms.IntegerField(label="数量（名）", min_value=1)
    move_type = forms.ChoiceField(
        label="调剂方式", choices=[("", "按单位层级自动判断")] + MoveType.choices, required=False
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user, Perm.MANAGE_STAFFING).active().order_by("path")
        self.fields["source_unit"].queryset = units
        self.fields["target_unit"].queryset = units

    def clean(self):
        data = super().clean()
        for side, label in (("source", "调出"), ("target", "调入")):
            if bool(data.get(f"{side}_unit")) == bool(data.get(f"{side}_pool")):
                self.add_error(f"{side}_unit", f"请选择{label}单位，或勾选编制周转池（二选一）。")
        return data


class RecordMoveForm(StyledForm, forms.Form):
    on = forms.DateField(label="生效日期", initial=today)
    document_no = forms.CharField(label="批准文号", max_length=100)
    allow_overstaffing = forms.BooleanField(label="明确造成超编", required=False)


class RequestForm(StyledForm, forms.Form):
    unit = UnitChoiceField(label="用编单位", queryset=Unit.objects.none())
    kind = forms.ChoiceField(label="编制类型", choices=SEAT_KIND_CHOICES)
    seats = forms.IntegerField(label="用编数", min_value=1, max_value=200, initial=1)
    purpose = forms.CharField(label="拟补充岗位或人员", max_length=200)
    channel = forms.CharField(
        label="进人方式", max_length=30, required=False, help_text="如：公务员招录、事业单位公开招聘、军转安置、调任"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, Perm.REQUEST_STAFFING).active().order_by("path")


class DecisionForm(StyledForm, forms.Form):
    note = forms.CharField(label="意见", max_length=300, required=False)


class EnterForm(StyledForm, forms.Form):
    """进编: an existing person, or the details of a new one."""

    person = PersonChoiceField(label="已在平台的人员", queryset=Person.objects.none(), required=False)
    name = forms.CharField(label="新进人员姓名", max_length=50, required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    work_unit = UnitChoiceField(
        label="工作单位", queryset=Unit.objects.none(), required=False, help_text="留空则为用编单位"
    )
    on = forms.DateField(label="进编日期", initial=today)
    document_no = forms.CharField(label="文号", max_length=100, required=False, help_text="留空则用核准编号")

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.visible_to(user).active().filter(quota_unit__isnull=True).select_related("work_unit")
        )
        self.fields["work_unit"].queryset = Unit.objects.visible_to(user).active().order_by("path")

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("name") and data.get("id_number")):
            self.add_error("person", "请选择已在平台的人员，或填写新进人员的姓名和身份证号。")
        return data


class ExitForm(StyledForm, forms.Form):
    reason = forms.ChoiceField(label="出编原因", choices=EXIT_CHOICES)
    on = forms.DateField(label="出编日期", initial=today)
    document_no = forms.CharField(label="文号", max_length=100, required=False)


class TransferForm(StyledForm, forms.Form):
    to_unit = UnitChoiceField(label="调入单位", queryset=Unit.objects.none())
    request = forms.ModelChoiceField(
        label="调入单位的用编核准",
        queryset=HiringRequest.objects.none(),
        required=False,
        help_text="调入单位没有空编时须先办理用编核准",
    )
    on = forms.DateField(label="调动日期", initial=today)
    document_no = forms.CharField(label="文号", max_length=100, required=False)
    move_work_unit = forms.BooleanField(label="工作单位一并调整", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = Unit.objects.visible_to(user, Perm.MANAGE_STAFFING).active().order_by("path")
        self.fields["request"].queryset = HiringRequest.objects.filter(status=HiringRequest.Status.APPROVED)


class PlanForm(StyledForm, forms.Form):
    name = forms.CharField(label="方案名称", max_length=200)
    region = forms.ModelChoiceField(label="实施区划", queryset=None)
    effective_on = forms.DateField(label="实施日期")
    document_no = forms.CharField(label="批准文号", max_length=100, required=False)
    note = forms.CharField(label="方案说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, **kwargs):
        from .access import drafting_regions

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = drafting_regions(user).filter(level__in=(3, 4)).order_by("code")


class TargetForm(StyledForm, forms.Form):
    unit = UnitChoiceField(
        label="现有单位",
        queryset=Unit.objects.none(),
        required=False,
        help_text="改革后保留的现有单位；新设单位请留空并填写下面各项",
    )
    name = forms.CharField(label="新设单位名称", max_length=100, required=False)
    kind = forms.ChoiceField(label="单位类型", choices=[("", "—")] + UnitKind.choices, required=False)
    parent = UnitChoiceField(label="上级单位", queryset=Unit.objects.none(), required=False)
    leader_chief = forms.IntegerField(label="领导职数（正职）", min_value=0, required=False)
    leader_deputy = forms.IntegerField(label="领导职数（副职）", min_value=0, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["parent"].queryset = units

    def clean(self):
        data = super().clean()
        if not data.get("unit") and not data.get("name"):
            self.add_error("unit", "请选择现有单位，或填写新设单位名称。")
        return data


class SourceForm(StyledForm, forms.Form):
    unit = UnitChoiceField(label="原单位", queryset=Unit.objects.none())
    target = forms.ModelChoiceField(label="并入", queryset=None, required=False)
    keep_name_as_plaque = forms.BooleanField(label="保留原名称为加挂牌子", required=False)

    def __init__(self, *args, units, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["target"].queryset = plan.targets.all()


class OverrideForm(StyledForm, forms.Form):
    person = PersonChoiceField(label="人员", queryset=Person.objects.none())
    target = forms.ModelChoiceField(label="转隶至", queryset=None, required=False, empty_label="（随原单位）")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        units = plan.sources.values("unit")
        self.fields["person"].queryset = (
            (Person.objects.active().filter(work_unit__in=units) | Person.objects.active().filter(quota_unit__in=units))
            .select_related("work_unit")
            .distinct()
        )
        self.fields["target"].queryset = plan.targets.all()


class AdjustmentForm(StyledForm, forms.Form):
    target = forms.ModelChoiceField(label="单位", queryset=None)
    kind = forms.ChoiceField(label="编制类型", choices=QuotaKind.choices)
    delta = forms.IntegerField(label="增减数")
    reason = forms.ChoiceField(label="事由", choices=PlanAdjustment.Reason.choices)
    document_no = forms.CharField(label="文号（核减必填）", max_length=100, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = plan.targets.all()


class ImportForm(StyledForm, forms.Form):
    ledger = forms.FileField(label="编制台账（.xlsx）", required=False)
    roster = forms.FileField(label="花名册（.xlsx）", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("ledger") and not data.get("roster"):
            raise forms.ValidationError("请至少选择一个文件。")
        for name in ("ledger", "roster"):
            f = data.get(name)
            if f and not f.name.lower().endswith(".xlsx"):
                self.add_error(name, "请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
            elif f and f.size > 50 * 1024 * 1024:
                self.add_error(name, "文件超过50MB。")
        return data
