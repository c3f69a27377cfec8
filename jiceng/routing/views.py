"""The routing page: model versions with their figures, how auto-dispatch has done, train, roll back, and a
box to try a text."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.cases.figures import routing_figures
from jiceng.lib.errors import DomainError

from . import actions
from .models import RoutingModel
from .suggest import should_auto_dispatch, suggest


@require_perm(Perm.DISPATCH_CASES)
def models_page(request):
    text = request.GET.get("text", "").strip()[:2000]
    guesses = suggest(text, k=3) if text else []
    context = {
        "versions": RoutingModel.objects.select_related("trained_by").defer("blob")[:20],
        "routing": routing_figures(),
        "text": text,
        "guesses": guesses,
        "auto": should_auto_dispatch(guesses) if guesses else False,
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
    return _manage(
        request,
        lambda by: actions.train_routing_model(by=by, reason="手动"),
        "已训练并启用派单模型 v{model.version}（样本{model.training_size}条）。",
    )


@require_POST
@require_perm(Perm.MANAGE_GRIDS)
def rollback(request):
    return _manage(request, actions.rollback_routing_model, "已回滚，现用派单模型 v{model.version}。")


app_name = "routing"
urlpatterns = [
    path("", models_page, name="models"),
    path("train/", train, name="train"),
    path("rollback/", rollback, name="rollback"),
]
