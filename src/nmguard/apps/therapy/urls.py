from django.urls import path

from nmguard.apps.therapy import views

urlpatterns = [
    path("", views.courses, name="therapy-courses"),
    path("courses/<int:pk>/", views.course_detail, name="therapy-course"),
    path("courses/<int:pk>/cycles/<int:cycle_pk>/eligibility/", views.eligibility, name="therapy-eligibility"),
    path("courses/<int:pk>/cycles/<int:cycle_pk>/doses/", views.cycle_doses, name="therapy-doses"),
]
