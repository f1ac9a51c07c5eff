"""Arabic pages: Django's Arabic formats, with the date-time formats it leaves to the American
default. The right-to-left marks keep day/month/year in the reading order of Arabic text."""

from django.conf.locale.ar.formats import *  # noqa: F403

DATETIME_FORMAT = "j F، Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
