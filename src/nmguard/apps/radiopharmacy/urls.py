from django.urls import path

from nmguard.apps.radiopharmacy import lists, printouts, views

urlpatterns = [
    path("", views.day, name="hotlab"),
    path("batches/", lists.batch_list, name="batch-list"),
    path("generators/", lists.generator_list, name="generator-list"),
    path("elutions/", lists.elution_list, name="elution-list"),
    path("batches/new/", views.batch_new, name="hotlab-batch-new"),
    path("batches/<int:pk>/", views.batch_detail, name="hotlab-batch"),
    path("batches/<int:pk>/tests/", views.batch_test, name="hotlab-batch-test"),
    path("batches/<int:pk>/release/", views.batch_release, name="hotlab-batch-release"),
    path("batches/<int:pk>/dispense/", views.batch_dispense, name="hotlab-batch-dispense"),
    path("generators/<int:pk>/", views.generator_detail, name="hotlab-generator"),
    path("generators/<int:pk>/elute/", views.generator_elute, name="hotlab-elute"),
    path("dispensings/<int:pk>/label.pdf", views.label_pdf, name="hotlab-label"),
    path("deliveries/new/", views.delivery_new, name="hotlab-delivery-new"),
    path("waste/", views.waste, name="hotlab-waste"),
    path("waste/seal/", views.waste_seal, name="hotlab-waste-seal"),
    path("waste/discharges/", views.discharge_new, name="hotlab-discharge"),
    path("waste/<int:pk>/dispose/", views.waste_dispose, name="hotlab-waste-dispose"),
    path("batches/<int:pk>/record/", printouts.batch_record, name="hotlab-batch-record"),
]
