from django.db import migrations

PATH_DIGITS = 8


def pad_paths(apps, schema_editor):
    Unit = apps.get_model("orgs", "Unit")
    for unit in Unit.objects.all():
        parts = [p for p in unit.path.strip("/").split("/") if p]
        unit.path = "/" + "".join(f"{int(p):0{PATH_DIGITS}d}/" for p in parts)
        unit.save(update_fields=["path"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_region_level_default")]
    operations = [migrations.RunPython(pad_paths, migrations.RunPython.noop)]
