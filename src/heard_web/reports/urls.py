"""/projects/<project_slug>/... pages of the reports app (mounted by heard_web/urls.py).

Name the URLs so the project menu finds them (core/context_processors.PROJECT_NAV).
"""

from django.urls import path  # noqa: F401  (used as views are added)

app_name = "reports"

urlpatterns: list = []
