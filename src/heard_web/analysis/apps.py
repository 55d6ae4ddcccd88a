from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "heard_web.analysis"
    label = "analysis"
    verbose_name = "Analysis and themes"
    default_auto_field = "django.db.models.BigAutoField"
