"""People already on a quota before the ledger existed get an open placement (台账导入) from their record date."""

from django.db import migrations

QUOTA_OF_STAFFING = {"administrative": "administrative", "institutional": "institutional", "service": "service"}


def backfill(apps, schema_editor):
    Person = apps.get_model("orgs", "Person")
    Placement = apps.get_model("staffing", "Placement")
    placed = set(Placement.objects.filter(end_on__isnull=True).values_list("person_id", flat=True))
    Placement.objects.bulk_create(
        Placement(
            person_id=p.pk, unit_id=p.quota_unit_id, kind=QUOTA_OF_STAFFING[p.staffing_kind],
            start_on=p.created_at.date(), entry_kind="initial",
        )
        for p in Person.objects.filter(active=True, quota_unit__isnull=False, staffing_kind__in=QUOTA_OF_STAFFING)
        if p.pk not in placed
    )


class Migration(migrations.Migration):
    dependencies = [("staffing", "0001_initial")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
