from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "heard_web.reports"
    label = "reports"
    verbose_name = "Reports and downloads"
    default_auto_field = "django.db.models.BigAutoField"
