from django import forms

from jiceng.lib.forms import StyledForm
from jiceng.lib.workdays import MAX_DAYS

MIN_YEAR, MAX_YEAR = 1900, 2100


def check_year(value):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise forms.ValidationError(f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间。")


class AddForm(StyledForm, forms.Form):
    start = forms.DateField(label="起算日期", help_text="当天不计入期限", validators=[check_year])
    days = forms.IntegerField(label="工作日数", min_value=0, max_value=MAX_DAYS, help_text="0 表示即办件，当天办结")


class BetweenForm(StyledForm, forms.Form):
    start = forms.DateField(label="开始日期", validators=[check_year])
    end = forms.DateField(label="结束日期", validators=[check_year])


class CalendarDayForm(StyledForm, forms.Form):
    date = forms.DateField(label="日期")
    is_workday = forms.TypedChoiceField(
        label="安排", choices=[("0", "放假"), ("1", "调休上班")], coerce=lambda v: v == "1"
    )
    name = forms.CharField(label="名称", max_length=30, required=False, help_text="如：春节、国庆节调休上班")


class YearForm(StyledForm, forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    document_no = forms.CharField(
        label="依据文件", max_length=100, required=False, help_text="如：国办发明电〔2026〕×号"
    )
