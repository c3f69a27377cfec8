"""Village agency points (代办点): the agent registers for the villager, who need not travel (一次不跑);
per-point statistics show what each point does — and which points sit idle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.catalog.forms import MatterChoiceField, with_current_names
from jiceng.catalog.lists import service_items
from jiceng.catalog.models import Matter
from jiceng.lib.errors import DomainError
from jiceng.lib.forms import StyledForm, show_error
from jiceng.orgs.models import Unit, UnitKind

from . import actions
from .models import CLOSED_STATUSES, Case, Channel, Consultation

IDLE_DAYS = 30


class AgentForm(StyledForm, forms.Form):
    matter = MatterChoiceField(label="代办事项", queryset=Matter.objects.none())
    requester_name = forms.CharField(label="群众姓名", max_length=50)
    requester_phone = forms.CharField(label="联系电话", max_length=20)
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ConsultForm(StyledForm, forms.Form):
    topic = forms.CharField(label="咨询内容", max_length=200)


@dataclass
class PointStats:
    unit: Unit
    cases: int
    consultations: int
    no_visit_done: int
    last_activity: date | None

    @property
    def idle(self) -> bool:
        return self.last_activity is None or (timezone.localdate() - self.last_activity).days > IDLE_DAYS


def point_stats(units, since: date) -> list[PointStats]:
    """Per point since `since`: 代办件数, 咨询数, 一次不跑办结数, and the last day anything happened there."""
    cases = {
        r["registered_unit"]: r
        for r in Case.objects.filter(channel=Channel.AGENT, registered_unit__in=units, created_at__date__gte=since)
        .values("registered_unit")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=CLOSED_STATUSES)), last=Max("created_at"))
    }
    talks = {
        r["unit"]: r
        for r in Consultation.objects.filter(unit__in=units, at__date__gte=since)
        .values("unit")
        .annotate(n=Count("id"), last=Max("at"))
    }
    out = []
    for unit in units:
        c, t = cases.get(unit.pk, {}), talks.get(unit.pk, {})
        lasts = [timezone.localtime(x).date() for x in (c.get("last"), t.get("last")) if x]
        out.append(PointStats(unit, c.get("n", 0), t.get("n", 0), c.get("done", 0), max(lasts) if lasts else None))
    return out


def _point(user) -> Unit | None:
    return Unit.objects.visible_to(user, Perm.REGISTER_CASES).filter(kind=UnitKind.VILLAGE).active().first()


@require_perm(Perm.REGISTER_CASES)
def agent(request):
    point = _point(request.user)
    q = request.GET.get("q", "").strip()
    items = [v for v in service_items(timezone.localdate(), q) if v.no_visit][:20] if q else []
    matters = Matter.objects.filter(versions__no_visit=True).distinct()
    form = AgentForm(request.POST or None, initial={"matter": request.GET.get("matter")})
    form.fields["matter"].queryset = with_current_names(matters)
    consult = (
        ConsultForm(request.POST or None, prefix="c")
        if request.POST.get("form") == "consult"
        else ConsultForm(prefix="c")
    )
    if request.method == "POST" and point is not None:
        if request.POST.get("form") == "consult" and consult.is_valid():
            Consultation.objects.create(unit=point, topic=consult.cleaned_data["topic"], by=request.user)
            messages.success(request, "已登记咨询。")
            return redirect("cases:agent")
        if request.POST.get("form") == "case" and form.is_valid():
            d = form.cleaned_data
            township = point.region.parent if point.region.level == 5 else point.region
            try:
                with transaction.atomic():  # registered and sent on together, or not at all
                    c = _agent_intake(request, d, point, township)
            except DomainError as e:
                show_error(form, e)
            else:
                messages.success(request, f"已代办并转承办单位，查询码{c.code}。")
                return redirect("cases:agent")
    since = timezone.localdate() - timedelta(days=365)
    points = Unit.objects.visible_to(request.user).filter(kind=UnitKind.VILLAGE).active().order_by("path")
    return render(
        request,
        "cases/agent.html",
        {
            "point": point,
            "form": form,
            "consult": consult,
            "items": items,
            "q": q,
            "stats": point_stats(list(points), since),
            "since": since,
            "mine": Case.objects.filter(registered_unit=point).order_by("-created_at")[:20] if point else [],
        },
    )


def _agent_intake(request, d, point, township) -> Case:
    c, created = actions.register_case(
        channel=Channel.AGENT,
        title=str(d["matter"].current_version().name),
        text=d["note"] or "代办点代办",
        by=request.user,
        unit=point,
        matter=d["matter"],
        township=township,
        village=point.region,
        requester_name=d["requester_name"],
        requester_phone=d["requester_phone"],
        idempotency_key=request.POST.get("idempotency_key") or None,
    )
    if not created:
        return c
    c.visits = 0  # the villager did not have to come: 一次不跑
    c.save(update_fields=["visits"])
    return actions.accept_case(c, by=request.user, unit=point)
