from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("<int:pk>/schedule/", views.schedule_page, name="page"),
    path("<int:pk>/schedule/import/", views.schedule_upload, name="import"),
    path("<int:pk>/schedule/export.<str:fmt>", views.schedule_download, name="export"),
    path("<int:pk>/schedule/dates/", views.schedule_dates, name="dates"),
    path("<int:pk>/schedule/baseline/", views.baseline_create, name="baseline"),
    path("<int:pk>/schedule/new/", views.schedule_new, name="new"),
    path("<int:pk>/schedule/calendars/", views.calendars, name="calendars"),
    path("<int:pk>/schedule/activities/add/", views.activity_new, name="activity_add"),
    path("<int:pk>/schedule/activities/<int:activity_id>/", views.activity_edit, name="activity"),
    path(
        "<int:pk>/schedule/activities/<int:activity_id>/delete/",
        views.activity_remove,
        name="activity_delete",
    ),
    path("<int:pk>/schedule/relations/add/", views.relation_new, name="relation_add"),
    path(
        "<int:pk>/schedule/relations/<int:relation_id>/delete/",
        views.relation_remove,
        name="relation_delete",
    ),
]
