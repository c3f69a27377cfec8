from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    PACKAGE = "chinese-calendar", "chinese-calendar 数据包"
    MANUAL = "manual", "手工录入"


class CalendarYear(models.Model):
    """A year whose holiday arrangement the table holds; other years fall back to Monday–Friday."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    document_no = models.CharField("依据文件", max_length=100, blank=True, help_text="如：国办发明电〔2025〕7号")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更新人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = "已录入年份"

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday rule: a holiday, or a weekend make-up workday (调休)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选表示调休上班日；不勾选表示放假")
    name = models.CharField("名称", max_length=30, blank=True, help_text="如：国庆节")
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "节假日与调休"

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"
