from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ofelia.notifications"
    label = "notifications"
    verbose_name = "Courriels"
