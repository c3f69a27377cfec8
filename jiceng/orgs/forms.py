from django import forms

from jiceng.accounts.roles import Perm
from jiceng.accounts.scopes import data_scope
from jiceng.lib.forms import StyledForm

from .models import MAX_B_HOLDERS, Absence, AbsenceKind, Person, Region, StaffingKind, Unit, UnitKind


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth, 0)}{obj.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.work_unit.name}）"


def writable_units(user, perm):
    return Unit.objects.visible_to(user, perm).active().order_by("path")


class UnitForm(StyledForm, forms.ModelForm):
    document_no = forms.CharField(
        label="文号", max_length=100, required=False, help_text="设立或变更所依据的文件，如：示编〔2026〕3号"
    )
    parent = UnitChoiceField(
        label="上级单位", queryset=Unit.objects.none(), required=False, empty_label="（无上级单位）"
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "region", "parent", "credit_code", "established_on", "duties", "sort"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = writable_units(user, Perm.CHANGE_UNIT)
        # Only a county-wide scope may create a top-level unit; anyone else must place it in their part of the tree.
        self.fields["parent"].required = not data_scope(user, Perm.CHANGE_UNIT).everything
        self.fields["region"].queryset = Region.objects.filter(level__gte=3)
        self.fields["credit_code"].help_text = "18位，末位为 GB 32100 校验码；村(社区)组织等可暂不填写"

    def clean_credit_code(self):
        return self.cleaned_data.get("credit_code") or None


class PlaqueForm(StyledForm, forms.Form):
    name = forms.CharField(label="牌子名称", max_length=100)
    document_no = forms.CharField(label="文号", max_length=100, required=False)
    since = forms.DateField(label="加挂日期", required=False)


class UnitEndForm(StyledForm, forms.Form):
    ACTIONS = [("merge", "合并（并入其他单位）"), ("revoke", "撤销")]
    action = forms.ChoiceField(label="变更方式", choices=ACTIONS)
    into = UnitChoiceField(label="并入单位", queryset=Unit.objects.none(), required=False, empty_label="请选择")
    on = forms.DateField(label="生效日期")
    document_no = forms.CharField(label="文号", max_length=100)

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = writable_units(user, Perm.CHANGE_UNIT).exclude(pk=unit.pk)

    def clean(self):
        data = super().clean()
        if data.get("action") == "merge" and not data.get("into"):
            self.add_error("into", "合并时须选择并入单位。")
        return data


class PersonForm(StyledForm, forms.ModelForm):
    quota_unit = UnitChoiceField(
        label="编制所在单位", queryset=Unit.objects.none(), required=False, empty_label="（不占编制）"
    )
    work_unit = UnitChoiceField(label="工作单位", queryset=Unit.objects.none())

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "phone",
            "staffing_kind",
            "quota_unit",
            "work_unit",
            "position",
            "leader_rank",
            "active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = writable_units(user, Perm.CHANGE_PERSON)
        self.fields["quota_unit"].queryset = units
        self.fields["work_unit"].queryset = units
        self.fields["id_number"].help_text = "18位居民身份证号，出生日期和性别由号码自动识别"
        self.fields["quota_unit"].help_text = "编外聘用人员不填；与工作单位不同即为“人编分离”"
        if self.instance.pk:
            self.initial["id_number"] = ""
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = "不修改请留空（当前：" + self.instance.masked_id_number + "）"

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        if not value and self.instance.pk:
            return self.instance.id_number
        return value


class PostForm(StyledForm, forms.Form):
    name = forms.CharField(label="岗位名称", max_length=100)
    duties = forms.CharField(label="岗位职责", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)
    takes_cases = forms.BooleanField(
        label="承接派单",
        required=False,
        help_text="派到本单位的办件交该岗位在岗人员经办：A岗在岗由A岗，A岗请假外出时由B岗按顺位顶岗",
    )


class HoldersForm(StyledForm, forms.Form):
    a = PersonChoiceField(label="A岗（主办）", queryset=Person.objects.none(), required=False)
    b1 = PersonChoiceField(label="B岗第1顺位", queryset=Person.objects.none(), required=False)
    b2 = PersonChoiceField(label="B岗第2顺位", queryset=Person.objects.none(), required=False)

    def __init__(self, *args, user, post, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.visible_to(user).active().select_related("work_unit").order_by("work_unit__path", "id")
        for name in ("a", "b1", "b2"):
            self.fields[name].queryset = people
        assert MAX_B_HOLDERS == 2  # the form has two B slots


class AbsenceForm(StyledForm, forms.ModelForm):
    person = PersonChoiceField(label="人员", queryset=Person.objects.none())

    class Meta:
        model = Absence
        fields = ["person", "kind", "start_date", "end_date", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.visible_to(user, Perm.CHANGE_ABSENCE).active().select_related("work_unit")
        )
        self.fields["kind"].choices = AbsenceKind.choices


class DateRangeForm(StyledForm, forms.Form):
    start = forms.DateField(label="开始日期")
    end = forms.DateField(label="结束日期")
    unit = UnitChoiceField(label="单位（含下级）", queryset=Unit.objects.none(), required=False, empty_label="全部单位")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).active().order_by("path")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "结束日期不能早于开始日期。")
            elif (end - start).days > 365:
                self.add_error("end", "查询范围不能超过一年。")
        return data


class PeopleFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label="姓名或职务", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名或职务"}))
    unit = UnitChoiceField(label="单位（含下级）", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    staffing_kind = forms.ChoiceField(label="编制类型", choices=[("", "全部")] + StaffingKind.choices, required=False)
    separated = forms.BooleanField(label="只看人编分离", required=False)
    inactive = forms.BooleanField(label="含不在职人员", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).order_by("path")


class UnitFilterForm(StyledForm, forms.Form):
    q = forms.CharField(
        label="名称、牌子或信用代码",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "名称、牌子或信用代码"}),
    )
    kind = forms.ChoiceField(label="单位类型", choices=[("", "全部类型")] + UnitKind.choices, required=False)
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部状态"), ("active", "在用"), ("merged", "已合并"), ("revoked", "已撤销")],
        required=False,
    )
