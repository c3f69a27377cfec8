from django.apps import AppConfig


class OrgsConfig(AppConfig):
    """Regions, units and their plaques and history, people, posts with A/B holders, and absences."""

    name = "jiceng.orgs"
    verbose_name = "区划与机构人员"
