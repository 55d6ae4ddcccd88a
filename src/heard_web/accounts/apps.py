from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "heard_web.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from heard_web.accounts import signals  # noqa: F401  (connects the receivers)
