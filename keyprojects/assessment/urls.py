from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.period_list, name="list"),
    path("periods/add/", views.period_add, name="period_add"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/close/", views.period_close, name="close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="reopen"),
    path("periods/<int:pk>/delete/", views.period_delete, name="period_delete"),
    path("periods/<int:pk>/units/<int:unit_id>/", views.unit_score, name="unit"),
    path("periods/<int:pk>/projects/<int:project_id>/", views.project_score, name="project"),
    path("sets/", views.set_list, name="sets"),
    path("sets/add/", views.set_edit, name="set_add"),
    path("sets/<int:pk>/", views.set_edit, name="set"),
    path("sets/<int:pk>/delete/", views.set_delete, name="set_delete"),
]
