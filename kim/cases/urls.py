"""Case management URLs under ``/fallmanagement/``; each views module lists its own routes."""

from kim.cases.views import (
    activities,
    barriers,
    bookings,
    casefile,
    consent,
    dataprotection,
    formtexts,
    lifecycle,
    persons,
    timeline,
    worklist,
)

app_name = "cases"
urlpatterns = [
    *worklist.urlpatterns,
    *persons.urlpatterns,
    *timeline.urlpatterns,
    *casefile.urlpatterns,
    *lifecycle.urlpatterns,
    *activities.urlpatterns,
    *consent.urlpatterns,
    *barriers.urlpatterns,
    *dataprotection.urlpatterns,
    *formtexts.urlpatterns,
    *bookings.urlpatterns,
]
