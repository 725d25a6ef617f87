from django.urls import path

from kim.proofs.views import proofs

app_name = "proofs"
urlpatterns = [
    path("", proofs.proof_list, name="proof_list"),
    path("land/<str:code>/beginnen/", proofs.land_start, name="land_start"),
    path("vereinbarung/<str:code>/beginnen/", proofs.agreement_start, name="agreement_start"),
    path("<str:code>/", proofs.proof_detail, name="proof_detail"),
    path("<str:code>/bearbeiten/", proofs.proof_edit, name="proof_edit"),
    path("<str:code>/einreichen/", proofs.proof_submit, name="proof_submit"),
    path("<str:code>/wieder-oeffnen/", proofs.proof_reopen, name="proof_reopen"),
    path("<str:code>/pruefung/", proofs.proof_review, name="proof_review"),
    path("<str:code>/freigabe/", proofs.proof_release, name="proof_release"),
    path("<str:code>/nachweis.<str:fmt>", proofs.proof_download, name="proof_download"),
]
