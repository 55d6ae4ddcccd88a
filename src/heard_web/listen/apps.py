from django.apps import AppConfig


class ListenConfig(AppConfig):
    name = "heard_web.listen"
    label = "listen"
    verbose_name = "Story form and moderation"
    default_auto_field = "django.db.models.BigAutoField"
