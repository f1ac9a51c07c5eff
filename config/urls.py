from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, reverse

from config.api import api


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin logs in through the site's own login (lockout, audit, two-factor)."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))


admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("samverkan.accounts.urls")),
    path("", include("samverkan.organisations.urls")),
    path("", include("samverkan.statistics.urls")),
    path("", include("samverkan.panels.urls")),
    path("", include("samverkan.resettlement.urls")),
    path("", include("samverkan.meetingplace.urls")),
    path("", include("samverkan.stories.urls")),
    path("", include("samverkan.site.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "samverkan.site.errors.server_error"
