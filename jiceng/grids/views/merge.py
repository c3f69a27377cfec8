"""Grid pages: merge (owned by one helper; fills urlpatterns)."""

urlpatterns: list = []
