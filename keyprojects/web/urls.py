from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

app_name = "web"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:list"), name="home"),
    path("units/", views.unit_list, name="units"),
    path("audit/", views.audit_list, name="audit"),
    path("account/tokens/", views.token_list, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

# Sign-in pages and the language switch live outside the namespace, where Django expects them.
account_urls = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
]
