from django.urls import path

from . import views, views_visits

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/add/", views.meeting_add, name="add"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/act/", views.meeting_act, name="act"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/agenda/<int:item_id>/", views.agenda_item_act, name="agenda_item"),
    path("meetings/<int:pk>/attendance/", views.attendance_add, name="attendance_add"),
    path("meetings/<int:pk>/attendance/mark/", views.attendance_mark, name="attendance_mark"),
    path(
        "meetings/<int:pk>/attendance/<int:row_id>/remove/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    path("meetings/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("meetings/<int:pk>/decisions/<int:decision_id>/", views.decision_edit, name="decision"),
    path("visits/", views_visits.visit_list, name="visits"),
    path("visits/add/", views_visits.visit_add, name="visit_add"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", views_visits.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", views_visits.visit_delete, name="visit_delete"),
    path("visits/<int:pk>/stops/", views_visits.stop_add, name="stop_add"),
    path("visits/<int:pk>/stops/<int:stop_id>/", views_visits.stop_edit, name="stop"),
    path("visits/<int:pk>/stops/<int:stop_id>/act/", views_visits.stop_act, name="stop_act"),
    path("visits/<int:pk>/stops/<int:stop_id>/photos/", views_visits.photo_upload, name="photos"),
    path(
        "visits/<int:pk>/photos/<int:photo_id>/remove/",
        views_visits.photo_remove,
        name="photo_remove",
    ),
    path("visits/<int:pk>/instructions/add/", views_visits.instruction_add, name="instruction_add"),
]
