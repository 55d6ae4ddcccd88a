"""/projects/...: a project's own pages; other apps mount theirs under /projects/<slug>/ too."""

from django.urls import path

from heard_web.projects.views import audit, members, projects

app_name = "projects"

urlpatterns = [
    path("", projects.index, name="index"),
    path("new/", projects.new, name="new"),
    path("<slug:project_slug>/", projects.show, name="show"),
    path("<slug:project_slug>/settings/", projects.settings, name="settings"),
    path("<slug:project_slug>/audit/", audit.index, name="audit"),
    path("<slug:project_slug>/members/", members.index, name="members"),
    path("<slug:project_slug>/members/add/", members.create, name="member_create"),
    path("<slug:project_slug>/members/<int:member_id>/role/", members.update, name="member_update"),
    path(
        "<slug:project_slug>/members/<int:member_id>/remove/", members.delete, name="member_delete"
    ),
]
