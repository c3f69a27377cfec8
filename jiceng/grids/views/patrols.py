"""Grid pages: patrols (owned by one helper; fills urlpatterns)."""

urlpatterns: list = []
