from django.contrib.auth import views as auth_views
from django.urls import path

from nmguard.apps.core import audit_views, reference_status, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("audit/", audit_views.audit_trail, name="audit"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/role-change/", views.request_role_change, name="role-change-request"),
    path("role-changes/", views.role_change_list, name="role-changes"),
    path("role-changes/<int:pk>/decide/", views.decide_role_change, name="role-change-decide"),
    path("reference/unverified/", reference_status.unverified, name="reference-unverified"),
]
