"""Grid pages. Each views module lists its own routes: the register, the map, 多网合一 and patrols."""

from jiceng.grids.views import grids, map, merge, patrols

app_name = "grids"
urlpatterns = [*grids.urlpatterns, *map.urlpatterns, *merge.urlpatterns, *patrols.urlpatterns]
