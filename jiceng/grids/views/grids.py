"""Grid pages: grids (owned by one helper; fills urlpatterns)."""

urlpatterns: list = []
