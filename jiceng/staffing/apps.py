from django.apps import AppConfig


class StaffingConfig(AppConfig):
    """机构编制: the quota ledger, hiring approvals, placements, vacancy reports and reorganisation plans."""

    name = "jiceng.staffing"
    verbose_name = "机构编制"
