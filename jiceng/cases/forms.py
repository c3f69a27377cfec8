import uuid

from django import forms

from jiceng.catalog.forms import MatterChoiceField, with_current_names
from jiceng.catalog.models import Matter
from jiceng.lib.forms import StyledForm
from jiceng.orgs.forms import UnitChoiceField
from jiceng.orgs.models import Region, Unit

from .models import Result


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(StyledForm, forms.Form):
    unit = UnitChoiceField(
        label="承办单位", queryset=Unit.objects.active().order_by("path"), required=False, empty_label="按清单确定"
    )
    matter = MatterChoiceField(
        label="事项", queryset=Matter.objects.none(), required=False, to_field_name="code", empty_label="事项不变"
    )
    designate = forms.BooleanField(label="指定承办（不可退单）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = with_current_names(Matter.objects.all())


class FinishForm(StyledForm, forms.Form):
    result = forms.ChoiceField(label="办理结果", choices=Result.choices)
    reply = forms.CharField(label="答复群众", widget=forms.Textarea(attrs={"rows": 3}))


class SupplementForm(StyledForm, forms.Form):
    missing = forms.CharField(label="需补正的全部材料（每行一项）", widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(StyledForm, forms.Form):
    days = forms.IntegerField(label="延期（工作日）", min_value=1, max_value=60)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class WindowForm(StyledForm, forms.Form):
    matter = MatterChoiceField(label="办理事项", queryset=Matter.objects.none())
    requester_name = forms.CharField(label="申请人姓名", max_length=50)
    requester_phone = forms.CharField(label="联系电话", max_length=20)
    requester_id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    note = forms.CharField(label="补充说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(label="不予受理的理由和依据", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def requester_fields(self):
        return [self[name] for name in ("requester_name", "requester_phone", "requester_id_number")]

    def __init__(self, *args, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = with_current_names(matters)


class TownshipCallForm(StyledForm, forms.Form):
    matter = MatterChoiceField(
        label="事项", queryset=Matter.objects.none(), required=False, empty_label="不确定（由指挥中心判定）"
    )
    title = forms.CharField(label="标题", max_length=200)
    text = forms.CharField(label="情况描述", widget=forms.Textarea(attrs={"rows": 4}))
    village = forms.ModelChoiceField(label="村（社区）", queryset=Region.objects.none(), required=False)
    address = forms.CharField(label="具体地点", max_length=200, required=False)

    def __init__(self, *args, matters, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = with_current_names(matters)
        self.fields["village"].queryset = villages


class GridReportForm(StyledForm, forms.Form):
    title = forms.CharField(label="问题", max_length=100)
    text = forms.CharField(label="现场情况", widget=forms.Textarea(attrs={"rows": 3}))
    village = forms.ModelChoiceField(label="村（社区）", queryset=Region.objects.none(), required=False)
    address = forms.CharField(label="具体位置", max_length=200, required=False)
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, villages, **kwargs):
        kwargs.setdefault("initial", {})["token"] = uuid.uuid4().hex
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
