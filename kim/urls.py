from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from kim.accounts import views as account_views
from kim.core import views as core_views

admin.site.site_header = "KIM-Plattform – Administration"

urlpatterns = [
    path("", include("kim.home.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (admin, API, files).
    # Resolved per request: with the hashed static names of production, the URL changes.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("kim/favicon.ico"), permanent=False),
        name="favicon",
    ),
    path("konto/sitzungen/", account_views.sessions, name="account_sessions"),
    path("konto/sitzung/status/", account_views.session_status, name="session_status"),
    path("konto/sitzung/verlaengern/", account_views.session_keep_alive, name="session_keep_alive"),
    path("konto/", include("allauth.urls")),
    path("auftraege/", include("kim.core.urls")),
    path("betrieb/schluessel/", core_views.key_rotation, name="key_rotation"),
    path(
        "betrieb/schluessel/probelauf/",
        core_views.key_rotation_dry_run,
        name="key_rotation_dry_run",
    ),
    path("betrieb/schluessel/rotieren/", core_views.key_rotation_start, name="key_rotation_start"),
    path("rollen/", include("kim.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organisationen/", include("kim.organisations.urls")),
    path("audit/", include("kim.audit.urls")),
    path("programm/", include("kim.programmes.urls")),
    path("partner/", include("kim.partners.urls")),
    path("rat/", include("kim.council.urls")),
    path("fallmanagement/", include("kim.cases.urls")),
    path("screening/", include("kim.screening.urls")),
    path("steuerung/", include("kim.steering.urls")),
    path("verwendungsnachweis/", include("kim.proofs.urls")),
    path("verwendungsnachweis/", include("kim.proofs.urls_sachbericht")),  # D-087
    path("netzwerk/", include("kim.network.urls")),
    path("hilfenetz/", include("kim.network.public.urls")),  # public, no login (D-089)
    path("oparl/v1/", include("kim.council.oparl_urls")),
    path("api/v1/", include("kim.api_urls")),
    path("verwaltung/", admin.site.urls),
]

handler403 = "kim.core.views.error_403"
handler404 = "kim.core.views.error_404"
handler500 = "kim.core.views.error_500"
