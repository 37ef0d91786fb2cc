from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("all/", views.task_list, name="list"),
    path("add/", views.task_add, name="add"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/act/", views.task_act, name="act"),
    path("units/<int:unit_id>/overdue/", views.unit_overdue, name="unit_overdue"),
]
