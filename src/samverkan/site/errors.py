"""The site's own error pages. 404 and 403 are Django's default handlers rendering
``404.html``/``403.html`` (in the site's look, with the request, so in the page's language);
429 is ``core/too_many.html`` (core.middleware). A 500 is rendered with the request too, so it is
in the site's look and language — unless rendering the page itself fails (the database is down,
a template tag raises), then a static page in the three languages is all that is sent."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:  # the page that explains an error must not raise one
        logger.exception("the 500 page could not be rendered; sending the plain one")
        body = loader.render_to_string("500_plain.html")
    return HttpResponseServerError(body)
