"""/projects/<project_slug>/reports/... pages (mounted by heard_web/urls.py)."""

from django.urls import path

from heard_web.reports.views import exports

app_name = "reports"

urlpatterns = [
    path("", exports.index, name="index"),
    path("exports/", exports.create, name="create"),
    path("exports/<int:export_id>/", exports.show, name="show"),
    path("exports/<int:export_id>/download/", exports.download, name="download"),
]
