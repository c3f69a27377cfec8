"""Public pages (no login): each township's three lists and the service guide, printable and in Excel."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from jiceng.lib.excel import xlsx_response
from jiceng.orgs.models import Region

from . import lists
from .models import Matter


def index(request):
    townships = Region.objects.townships().order_by("code")
    return render(request, "catalog/public/index.html", {"townships": townships, "lists": lists.LISTS})


def township_list(request, code, kind):
    township = get_object_or_404(Region, code=code, level=4)
    if kind not in lists.LISTS:
        raise Http404
    title, build = lists.LISTS[kind]
    day = timezone.localdate()
    rows = build(township, day)
    powers = lists.accepted_powers(township, day) if kind == "powers" else []
    if request.GET.get("export") == "xlsx":
        if kind == "powers":
            return xlsx_response(
                f"{township.name}{title}.xlsx",
                title,
                ["序号", "事项名称", "权力类型", "实施单位", "原实施部门", "赋权文件"],
                (
                    (i, p.name, p.get_power_type_display(), p.township_role.name, p.county_unit.name, p.document_no)
                    for i, p in enumerate(powers, start=1)
                ),
            )
        return xlsx_response(
            f"{township.name}{title}.xlsx",
            title,
            [
                "序号",
                "领域",
                "事项名称",
                "类别",
                "主体责任单位",
                "配合单位",
                "乡镇职责",
                "县级部门职责",
                "办理时限（工作日）",
            ],
            (
                (
                    i,
                    r.version.matter.area.name,
                    r.version.name,
                    r.version.get_list_kind_display(),
                    r.lead,
                    r.cooperating,
                    r.version.township_duty,
                    r.version.county_duty,
                    r.version.time_limit_days,
                )
                for i, r in enumerate(rows, start=1)
            ),
        )
    return render(
        request,
        "catalog/public/list.html",
        {
            "township": township,
            "title": title,
            "kind": kind,
            "rows": rows,
            "day": day,
            "lists": lists.LISTS,
            "powers": powers,
        },
    )


def guide(request):
    q = request.GET.get("q", "").strip()
    day = timezone.localdate()
    items = lists.service_items(day, q)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "办事指南.xlsx",
            "办事指南",
            [
                "事项编码",
                "事项名称",
                "事项类型",
                "法定时限（工作日）",
                "承诺时限（工作日）",
                "申请材料",
                "办理地点",
                "办理窗口",
                "收费标准",
                "一次办好",
                "可由代办点代办",
                "设定依据",
            ],
            (
                (
                    v.matter.code,
                    v.name,
                    v.service_type,
                    v.statutory_days,
                    v.committed_days,
                    "；".join(v.material_list),
                    v.location,
                    v.window,
                    v.fees,
                    "是" if v.once_done else "",
                    "是" if v.no_visit else "",
                    v.legal_basis,
                )
                for v in items
            ),
        )
    return render(request, "catalog/public/guide.html", {"items": items, "q": q})


def guide_item(request, code):
    matter = get_object_or_404(Matter, code=code)
    version = matter.current_version()
    if version is None or not version.is_service:
        raise Http404
    return render(request, "catalog/public/guide_item.html", {"v": version})
