from django import forms
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from jiceng.lib.forms import StyledForm
from jiceng.orgs.forms import UnitChoiceField
from jiceng.orgs.models import Region, Unit

from .models import Area, CatalogUnit, DelegationStatus, ListKind, MatterVersion, ServiceType

DAYS = {"min_value": 0, "required": False}


class MatterFilterForm(StyledForm, forms.Form):
    q = forms.CharField(
        label="关键词", required=False, widget=forms.TextInput(attrs={"placeholder": "编码、名称或关键词"})
    )
    area = forms.ModelChoiceField(label="领域", queryset=Area.objects.all(), required=False, empty_label="全部领域")
    list_kind = forms.ChoiceField(label="清单类别", choices=[("", "全部类别"), *ListKind.choices], required=False)
    as_of = forms.DateField(label="清单日期", required=False)


class MatterForm(StyledForm, forms.Form):
    code = forms.CharField(label="事项编码", max_length=30)
    area = forms.ModelChoiceField(label="领域", queryset=Area.objects.all())
    name = forms.CharField(label="事项名称", max_length=200)
    list_kind = forms.ChoiceField(label="清单类别", choices=ListKind.choices)
    service_type = forms.ChoiceField(
        label="事项类型（政务服务事项）", choices=[("", "—"), *ServiceType.choices], required=False
    )
    lead = forms.ModelChoiceField(label="主体责任单位", queryset=CatalogUnit.objects.all())
    cooperating = forms.ModelMultipleChoiceField(
        label="配合责任单位",
        queryset=CatalogUnit.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    township_duty = forms.CharField(label="乡镇职责", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    county_duty = forms.CharField(label="县级部门职责", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    procedure = forms.CharField(label="程序环节", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    standards = forms.CharField(label="工作标准", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    response_days = forms.IntegerField(label="响应时限（工作日）", **DAYS)
    time_limit_days = forms.IntegerField(label="办理时限（工作日）", **DAYS)
    keywords = forms.CharField(label="关键词（分号分隔）", max_length=500, required=False)
    legal_basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    statutory_days = forms.IntegerField(label="法定时限（工作日）", **DAYS)
    committed_days = forms.IntegerField(label="承诺时限（工作日，0为即办件）", **DAYS)
    materials = forms.CharField(label="申请材料（每行一项）", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    location = forms.CharField(label="办理地点", max_length=200, required=False)
    window = forms.CharField(label="办理窗口", max_length=100, required=False)
    fees = forms.CharField(label="收费标准", max_length=200, required=False, initial="不收费")
    once_done = forms.BooleanField(label="一次办好", required=False)
    no_visit = forms.BooleanField(label="一次不跑（可由村级代办点代办）", required=False)
    effective_from = forms.DateField(label="生效日期", initial=timezone.localdate)
    document_no = forms.CharField(label="依据文件（文号）", max_length=100)

    def clean(self):
        data = super().clean()
        lead = data.get("lead")
        if lead and lead in (data.get("cooperating") or []):
            self.add_error("cooperating", "主体责任单位不能同时列为配合单位。")
        return data


class TesterForm(StyledForm, forms.Form):
    township = forms.ModelChoiceField(label="乡镇（街道）", queryset=Region.objects.townships())
    day = forms.DateField(label="日期", initial=timezone.localdate)


class DelegationForm(StyledForm, forms.Form):
    township = forms.ModelChoiceField(label="乡镇（街道）", queryset=Region.objects.townships())
    status = forms.ChoiceField(label="承接情况", choices=DelegationStatus.choices)
    on = forms.DateField(label="日期", initial=timezone.localdate)
    document_no = forms.CharField(label="文号", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class BindingForm(StyledForm, forms.Form):
    role = forms.ModelChoiceField(label="乡镇级单位", queryset=CatalogUnit.objects.filter(level="township"))
    township = forms.ModelChoiceField(label="乡镇（街道）", queryset=Region.objects.townships())
    unit = UnitChoiceField(label="实际单位", queryset=Unit.objects.active().order_by("path"))


class AdmissionForm(StyledForm, forms.Form):
    department = UnitChoiceField(label="申请部门", queryset=Unit.objects.none())
    title = forms.CharField(label="事项名称", max_length=200)
    area = forms.ModelChoiceField(label="领域", queryset=Area.objects.all(), required=False)
    description = forms.CharField(label="拟交由乡镇承担的工作", widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label="理由和依据", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = units


class DecisionForm(StyledForm, forms.Form):
    note = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 3}))


class GuideSearchForm(forms.Form):
    q = forms.CharField(label="搜索办事事项", required=False)


class CatalogImportForm(StyledForm, forms.Form):
    workbook = forms.FileField(label="清单工作簿（.xlsx，含 areas、units、matters 三个工作表）", required=False)
    areas = forms.FileField(label="或：areas.csv", required=False)
    units = forms.FileField(label="units.csv", required=False)
    matters = forms.FileField(label="matters.csv", required=False)
    effective_from = forms.DateField(label="生效日期", initial=timezone.localdate)
    document_no = forms.CharField(label="依据文件（文号）", max_length=100)

    def clean(self):
        data = super().clean()
        csvs = [data.get(k) for k in ("areas", "units", "matters")]
        if data.get("workbook"):
            if not data["workbook"].name.lower().endswith(".xlsx"):
                self.add_error("workbook", "请上传 .xlsx 格式的工作簿。")
        elif not all(csvs):
            raise forms.ValidationError(
                "请上传一个 .xlsx 工作簿，或同时上传 areas.csv、units.csv、matters.csv 三个文件。"
            )
        return data


def with_current_names(matters, day=None):
    """Matters annotated with the name of the version in force (one query for a whole select list)."""
    day = day or timezone.localdate()
    names = MatterVersion.objects.in_force(day).filter(matter=OuterRef("pk")).values("name")[:1]
    return matters.annotate(current_name=Subquery(names)).order_by("code")


class MatterChoiceField(forms.ModelChoiceField):
    """Options read “编码 名称” from the annotation instead of a query per option."""

    def label_from_instance(self, obj):
        name = getattr(obj, "current_name", None)
        return f"{obj.code} {name}" if name is not None else str(obj)
