"""Staff pages of the catalog: browser, matter page, edit forms, delegation progress, bindings, admissions."""

import json
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib import staging
from jiceng.lib.excel import xlsx_response
from jiceng.lib.forms import querystring_base, run_action
from jiceng.orgs.models import Region, Unit

from . import actions, lists
from .forms import (
    AdmissionForm,
    BindingForm,
    CatalogImportForm,
    DecisionForm,
    DelegationForm,
    MatterFilterForm,
    MatterForm,
    TesterForm,
)
from .importing import import_catalog
from .models import AdmissionRequest, CatalogUnit, DelegatedPower, Delegation, Level, Matter, MatterVersion, RoleBinding
from .resolve import Unresolvable, resolve

PAGE = 50


@require_perm(Perm.VIEW_CATALOG)
def matters(request):
    form = MatterFilterForm(request.GET or None)
    day = (form.cleaned_data.get("as_of") if form.is_valid() else None) or timezone.localdate()
    versions = lists.versions_on(day)
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            versions = versions.filter(matter__in=Matter.objects.search(d["q"]))
        if d["area"]:
            versions = versions.filter(matter__area=d["area"])
        if d["list_kind"]:
            versions = versions.filter(list_kind=d["list_kind"])
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "职责清单.xlsx",
            "职责清单",
            [
                "事项编码",
                "领域",
                "事项名称",
                "清单类别",
                "主体责任单位",
                "配合责任单位",
                "乡镇职责",
                "县级部门职责",
                "办理时限（工作日）",
                "关键词",
                "依据文件",
                "生效日期",
            ],
            (
                (
                    v.matter.code,
                    v.matter.area.name,
                    v.name,
                    v.get_list_kind_display(),
                    "、".join(r.catalog_unit.name for r in v.responsibilities.all() if r.is_lead),
                    "、".join(r.catalog_unit.name for r in v.responsibilities.all() if not r.is_lead),
                    v.township_duty,
                    v.county_duty,
                    v.time_limit_days,
                    v.keywords,
                    v.document_no,
                    v.effective_from,
                )
                for v in versions
            ),
        )
    page = Paginator(versions, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/matters.html",
        {
            "form": form,
            "page": page,
            "day": day,
            "querystring_base": querystring_base(request),
            "can_change": request.user.can(Perm.CHANGE_CATALOG),
        },
    )


@require_perm(Perm.VIEW_CATALOG)
def matter(request, pk):
    m = get_object_or_404(Matter.objects.select_related("area"), pk=pk)
    tester = TesterForm(request.GET or None)
    resolution = error = None
    if tester.is_valid():
        try:
            resolution = resolve(m, tester.cleaned_data["township"], tester.cleaned_data["day"])
        except Unresolvable as e:
            error = e.message
    version = m.current_version() or m.versions.order_by("-effective_from").first()
    superseded = (
        bool(version and version.effective_to) and m.versions.filter(effective_from=version.effective_to).exists()
    )
    tester_day = (tester.cleaned_data["day"] if tester.is_valid() else timezone.localdate()).isoformat()
    return render(
        request,
        "catalog/matter.html",
        {
            "matter": m,
            "version": version,
            "superseded": superseded,
            "tester_day": tester_day,
            "tester": tester,
            "resolution": resolution,
            "error": error,
            "versions": m.versions.order_by("-effective_from").select_related("created_by"),
            "responsibilities": version.responsibilities.select_related("catalog_unit") if version else [],
            "powers": m.delegated_powers.all(),
            "can_change": request.user.can(Perm.CHANGE_CATALOG),
        },
    )


def _initial_from(version: MatterVersion) -> dict:
    initial = {f: getattr(version, f) for f in actions.VERSION_FIELDS}
    duties = list(version.responsibilities.all())
    initial.update(
        {
            "code": version.matter.code,
            "area": version.matter.area,
            "lead": next((d.catalog_unit for d in duties if d.is_lead), None),
            "cooperating": [d.catalog_unit for d in duties if not d.is_lead],
        }
    )
    return initial


def _duties(data, previous: MatterVersion | None = None) -> list[actions.Duty]:
    """Each unit keeps its own duty text from the previous version; new units get the level's duty."""
    kept = {r.catalog_unit_id: r.duty for r in previous.responsibilities.all()} if previous else {}

    def duty_for(cu: CatalogUnit) -> str:
        if kept.get(cu.pk):
            return kept[cu.pk]
        return data["township_duty"] if cu.level == Level.TOWNSHIP else data["county_duty"]

    return [actions.Duty(data["lead"], True, duty_for(data["lead"]))] + [
        actions.Duty(cu, False, duty_for(cu)) for cu in data["cooperating"]
    ]


@require_perm(Perm.CHANGE_CATALOG)
def matter_edit(request, pk=None):
    existing = get_object_or_404(Matter, pk=pk) if pk else None
    version = existing.versions.order_by("-effective_from").first() if existing else None
    form = MatterForm(request.POST or None, initial=_initial_from(version) if version else None)
    if existing:
        form.fields["code"].disabled = True
    if (
        request.method == "POST"
        and form.is_valid()
        and not existing
        and Matter.objects.filter(code=form.cleaned_data["code"]).exists()
    ):
        form.add_error("code", "该事项编码已存在；修订现有事项请在事项页面点“修订（新版本）”。")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {k: d.get(k) for k in actions.VERSION_FIELDS if k in d}
        fields["fees"] = fields.get("fees") or "不收费"
        saved = run_action(
            form,
            actions.save_matter,
            code=existing.code if existing else d["code"],
            area=d["area"],
            fields=fields,
            duties=_duties(d, version),
            effective_from=d["effective_from"],
            document_no=d["document_no"],
            by=request.user,
        )
        if saved:
            messages.success(request, f"已保存，自{saved.effective_from:%Y年%m月%d日}起施行。")
            return redirect(saved.matter)
    return render(request, "catalog/matter_form.html", {"form": form, "matter": existing})


@require_perm(Perm.VIEW_CATALOG)
def powers(request):
    day = timezone.localdate()
    progress = lists.delegation_progress(day)
    townships = [p.township for p in progress]
    power_list = DelegatedPower.objects.select_related("county_unit", "township_role", "matter")
    q = request.GET.get("q", "").strip()
    if q:
        power_list = power_list.filter(name__icontains=q) | power_list.filter(code__icontains=q)
    page = Paginator(power_list, PAGE).get_page(request.GET.get("page"))
    latest: dict[tuple[int, int], Delegation] = {}
    for d in Delegation.objects.filter(power__in=list(page), on__lte=day).order_by("on", "id"):
        latest[(d.power_id, d.township_id)] = d
    rows = [(p, [latest.get((p.pk, t.pk)) for t in townships]) for p in page]
    chart = {
        "names": [p.township.name for p in progress],
        "accepted": [p.accepted for p in progress],
        "deferred": [p.counts.get("deferred", 0) for p in progress],
        "reclaimed": [p.counts.get("reclaimed", 0) for p in progress],
    }
    return render(
        request,
        "catalog/powers.html",
        {
            "progress": progress,
            "townships": townships,
            "rows": rows,
            "page": page,
            "q": q,
            "chart": json.dumps(chart, ensure_ascii=False),
            "querystring_base": querystring_base(request),
            "can_change": request.user.can(Perm.CHANGE_CATALOG),
            "form": DelegationForm(),
        },
    )


@require_perm(Perm.VIEW_CATALOG)
def power(request, pk):
    p = get_object_or_404(DelegatedPower.objects.select_related("county_unit", "township_role", "matter"), pk=pk)
    form = DelegationForm(request.POST or None)
    if request.method == "POST":
        if not request.user.can(Perm.CHANGE_CATALOG):
            return redirect(request.path)
        if form.is_valid():
            d = form.cleaned_data
            if run_action(
                form,
                actions.set_delegation,
                p,
                d["township"],
                status=d["status"],
                on=d["on"],
                document_no=d["document_no"],
                note=d["note"],
                by=request.user,
            ):
                messages.success(request, "承接情况已记录。")
                return redirect("catalog:power", p.pk)
    history = p.delegations.select_related("township", "by").order_by("township__code", "-on", "-id")
    return render(
        request,
        "catalog/power.html",
        {"power": p, "history": history, "form": form, "can_change": request.user.can(Perm.CHANGE_CATALOG)},
    )


@require_perm(Perm.VIEW_CATALOG)
def bindings(request):
    form = BindingForm(request.POST or None)
    if request.method == "POST":
        if not request.user.can(Perm.CHANGE_CATALOG):
            return redirect(request.path)
        if form.is_valid():
            d = form.cleaned_data
            if run_action(form, actions.bind_role, d["role"], d["township"], d["unit"], by=request.user):
                messages.success(request, "已保存。")
                return redirect("catalog:bindings")
    townships = list(Region.objects.townships().order_by("code"))
    roles = list(CatalogUnit.objects.filter(level=Level.TOWNSHIP))
    bound = {(b.role_id, b.township_id): b.unit for b in RoleBinding.objects.select_related("unit")}
    matrix = [(r, [bound.get((r.pk, t.pk)) for t in townships]) for r in roles]
    county = CatalogUnit.objects.filter(level=Level.COUNTY).select_related("unit")
    return render(
        request,
        "catalog/bindings.html",
        {
            "townships": townships,
            "matrix": matrix,
            "county": county,
            "form": form,
            "can_change": request.user.can(Perm.CHANGE_CATALOG),
        },
    )


def _admission_units(user):
    return Unit.objects.visible_to(user, Perm.REQUEST_ADMISSION).active().order_by("path")


@require_perm(Perm.VIEW_CATALOG)
def admissions(request):
    qs = AdmissionRequest.objects.select_related("department", "area", "submitted_by")
    if not request.user.can(Perm.CHANGE_CATALOG):
        qs = qs.filter(department__in=_admission_units(request.user))
    can_submit = request.user.can(Perm.REQUEST_ADMISSION)
    form = AdmissionForm(request.POST or None, units=_admission_units(request.user)) if can_submit else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        created = run_action(
            form,
            actions.submit_admission,
            department=d["department"],
            title=d["title"],
            description=d["description"],
            reason=d["reason"],
            area=d["area"],
            by=request.user,
        )
        if created:
            messages.success(request, "准入申请已提交，待县编办审核。")
            return redirect(created)
    return render(request, "catalog/admissions.html", {"requests": qs, "form": form})


@require_perm(Perm.VIEW_CATALOG)
def admission(request, pk):
    qs = AdmissionRequest.objects.select_related("department", "area", "matter", "submitted_by", "decided_by")
    if not request.user.can(Perm.CHANGE_CATALOG):
        qs = qs.filter(department__in=_admission_units(request.user))
    req = get_object_or_404(qs, pk=pk)
    return render(
        request,
        "catalog/admission.html",
        {
            "req": req,
            "form": DecisionForm(),
            "can_decide": request.user.can(Perm.CHANGE_CATALOG),
        },
    )


@require_POST
@require_perm(Perm.CHANGE_CATALOG)
def admission_decide(request, pk, decision):
    req = get_object_or_404(AdmissionRequest, pk=pk)
    form = DecisionForm(request.POST)
    code = request.POST.get("matter_code", "").strip()
    matter = Matter.objects.filter(code=code).first() if code else None
    if code and matter is None:
        messages.error(request, f"事项编码“{code}”不存在，请先新增该事项，或留空。")
    elif form.is_valid():
        if run_action(
            form,
            actions.decide_admission,
            req,
            approve=decision == "approve",
            note=form.cleaned_data["note"],
            matter=matter,
            by=request.user,
        ):
            messages.success(request, "审核意见已记录。")
            return redirect(req)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect(req)


IMPORT_SESSION_KEY = "catalog_import"


@require_perm(Perm.CHANGE_CATALOG)
def catalog_import(request):
    """Upload → 预检 (dry run, row-by-row errors) → 确认导入 (all or nothing)."""
    result = None
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    pending = request.session.get(IMPORT_SESSION_KEY)
    if request.method == "POST" and request.POST.get("confirm") and pending:
        folder = staging.folder("catalog", pending["token"])
        source = folder / "catalog.xlsx" if (folder / "catalog.xlsx").exists() else folder
        result = import_catalog(
            source,
            dry_run=False,
            effective_from=date.fromisoformat(pending["effective_from"]),
            document_no=pending["document_no"],
            by=request.user,
        )
        request.session.pop(IMPORT_SESSION_KEY, None)
        if result.committed:
            messages.success(request, "清单已导入。")
        return render(request, "catalog/import.html", {"form": CatalogImportForm(), "result": result, "done": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        token, folder = staging.stage(
            "catalog",
            {"catalog.xlsx": d["workbook"]}
            if d["workbook"]
            else {"areas.csv": d["areas"], "units.csv": d["units"], "matters.csv": d["matters"]},
        )
        source = folder / "catalog.xlsx" if d["workbook"] else folder
        result = import_catalog(
            source, dry_run=True, effective_from=d["effective_from"], document_no=d["document_no"], by=request.user
        )
        if not result.errors:
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "effective_from": d["effective_from"].isoformat(),
                "document_no": d["document_no"],
            }
    return render(request, "catalog/import.html", {"form": form, "result": result})
