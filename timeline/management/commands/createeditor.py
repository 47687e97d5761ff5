"""Add a member of the newsroom: a staff account in the Editors or Contributors role."""

from getpass import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

ROLES = {"editor": "Editors", "contributor": "Contributors"}


class Command(BaseCommand):
    help = (
        "Create a staff account in a role: contributors write drafts and submit them for "
        "review; editors also publish, withdraw, delete, revert and recover."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="The password; asked for on the terminal when left out.",
        )

    def handle(self, *args, username, role, email, password, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already an account named “{username}”.")
        try:
            group = Group.objects.get(name=ROLES[role])
        except Group.DoesNotExist:
            raise CommandError("The roles are missing: run manage.py migrate first.") from None
        user = User(username=username, email=email, is_staff=True)
        if password is None:
            password = getpass(f"Password for {username}: ")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        user.groups.add(group)
        self.stdout.write(f"Created {username}, one of the {group.name}.")
