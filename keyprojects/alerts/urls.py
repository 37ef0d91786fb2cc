from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("rules/", views.rule_list, name="rules"),
    path("evaluate/", views.evaluate_now, name="evaluate"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/act/", views.alert_act, name="act"),
]
