"""/projects/<project_slug>/stories/... pages: the story list and pages, and imports.

Named so the project menu finds them (core/context_processors.PROJECT_NAV): ``stories:index``
and ``stories:imports``.
"""

from django.urls import path

from heard_web.stories.views import erasure, imports, stories

app_name = "stories"

urlpatterns = [
    path("", stories.index, name="index"),
    path("<int:story_id>/", stories.show, name="show"),
    path("<int:story_id>/erase/", erasure.delete, name="delete"),
    path("<int:story_id>/original/", erasure.original, name="original"),
    path("imports/", imports.index, name="imports"),
    path("imports/new/", imports.create, name="import_create"),
    path("imports/<int:job_id>/", imports.show, name="import_show"),
    path("imports/<int:job_id>/preview/", imports.edit, name="import_preview"),
    path("imports/<int:job_id>/sheet/", imports.sheet, name="import_sheet"),
    path("imports/<int:job_id>/cancel/", imports.delete, name="import_delete"),
]
