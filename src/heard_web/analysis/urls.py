"""/projects/<project_slug>/analysis/... pages (mounted by heard_web/urls.py)."""

from django.urls import path

from heard_web.analysis.views import runs, themes

app_name = "analysis"

urlpatterns = [
    path("", runs.index, name="index"),
    path("runs/", runs.create, name="run_create"),
    path("runs/<int:run_id>/", runs.show, name="run_show"),
    path("themes/merge/", themes.merge, name="theme_merge"),
    path("themes/<str:key>/", themes.show, name="theme_show"),
    path("themes/<str:key>/rename/", themes.rename, name="theme_rename"),
    path("themes/<str:key>/pin/", themes.pin, name="theme_pin"),
    path("themes/<str:key>/split/", themes.split, name="theme_split"),
    path("themes/<str:key>/move/", themes.move, name="theme_move"),
]
