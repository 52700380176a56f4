from django.contrib import admin
from django.urls import include, path

from ofelia.api import api
from ofelia.core.metrics import metrics
from ofelia.simulator import terms_views

# The platform operator's console says whose it is, not « Administration de Django ».
admin.site.site_header = "Ofelia · console de l'opérateur"
admin.site.site_title = "Ofelia · opérateur"
admin.site.index_title = "Données de la plateforme"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("simulation/", include("ofelia.simulator.urls")),
    path("o/<slug:slug>/conditions/", terms_views.terms_page, name="terms"),
    path("o/<slug:slug>/conditions.pdf", terms_views.terms_pdf, name="terms-pdf"),
    path("webhooks/", include("ofelia.billing.webhook_urls")),
    path("", include("ofelia.accounts.urls")),
    path("", include("ofelia.core.urls")),
    path("", include("ofelia.desk.urls")),
    path("", include("ofelia.legal.urls")),
    path("", include("ofelia.sales.urls")),
    path("", include("ofelia.elearning.urls")),
    path("", include("ofelia.billing.urls")),
    path("", include("ofelia.catalogue.urls")),
    path("", include("ofelia.attendance.urls")),
    path("", include("ofelia.surveys.urls")),
    path("", include("ofelia.apitokens.urls")),
    path("", include("ofelia.organisations.urls")),
    path("", include("ofelia.privacy.urls")),
    path("", include("ofelia.support.urls")),
    path("", include("ofelia.hosting.urls")),
    path("", include("ofelia.quality.urls")),
    path("", include("ofelia.availability.urls")),
    path("", include("ofelia.documents.urls")),
    path("", include("ofelia.notifications.urls")),
]

handler400 = "ofelia.core.views.bad_request"
handler403 = "ofelia.core.views.permission_denied"
handler404 = "ofelia.core.views.page_not_found"
handler500 = "ofelia.core.views.server_error"
