from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.forms import querystring_base, run_action

from .. import actions
from ..access import get_move_for_user
from ..forms import MoveForm, RecordMoveForm
from ..models import QuotaMove, QuotaPool
from ..seats import account_seats


def _pool():
    return QuotaPool.objects.order_by("pk").first()


@require_perm(Perm.VIEW_STAFFING)
def moves(request):
    qs = QuotaMove.objects.visible_to(request.user).select_related(
        "source__unit", "source__pool", "target__unit", "target__pool"
    )
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/moves.html",
        {
            "page": page,
            "status": status,
            "statuses": QuotaMove.Status.choices,
            "querystring_base": querystring_base(request),
            "can_manage": request.user.can(Perm.MANAGE_STAFFING),
        },
    )


@require_perm(Perm.MANAGE_STAFFING)
def move_new(request):
    form = MoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        pool = _pool()
        if (d["source_pool"] or d["target_pool"]) and pool is None:
            form.add_error(None, "尚未设立编制周转池，请系统管理员在后台建立。")
        else:
            source = actions.get_account(pool if d["source_pool"] else d["source_unit"], d["kind"])
            target = actions.get_account(pool if d["target_pool"] else d["target_unit"], d["kind"])
            move_type = d["move_type"] or actions.default_move_type(source.holder, target.holder)
            move = run_action(
                form,
                actions.draft_move,
                source,
                target,
                amount=d["amount"],
                move_type=move_type,
                note=d["note"],
                by=request.user,
            )
            if move:
                messages.success(request, "调剂草稿已拟定，请填写批准文号后执行。")
                return redirect(move)
    return render(request, "staffing/move_form.html", {"form": form})


@require_perm(Perm.VIEW_STAFFING)
def move_detail(request, pk):
    move = get_move_for_user(request.user, pk)
    form = RecordMoveForm(request.POST or None)
    if request.method == "POST":
        move = get_move_for_user(request.user, pk, write=True)
        if form.is_valid():
            d = form.cleaned_data
            done = run_action(
                form,
                actions.record_move,
                move,
                on=d["on"],
                document_no=d["document_no"],
                allow_overstaffing=d["allow_overstaffing"],
                by=request.user,
            )
            if done:
                messages.success(request, "调剂已执行，两个单位的编制台账已各记一笔。")
                return redirect(done)
    day = move.on or timezone.localdate()
    return render(
        request,
        "staffing/move_detail.html",
        {
            "move": move,
            "form": form,
            "source_seats": account_seats(move.source, day),
            "target_seats": account_seats(move.target, day),
            "can_manage": request.user.can(Perm.MANAGE_STAFFING),
            "entries": move.entries.select_related("account"),
        },
    )


@require_POST
@require_perm(Perm.MANAGE_STAFFING)
def move_cancel(request, pk):
    move = get_move_for_user(request.user, pk, write=True)
    form = RecordMoveForm()
    if run_action(form, actions.cancel_move, move, by=request.user):
        messages.info(request, "调剂草稿已作废。")
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(move)
