from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.excel import xlsx_response
from jiceng.lib.forms import querystring_base, run_action
from jiceng.workcal.calendar import get_calendar

from . import actions
from .access import can_see_pii, get_absence_for_user, get_person_for_user, get_post_for_user, get_unit_for_user
from .duty import coverage_gaps, duties_on, on_duty
from .forms import (
    AbsenceForm,
    DateRangeForm,
    HoldersForm,
    PeopleFilterForm,
    PersonForm,
    PlaqueForm,
    PostForm,
    UnitEndForm,
    UnitFilterForm,
    UnitForm,
)
from .models import Absence, Person, Post, Region, Unit, UnitStatus

PAGE_SIZE = 30


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    units = Unit.objects.visible_to(user).active()
    people = Person.objects.visible_to(user).active()
    posts = Post.objects.visible_to(user).filter(active=True)
    gaps = coverage_gaps(posts, today, today + timedelta(days=13))
    calendar = get_calendar()
    next_year = today.year + 1
    return render(
        request,
        "orgs/home.html",
        {
            "stats": {
                "units": units.count(),
                "people": people.count(),
                "separated": people.separated().count(),
                "posts": posts.count(),
            },
            "gaps": gaps[:8],
            "gap_count": len(gaps),
            "today": today,
            "is_workday": calendar.is_workday(today),
            "next_year_missing": not calendar.knows(next_year) and today.month >= 11,
            "next_year": next_year,
        },
    )


# ---- regions -------------------------------------------------------------------------------------


@require_perm(Perm.VIEW_ORGS)
def regions(request):
    q = request.GET.get("q", "").strip()
    all_regions = list(Region.objects.all())
    children = defaultdict(list)
    for region in all_regions:
        children[region.parent_id].append(region)
    matches = [r for r in all_regions if q and (q in r.name or r.code.startswith(q))]
    return render(
        request,
        "orgs/regions.html",
        {"roots": children[None], "children": children, "q": q, "matches": matches},
    )


# ---- units ---------------------------------------------------------------------------------------


def _tree(units: list[Unit]):
    """Nest units by parent id; a unit whose parent is not in the list becomes a root."""
    by_parent = defaultdict(list)
    present = {u.pk for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in present else None
        by_parent[parent].append(unit)
    return by_parent


@require_perm(Perm.VIEW_ORGS)
def units(request):
    user = request.user
    form = UnitFilterForm(request.GET or None)
    visible = Unit.objects.visible_to(user).select_related("region", "merged_into")
    filtered = form.is_valid() and any(form.cleaned_data.values())
    if filtered:
        data = form.cleaned_data
        qs = visible
        if data["q"]:
            qs = qs.filter(
                Q(name__icontains=data["q"]) | Q(plaques__name__icontains=data["q"]) | Q(credit_code=data["q"].upper())
            ).distinct()
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
    else:
        qs = visible.filter(status=UnitStatus.ACTIVE)
    qs = qs.order_by("path").annotate(
        people_count=Count("work_people", filter=Q(work_people__active=True), distinct=True)
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "单位名录.xlsx",
            "单位名录",
            ["单位名称", "单位类型", "所属区划", "上级单位", "统一社会信用代码", "加挂牌子", "状态", "在职人数"],
            (
                (
                    u.name,
                    u.get_kind_display(),
                    u.region.name,
                    u.parent.name if u.parent_id else "",
                    u.credit_code or "",
                    "、".join(p.name for p in u.plaques.all() if not p.removed_on),
                    u.get_status_display(),
                    u.people_count,
                )
                for u in qs.select_related("parent").prefetch_related("plaques")
            ),
        )
    unit_list = list(qs.prefetch_related("plaques"))
    context = {"form": form, "filtered": filtered, "can_add": user.can(Perm.CHANGE_UNIT)}
    if filtered:
        context["unit_list"] = unit_list
    else:
        # Ancestors outside the scope give the tree its shape; they are shown as plain names.
        present = {u.pk for u in unit_list}
        missing = {a for u in unit_list for a in u.ancestor_ids()} - present
        context_units = list(Unit.objects.filter(pk__in=missing).order_by("path"))
        for u in context_units:
            u.context_only = True
        for u in unit_list:
            # The top of the user's own part of the tree starts expanded.
            u.expanded = u.parent_id not in present
        all_units = sorted(unit_list + context_units, key=lambda u: (u.sort, u.pk))
        context["by_parent"] = by_parent = _tree(all_units)
        context["roots"] = by_parent[None]
    return render(request, "orgs/units.html", context)


@require_perm(Perm.VIEW_ORGS)
def unit_detail(request, pk):
    user = request.user
    unit = get_unit_for_user(user, pk)
    today = timezone.localdate()
    posts = Post.objects.filter(unit=unit).order_by("sort", "id")
    duties = duties_on(posts, today)
    visible_people = Person.objects.visible_to(user).active()
    workers = visible_people.filter(work_unit=unit).select_related("quota_unit").order_by("id")
    quota_elsewhere = visible_people.filter(quota_unit=unit).exclude(work_unit=unit).select_related("work_unit")
    children = Unit.objects.visible_to(user).filter(parent=unit).order_by("sort", "id")
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "plaques": unit.plaques.all(),
            "events": unit.events.select_related("related_unit", "by"),
            "posts": [(p, duties[p.pk]) for p in posts],
            "workers": workers,
            "quota_elsewhere": quota_elsewhere,
            "children": children,
            "merged_units": unit.merged_units.all(),
            "can_change": user.can(Perm.CHANGE_UNIT)
            and Unit.objects.visible_to(user, Perm.CHANGE_UNIT).filter(pk=unit.pk).exists(),
            "can_post": user.can(Perm.CHANGE_POST)
            and Unit.objects.visible_to(user, Perm.CHANGE_POST).filter(pk=unit.pk).exists(),
            "plaque_form": PlaqueForm(),
            "can_staffing": user.can(Perm.VIEW_STAFFING),
            "today": today,
        },
    )


@require_perm(Perm.CHANGE_UNIT)
def unit_create(request):
    user = request.user
    initial = {}
    if request.GET.get("parent"):
        parent = get_unit_for_user(user, request.GET["parent"], write=True)
        initial = {"parent": parent, "region": parent.region}
    form = UnitForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = run_action(form, actions.create_unit, by=user, **form.cleaned_data)
        if unit:
            messages.success(request, f"已新增单位“{unit.name}”。")
            return redirect(unit)
    return render(request, "orgs/unit_form.html", {"form": form, "title": "新增单位"})


@require_perm(Perm.CHANGE_UNIT)
def unit_edit(request, pk):
    user = request.user
    unit = get_unit_for_user(user, pk, write=True)
    if not unit.is_active:
        messages.error(request, f"“{unit.name}”{unit.get_status_display()}，不能再修改。")
        return redirect(unit)  # the action refuses too; this only spares the user a form they cannot submit
    form = UnitForm(request.POST or None, user=user, instance=unit)
    form.fields["parent"].queryset = form.fields["parent"].queryset.exclude(path__startswith=unit.path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = run_action(form, actions.update_unit, Unit.objects.get(pk=pk), by=user, **data)
        if updated:
            messages.success(request, "单位信息已保存。")
            return redirect(updated)
    return render(request, "orgs/unit_form.html", {"form": form, "title": f"修改单位：{unit.name}", "unit": unit})


@require_POST
@require_perm(Perm.CHANGE_UNIT)
def plaque_add(request, pk):
    unit = get_unit_for_user(request.user, pk, write=True)
    form = PlaqueForm(request.POST)
    if form.is_valid() and run_action(form, actions.add_plaque, unit, by=request.user, **form.cleaned_data):
        messages.success(request, f"已加挂“{form.cleaned_data['name']}”牌子。")
    else:
        messages.error(request, "加挂牌子失败：" + "；".join(e for errs in form.errors.values() for e in errs))
    return redirect(unit)


@require_POST
@require_perm(Perm.CHANGE_UNIT)
def plaque_remove(request, pk, plaque_pk):
    unit = get_unit_for_user(request.user, pk, write=True)
    plaque = get_object_or_404(unit.plaques, pk=plaque_pk)
    form = PlaqueForm()
    if run_action(form, actions.remove_plaque, plaque, by=request.user):
        messages.success(request, f"已摘除“{plaque.name}”牌子。")
    else:
        messages.error(request, "；".join(form.non_field_errors()))
    return redirect(unit)


@require_perm(Perm.CHANGE_UNIT)
def unit_end(request, pk):
    user = request.user
    unit = get_unit_for_user(user, pk, write=True)
    form = UnitEndForm(request.POST or None, user=user, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["action"] == "merge":
            done = run_action(
                form,
                actions.merge_unit,
                unit,
                into=data["into"],
                on=data["on"],
                document_no=data["document_no"],
                by=user,
            )
        else:
            done = run_action(form, actions.revoke_unit, unit, on=data["on"], document_no=data["document_no"], by=user)
        if done:
            messages.success(request, f"“{unit.name}”{done.get_status_display()}。")
            return redirect(done)
    return render(request, "orgs/unit_end.html", {"form": form, "unit": unit})


# ---- people --------------------------------------------------------------------------------------


def _filtered_people(request):
    user = request.user
    form = PeopleFilterForm(request.GET or None, user=user)
    qs = Person.objects.visible_to(user).select_related("work_unit", "quota_unit")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(name__icontains=data["q"]) | Q(position__icontains=data["q"]))
        if data["unit"]:
            subtree = Unit.objects.subtree_of(data["unit"]).values("pk")
            qs = qs.filter(Q(work_unit__in=subtree) | Q(quota_unit__in=subtree))
        if data["staffing_kind"]:
            qs = qs.filter(staffing_kind=data["staffing_kind"])
        if data["separated"]:
            qs = qs.separated()
    if not (form.is_valid() and form.cleaned_data["inactive"]):
        qs = qs.active()
    return form, qs.order_by("work_unit__path", "id")


@require_perm(Perm.VIEW_ORGS)
def people(request):
    form, qs = _filtered_people(request)
    if request.GET.get("export") == "xlsx":
        # Exports carry masked identifiers only: full values are revealed one at a time, with a log entry.
        return xlsx_response(
            "人员名册.xlsx",
            "人员名册",
            [
                "姓名",
                "性别",
                "出生日期",
                "身份证号（脱敏）",
                "手机号（脱敏）",
                "编制类型",
                "编制所在单位",
                "工作单位",
                "人编分离",
                "职务",
            ],
            (
                (
                    p.name,
                    p.sex,
                    p.birth_date,
                    p.masked_id_number,
                    p.masked_phone,
                    p.get_staffing_kind_display(),
                    p.quota_unit.name if p.quota_unit_id else "",
                    p.work_unit.name,
                    "是" if p.is_separated else "",
                    p.position,
                )
                for p in qs
            ),
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/people.html",
        {
            "form": form,
            "page": page,
            "querystring_base": querystring_base(request),
            "can_add": request.user.can(Perm.CHANGE_PERSON),
        },
    )


@require_perm(Perm.VIEW_ORGS)
def person_detail(request, pk):
    user = request.user
    person = get_person_for_user(user, pk)
    holdings = person.post_holdings.select_related("post__unit")
    absences = person.absences.all()[:20]
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "holdings": holdings,
            "absences": absences,
            "can_reveal": can_see_pii(user, person),
            "can_staffing": user.can(Perm.VIEW_STAFFING),
            "can_change": user.can(Perm.CHANGE_PERSON)
            and Person.objects.visible_to(user, Perm.CHANGE_PERSON).filter(pk=person.pk).exists(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@require_perm(Perm.VIEW_PERSON_PII)
def person_reveal(request, pk, field):
    person = get_person_for_user(request.user, pk)
    if not can_see_pii(request.user, person):
        raise PermissionDenied("您没有查看此人完整信息的权限。")
    if field not in ("id_number", "phone"):
        raise Http404
    value = actions.reveal_person_pii(person, field=field, by=request.user)
    return HttpResponse(
        f'<span class="pii" data-testid="pii-{field}">{value}</span> <span class="badge text-bg-warning">已留痕</span>'
    )


@require_perm(Perm.CHANGE_PERSON)
def person_create(request):
    user = request.user
    initial = {}
    if request.GET.get("unit"):
        unit = get_unit_for_user(user, request.GET["unit"])
        initial = {"work_unit": unit, "quota_unit": unit}
    form = PersonForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = run_action(form, actions.create_person, by=user, **form.cleaned_data)
        if person:
            messages.success(request, f"已新增人员“{person.name}”。")
            return redirect(person)
    return render(request, "orgs/person_form.html", {"form": form, "title": "新增人员"})


@require_perm(Perm.CHANGE_PERSON)
def person_edit(request, pk):
    user = request.user
    person = get_person_for_user(user, pk, write=True)
    form = PersonForm(request.POST or None, user=user, instance=person)
    if request.method == "POST" and form.is_valid():
        updated = run_action(form, actions.update_person, Person.objects.get(pk=pk), by=user, **form.cleaned_data)
        if updated:
            messages.success(request, "人员信息已保存。")
            return redirect(updated)
    return render(
        request, "orgs/person_form.html", {"form": form, "title": f"修改人员：{person.name}", "person": person}
    )


# ---- posts ---------------------------------------------------------------------------------------


@require_perm(Perm.VIEW_ORGS)
def posts(request):
    user = request.user
    qs = Post.objects.visible_to(user).select_related("unit").filter(active=True)
    unit = None
    if request.GET.get("unit"):
        unit = get_unit_for_user(user, request.GET["unit"])
        qs = qs.filter(unit__in=Unit.objects.subtree_of(unit).values("pk"))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(unit__name__icontains=q) | Q(holders__person__name__icontains=q)
        ).distinct()
    day = _parse_day(request.GET.get("at")) or timezone.localdate()
    qs = qs.order_by("unit__path", "sort", "id").prefetch_related("holders__person")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    duties = duties_on(Post.objects.filter(pk__in=[p.pk for p in page]), day)
    return render(
        request,
        "orgs/posts.html",
        {
            "page": page,
            "rows": [(p, duties[p.pk]) for p in page],
            "unit": unit,
            "q": q,
            "day": day,
            "querystring_base": querystring_base(request),
        },
    )


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_perm(Perm.VIEW_ORGS)
def post_detail(request, pk):
    user = request.user
    post = get_post_for_user(user, pk)
    at_raw = request.GET.get("at", "")
    day = _parse_day(at_raw)
    if at_raw and day is None:
        messages.error(request, f"日期“{at_raw}”格式不正确，应为 年-月-日，如 2026-11-21。已按今天查询。")
    day = day or timezone.localdate()
    duty = on_duty(post, day)
    holders = list(post.holders.select_related("person__work_unit"))
    today = timezone.localdate()
    upcoming = (
        Absence.objects.filter(person__in=[h.person_id for h in holders], end_date__gte=today)
        .select_related("person")
        .order_by("start_date")
    )
    return render(
        request,
        "orgs/post_detail.html",
        {
            "post": post,
            "duty": duty,
            "day": day,
            "holders": holders,
            "upcoming": upcoming,
            "can_change": user.can(Perm.CHANGE_POST)
            and Post.objects.visible_to(user, Perm.CHANGE_POST).filter(pk=post.pk).exists(),
        },
    )


@require_perm(Perm.CHANGE_POST)
def post_create(request):
    user = request.user
    unit = get_unit_for_user(user, request.GET.get("unit") or request.POST.get("unit"))
    if not Unit.objects.visible_to(user, Perm.CHANGE_POST).filter(pk=unit.pk).exists():
        raise PermissionDenied("您不能在此单位设置岗位。")
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        post = run_action(
            form,
            actions.create_post,
            unit,
            name=data["name"],
            duties=data["duties"],
            takes_cases=data["takes_cases"],
            by=user,
        )
        if post:
            messages.success(request, f"已新增岗位“{post.name}”，请设置A岗和B岗人员。")
            return redirect("orgs:post_holders", post.pk)
    return render(request, "orgs/post_form.html", {"form": form, "unit": unit, "title": f"新增岗位：{unit.name}"})


@require_perm(Perm.CHANGE_POST)
def post_edit(request, pk):
    user = request.user
    post = get_post_for_user(user, pk, write=True)
    form = PostForm(
        request.POST or None,
        initial={"name": post.name, "duties": post.duties, "active": post.active, "takes_cases": post.takes_cases},
    )
    if request.method == "POST" and form.is_valid():
        if run_action(form, actions.update_post, post, by=user, **form.cleaned_data):
            messages.success(request, "岗位已保存。")
            return redirect(post)
    return render(
        request,
        "orgs/post_form.html",
        {"form": form, "unit": post.unit, "post": post, "title": f"修改岗位：{post.name}"},
    )


@require_perm(Perm.CHANGE_POST)
def post_holders(request, pk):
    user = request.user
    post = get_post_for_user(user, pk, write=True)
    current = {h.label: h.person for h in post.holders.select_related("person")}
    initial = {"a": current.get("A岗"), "b1": current.get("B岗1"), "b2": current.get("B岗2")}
    form = HoldersForm(request.POST or None, user=user, post=post, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (
            run_action(form, actions.set_post_holders, post, a=data["a"], bs=[data["b1"], data["b2"]], by=user)
            is not None
        ):
            messages.success(request, "AB岗人员已保存。")
            return redirect(post)
    return render(request, "orgs/post_holders.html", {"form": form, "post": post})


# ---- absences ------------------------------------------------------------------------------------


@require_perm(Perm.VIEW_ORGS)
def absences(request):
    user = request.user
    today = timezone.localdate()
    when = request.GET.get("when", "current")
    qs = Absence.objects.visible_to(user).select_related("person__work_unit", "created_by")
    if when == "current":
        qs = qs.filter(end_date__gte=today).order_by("start_date", "id")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(person__work_unit__name__icontains=q))
    can_add = user.can(Perm.CHANGE_ABSENCE)
    form = AbsenceForm(request.POST or None, user=user) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("您的角色不能登记请假外出。")
        if form.is_valid():
            data = form.cleaned_data
            if run_action(form, actions.record_absence, data.pop("person"), by=user, **data):
                messages.success(request, "已登记。")
                return redirect("orgs:absences")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/absences.html",
        {
            "page": page,
            "form": form,
            "when": when,
            "q": q,
            "today": today,
            "querystring_base": querystring_base(request),
        },
    )


@require_POST
@require_perm(Perm.CHANGE_ABSENCE)
def absence_cancel(request, pk):
    absence = get_absence_for_user(request.user, pk, write=True)
    actions.cancel_absence(absence, by=request.user)
    messages.success(request, f"已撤销{absence.person.name}的{absence.get_kind_display()}登记。")
    return redirect("orgs:absences")


# ---- coverage gaps -------------------------------------------------------------------------------


@require_perm(Perm.VIEW_ORGS)
def gaps(request):
    user = request.user
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else {"start": today, "end": today + timedelta(days=13)}
    form = DateRangeForm(data, user=user)
    result = []
    if form.is_valid():
        posts = Post.objects.visible_to(user)
        if form.cleaned_data["unit"]:
            posts = posts.filter(unit__in=Unit.objects.subtree_of(form.cleaned_data["unit"]).values("pk"))
        result = coverage_gaps(posts, form.cleaned_data["start"], form.cleaned_data["end"])
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                "在岗缺口.xlsx",
                "在岗缺口",
                ["单位", "岗位", "开始日期", "结束日期", "工作日数", "原因"],
                ((g.post.unit.name, g.post.name, g.start, g.end, g.workdays, g.reason) for g in result),
            )
    return render(
        request, "orgs/gaps.html", {"form": form, "gaps": result, "querystring_base": querystring_base(request)}
    )
