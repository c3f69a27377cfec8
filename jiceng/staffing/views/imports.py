import threading
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import close_old_connections, connections, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import require_perm
from jiceng.accounts.roles import Perm
from jiceng.lib.excel import XLSX

from ..forms import ImportForm
from ..importing import import_staffing
from ..models import ImportJob
from ..workbooks import template_workbook

MAX_SHOWN = 1000  # rows of errors kept for the page; the count says how many there were


def progress_key(job_id: int) -> str:
    return f"staffing-import-{job_id}"


def run_job(job_id: int, *, in_thread: bool = False) -> None:
    """Run one import job; its progress goes to the cache and its result to the row."""
    if in_thread:
        close_old_connections()
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING, stage="读取文件")

    def progress(done, total, stage):
        # The import holds its transaction open; progress goes to the cache where the polling page can see it.
        cache.set(progress_key(job_id), {"done": done, "total": total, "stage": stage}, 3600)

    try:
        result = import_staffing(
            ledger=job.ledger_file.path if job.ledger_file else None,
            roster=job.roster_file.path if job.roster_file else None,
            dry_run=job.dry_run,
            by=job.created_by,
            progress=progress,
        )
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.DONE,
            finished_at=timezone.now(),
            committed=result.committed,
            stage="完成",
            result={
                "errors": [e.__dict__ for e in result.errors[:MAX_SHOWN]],
                "error_count": len(result.errors),
                "warnings": [w.__dict__ for w in result.warnings[:MAX_SHOWN]],
                "warning_count": len(result.warnings),
                "counts": result.counts,
            },
        )
    except Exception as error:  # an unexpected failure is shown on the job page, not lost in a thread
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            result={"errors": [{"sheet": "", "row": "", "column": "", "message": f"导入失败：{error}"}]},
        )
        raise
    finally:
        if in_thread:  # the thread ends here: its connection must not outlive it (it used to, after the last write)
            connections.close_all()


def start_job(job: ImportJob) -> None:
    if settings.STAFFING_IMPORT_INLINE:
        run_job(job.pk)
    else:
        thread = threading.Thread(target=run_job, args=(job.pk,), kwargs={"in_thread": True}, daemon=True)
        transaction.on_commit(thread.start)


@require_perm(Perm.MANAGE_STAFFING)
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = ImportJob.objects.create(
            dry_run=True,
            ledger_file=form.cleaned_data.get("ledger"),
            roster_file=form.cleaned_data.get("roster"),
            created_by=request.user,
        )
        start_job(job)
        return redirect(job)
    jobs = ImportJob.objects.select_related("created_by")[:10]
    return render(request, "staffing/import.html", {"form": form, "jobs": jobs})


@require_perm(Perm.MANAGE_STAFFING)
def import_job(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        live = cache.get(progress_key(job.pk))
        if live:
            job.done, job.total, job.stage = live["done"], live["total"], live["stage"]
    template = "staffing/import_job.html#progress" if request.htmx else "staffing/import_job.html"
    return render(request, template, {"job": job})


@require_POST
@require_perm(Perm.MANAGE_STAFFING)
def import_commit(request, pk):
    checked = get_object_or_404(ImportJob, pk=pk, dry_run=True, status=ImportJob.Status.DONE)
    if checked.result.get("errors"):
        messages.error(request, "预检发现错误，请修改文件后重新上传。")
        return redirect(checked)
    job = ImportJob.objects.create(
        dry_run=False,
        ledger_file=checked.ledger_file.name,
        roster_file=checked.roster_file.name,
        created_by=request.user,
    )
    start_job(job)
    return redirect(job)


@require_perm(Perm.MANAGE_STAFFING)
def import_template(request, kind):
    names = {"ledger": "编制台账模板", "roster": "花名册模板"}
    if kind not in names:
        return redirect("staffing:import")
    response = HttpResponse(template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(names[kind])}.xlsx"
    return response
