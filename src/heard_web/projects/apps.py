from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "heard_web.projects"
    label = "projects"
    verbose_name = "Projects"
    default_auto_field = "django.db.models.BigAutoField"
