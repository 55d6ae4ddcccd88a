"""The URL map. Project pages live under /projects/<project_slug>/, one include per app."""

from django.contrib import admin
from django.urls import include, path

from heard_web.api.api import api

urlpatterns = [
    path("", include("heard_web.core.urls")),
    path("accounts/", include("heard_web.accounts.urls")),
    path("projects/", include("heard_web.projects.urls")),
    path("projects/<slug:project_slug>/stories/", include("heard_web.stories.urls")),
    path("projects/<slug:project_slug>/analysis/", include("heard_web.analysis.urls")),
    path("projects/<slug:project_slug>/reports/", include("heard_web.reports.urls")),
    path("", include("heard_web.listen.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "heard_web.core.views.error_403"
handler404 = "heard_web.core.views.error_404"
handler500 = "heard_web.core.views.error_500"

admin.site.site_header = "heard: site administration"
admin.site.site_title = "heard"
