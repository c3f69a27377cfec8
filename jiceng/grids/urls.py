"""Grid pages. Each views module lists its own routes, so the map, the grid register, 多网合一 and patrols stay apart."""

from jiceng.grids.views import grids, map, merge, patrols

app_name = "grids"
urlpatterns = [*grids.urlpatterns, *map.urlpatterns, *merge.urlpatterns, *patrols.urlpatterns]
