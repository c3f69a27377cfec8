"""The routing page: model versions with their figures, how auto-dispatch has done, train, roll back, and a
box to try a text."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.cases.figures import routing_figures
from jiceng.lib.errors import DomainError

from . import actions
from .models import RoutingModel, TrainingRequest
from .suggest import can_refine, refine, should_auto_dispatch, suggest


@require_perm(Perm.DISPATCH_CASES)
def models_page(request):
    text = request.GET.get("text", "").strip()[:2000]
    guesses = suggest(text, k=3) if text else []
    refined = refine([text], k=3)[0] if guesses and can_refine() else []
    context = {
        "versions": RoutingModel.objects.select_related("trained_by").defer("blob", "semantic")[:20],
        "training": TrainingRequest.objects.select_related("model", "requested_by").first(),
        "routing": routing_figures(),
        "text": text,
        "guesses": guesses,
        "refined": refined,
        "auto": should_auto_dispatch(guesses) if guesses else False,
        "vague": bool(guesses) and guesses[0].vague,
        "can_manage": request.user.can(Perm.MANAGE_GRIDS),
    }
    if request.htmx and text:
        return render(request, "routing/models.html#trial", context)
    return render(request, "routing/models.html", context)


def _manage(request, action, done: str):
    try:
        model = action(by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done.format(model=model))
    return redirect("routing:models")


@require_POST
@require_perm(Perm.MANAGE_GRIDS)
def train(request):
    _, new = actions.request_training(by=request.user)
    if new:
        messages.success(request, "已提交训练，后台任务约一分钟内完成并启用新版本，本页会自动刷新。")
    else:
        messages.info(request, "已有训练任务在排队或进行中，完成后本页会自动刷新。")
    return redirect("routing:models")


@require_perm(Perm.DISPATCH_CASES)
def training_state(request):
    """Polled by the page while a training is waiting or running; once it ends, the page reloads."""
    latest = TrainingRequest.objects.select_related("model").first()
    if latest is None or not latest.pending:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "routing/models.html#training", {"training": latest})


@require_POST
@require_perm(Perm.MANAGE_GRIDS)
def rollback(request):
    return _manage(request, actions.rollback_routing_model, "已回滚，现用派单模型 v{model.version}。")


app_name = "routing"
urlpatterns = [
    path("", models_page, name="models"),
    path("train/", train, name="train"),
    path("training/", training_state, name="training"),
    path("rollback/", rollback, name="rollback"),
]
