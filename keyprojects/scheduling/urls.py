from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("<int:pk>/schedule/", views.schedule_page, name="page"),
    path("<int:pk>/schedule/import/", views.schedule_upload, name="import"),
    path("<int:pk>/schedule/export.<str:fmt>", views.schedule_download, name="export"),
    path("<int:pk>/schedule/dates/", views.schedule_dates, name="dates"),
    path("<int:pk>/schedule/baseline/", views.baseline_create, name="baseline"),
    path("<int:pk>/schedule/activities/<int:activity_id>/", views.activity_edit, name="activity"),
]
