from django.urls import path

from . import views, views_webhooks

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notice, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="settings"),
    path("webhooks/", views_webhooks.webhook_list, name="webhooks"),
    path("webhooks/add/", views_webhooks.webhook_add, name="webhook_add"),
    path("webhooks/<int:pk>/", views_webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/edit/", views_webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/test/", views_webhooks.webhook_test, name="webhook_test"),
    path("webhooks/<int:pk>/secret/", views_webhooks.webhook_secret, name="webhook_secret"),
    path("webhooks/<int:pk>/delete/", views_webhooks.webhook_delete, name="webhook_delete"),
    path("webhooks/notices/<int:pk>/retry/", views_webhooks.event_retry, name="event_retry"),
]
