"""The story form: public pages under /tell/<slug>/, the team's under /projects/<slug>/listen/."""

from django.urls import path

from heard_web.listen.views import public, team

app_name = "listen"

urlpatterns = [
    path("tell/<slug:project_slug>/", public.show, name="form"),
    path("tell/<slug:project_slug>/privacy/", public.privacy, name="privacy"),
    path("tell/<slug:project_slug>/withdraw/", public.withdraw, name="withdraw"),
    path("projects/<slug:project_slug>/listen/", team.index, name="index"),
    path("projects/<slug:project_slug>/listen/settings/", team.edit, name="edit"),
    path(
        "projects/<slug:project_slug>/listen/<int:story_id>/moderate/",
        team.update,
        name="update",
    ),
]
