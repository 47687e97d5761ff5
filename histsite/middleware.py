"""Middleware every response passes through: its request id and its security headers."""

import re
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings

from histsite import logs

# nginx sends its $request_id (32 hex digits); anything else a client sends is replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ADMIN_PREFIX = "/admin/"


class RequestIdMiddleware:
    """Give each request an id, log with it, and send it back as X-Request-ID.

    The id is the proxy's when it sent a well-formed one (so nginx's access log and
    the application's lines match), otherwise a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        id_token = logs.request_id.set(request.id)
        path_token = logs.request_path.set(request.path)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(id_token)
            logs.request_path.reset(path_token)
        response["X-Request-ID"] = request.id
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with the admin's additions on the admin's pages only."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        extra = settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE
        if extra and not report_only and request.path.startswith(ADMIN_PREFIX):
            parts.update = {**extra, **(parts.update or {})}
        return parts


class SecurityHeadersMiddleware:
    """Set Permissions-Policy and Cross-Origin-Resource-Policy.

    Django's SecurityMiddleware sets Cross-Origin-Opener-Policy, nosniff and the
    referrer policy; these two it has no setting for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response
