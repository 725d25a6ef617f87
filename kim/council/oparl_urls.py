"""OParl 1.1 routes (``/oparl/v1/``): English path segments, as OParl clients expect."""

from django.urls import path

from kim.council.views import oparl

app_name = "oparl"
urlpatterns = [
    path("", oparl.system, name="system"),
    path("bodies/", oparl.body_list, name="body_list"),
    path("bodies/<str:code>/", oparl.body_detail, name="body"),
    path(
        "bodies/<str:code>/<slug:kind>/",
        oparl.body_sublist,
        name="body_sublist",
    ),
    path("organizations/<str:code>/", oparl.organization_detail, name="organization"),
    path("meetings/<str:code>/", oparl.meeting_detail, name="meeting"),
    path("agenda-items/<str:code>/", oparl.agenda_item_detail, name="agenda_item"),
    path("papers/<str:code>/", oparl.paper_detail, name="paper"),
    path("consultations/<str:code>/", oparl.consultation_detail, name="consultation"),
    path("files/<str:code>/", oparl.file_detail, name="file"),
    path("files/<str:code>/access", oparl.file_access, name="file_access"),
    path("files/<str:code>/download", oparl.file_download, name="file_download"),
]
