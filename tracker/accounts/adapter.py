"""allauth adapter: the portal has no open sign-up; accounts come by invitation or `manage.py add_user`."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
