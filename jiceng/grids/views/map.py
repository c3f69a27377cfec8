"""Grid pages: map (owned by one helper; fills urlpatterns)."""

urlpatterns: list = []
