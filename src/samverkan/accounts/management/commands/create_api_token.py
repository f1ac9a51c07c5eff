from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samverkan.accounts.models import User
from samverkan.accounts.services import api_token_create
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The user's e-mail address.")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'nightly export'.")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Expire after this many days.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {options['email']!r}.")
        try:
            token, raw = api_token_create(
                actor=Actor.system(),
                name=options["name"],
                expires_in_days=options["expires_in_days"],
                for_user=user,
            )
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token {token.name!r} (id {token.pk}) created for {user.email}. It is shown once; store it now:"
        )
        self.stdout.write(raw)
