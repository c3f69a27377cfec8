"""REST API of the working-day calendar: open to anyone, like the calculator page."""

from django.urls import re_path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.lib.workdays import MAX_DAYS

from .calendar import get_calendar
from .models import CalendarDay

DATE_ERRORS = {"invalid": "日期格式不正确，应为 YYYY-MM-DD，如 2026-09-30。", "required": "请提供此参数。"}


MIN_YEAR, MAX_YEAR = 1900, 2100


def check_year(value):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise serializers.ValidationError(f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间。")
    return value


class AddInput(serializers.Serializer):
    start = serializers.DateField(
        help_text="起算日期（当天不计入）", error_messages=DATE_ERRORS, validators=[check_year]
    )
    days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_DAYS,
        help_text="工作日数，0 为即办件",
        error_messages={
            "invalid": "工作日数应为整数。",
            "min_value": "工作日数不能为负数。",
            "max_value": f"工作日数不能超过{MAX_DAYS}。",
            "required": "请提供此参数。",
        },
    )


class BetweenInput(serializers.Serializer):
    start = serializers.DateField(error_messages=DATE_ERRORS, validators=[check_year])
    end = serializers.DateField(error_messages=DATE_ERRORS, validators=[check_year])


class ResultFields(serializers.Serializer):
    fallback = serializers.BooleanField(help_text="是否有年份尚未录入节假日、按周一至周五推算")
    fallback_years = serializers.ListField(child=serializers.IntegerField())
    notice = serializers.CharField(help_text="按周一至周五推算时的提示")


class AddOutput(ResultFields):
    start = serializers.DateField()
    days = serializers.IntegerField()
    date = serializers.DateField(help_text="期限截止日（当日工作时间结束）")


class BetweenOutput(ResultFields):
    start = serializers.DateField()
    end = serializers.DateField()
    workdays = serializers.IntegerField(help_text="开始日之后至结束日（含）的工作日数；结束早于开始时为负数")


def _result(result) -> dict:
    return {"fallback": result.fallback, "fallback_years": list(result.fallback_years), "notice": result.notice}


class WorkdaysAdd(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[AddInput], responses=AddOutput, summary="计算N个工作日后的截止日期")
    def get(self, request):
        data = AddInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        start, days = data.validated_data["start"], data.validated_data["days"]
        result = get_calendar().add(start, days)
        return Response(AddOutput({"start": start, "days": days, "date": result.value, **_result(result)}).data)


class WorkdaysBetween(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[BetweenInput], responses=BetweenOutput, summary="计算两个日期之间的工作日数")
    def get(self, request):
        data = BetweenInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        start, end = data.validated_data["start"], data.validated_data["end"]
        result = get_calendar().between(start, end)
        return Response(BetweenOutput({"start": start, "end": end, "workdays": result.value, **_result(result)}).data)


class HolidayOutput(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name", "source"]


class YearInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2100, error_messages={"invalid": "年份应为整数。"})


class Holidays(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[YearInput], responses=HolidayOutput(many=True), summary="某年的放假和调休上班日")
    def get(self, request):
        data = YearInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        year = data.validated_data["year"]
        days = CalendarDay.objects.filter(date__year=year)
        return Response(
            {"year": year, "known": get_calendar().knows(year), "days": HolidayOutput(days, many=True).data}
        )


urlpatterns = [
    re_path(r"^workdays/add/?$", WorkdaysAdd.as_view(), name="api-workdays-add"),
    re_path(r"^workdays/between/?$", WorkdaysBetween.as_view(), name="api-workdays-between"),
    re_path(r"^workdays/holidays/?$", Holidays.as_view(), name="api-workdays-holidays"),
]
