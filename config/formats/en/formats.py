"""English pages: British English dates (25 Oct 2006, 25/10/2006), as Django's en_GB."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
