"""Cross-cutting request handling: security headers, request context, idle timeout, language, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shequ.core.context import RequestInfo, current_request
from shequ.core.errors import DomainError

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger("shequ")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI sets some styles inline; only its page gets that allowance.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        docs = request.path.startswith("/api/docs")
        response.headers.setdefault("Content-Security-Policy", CSP_DOCS if docs else CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages of a signed-in user may hold personal data: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(
            RequestInfo(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def request_too_large_message() -> str:
    return _("The request is too large. Send less at once (files: at most 10 MB each).")


def too_many_fields_message() -> str:
    return _("The request has too many fields or files.")


def refused_body_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The clear answer to a body Django refuses to read: 413 when too large, 400 for too many parts."""
    if isinstance(exc, RequestDataTooBig):
        code, message, status = "request_too_large", request_too_large_message(), 413
    else:
        code, message, status = "too_many_fields", too_many_fields_message(), 400
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "field": None}, status=status)
    return render(request, "core/error.html", {"message": message, "code": code}, status=status)


class RequestLimitsMiddleware:
    """Reads the body once, before CSRF and the view do, where a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    raised RequestDataTooBig: an API 500 and, with DEBUG on, a traceback page; and refuses an API body
    that is not JSON (415). Listed before the CSRF middleware so that its process_view runs first,
    after the user and the language are known."""

    BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
    API_BODY_TYPES = ("application/json", "multipart/form-data")  # JSON, or a file to import

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> HttpResponse | None:
        if request.method not in self.BODY_METHODS:
            return None
        try:
            if request.content_type == "multipart/form-data":
                request.POST  # noqa: B018 -- parsed as a stream: files go to disk, not into memory
                return None
            body = request.body  # refused from its Content-Length before anything is read
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
            return refused_body_response(request, exc)
        if body and request.path.startswith("/api/") and request.content_type not in self.API_BODY_TYPES:
            # The API reads any body as JSON; JSON sent as text/plain is what a cross-site form can send
            # without a CORS preflight, so it is refused, like every other type (issue 13).
            return JsonResponse(
                {
                    "code": "unsupported_media_type",
                    "message": _("Send the request body as application/json."),
                    "field": None,
                },
                status=415,
            )
        return None


class DatabaseReachableMiddleware:
    """Loads the session and the user, the first queries of a signed-in request, where a lost database
    would otherwise escape every error handler as a bare 500: answer the clear 503 instead."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.user.is_authenticated  # noqa: B018 -- evaluates the lazy user now
        except (OperationalError, InterfaceError) as exc:
            logger.error("database unavailable: %s", exc)
            request.user = AnonymousUser()  # so no later layer asks the database for it again
            return database_down_response(request)
        return self.get_response(request)


def idle_limit(user: Any) -> int:
    """Staff hold many residents' data: their sessions end sooner (等保 level 3)."""
    from shequ.core.access import held_roles
    from shequ.core.roles import STAFF_ROLES

    if any(h.role in STAFF_ROLES for h in held_roles(user)):
        return int(settings.SESSION_IDLE_SECONDS_STAFF)
    return int(settings.SESSION_IDLE_SECONDS)


class IdleTimeoutMiddleware:
    """Ends a browser session after its idle limit without a request (15 minutes for staff, 30 for
    others), and any session SESSION_ABSOLUTE_SECONDS after sign-in however busy it was."""

    TOUCH_EVERY = 60  # seconds; saves a session write on every click

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and getattr(request, "auth_via", "session") == "session":
            now = timezone.now().timestamp()
            last = request.session.get("last_seen")
            started = request.session.setdefault("signed_in_at", now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                return self.sign_out(request, _("You were signed out after 8 hours. Please sign in again."))
            if last is not None and now - last > idle_limit(request.user):
                return self.sign_out(request, _("You were signed out after a period without activity."))
            if last is None or now - last > self.TOUCH_EVERY:
                request.session["last_seen"] = now
        return self.get_response(request)

    @staticmethod
    def sign_out(request: HttpRequest, why: str) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "session_expired", "message": _("Your session expired. Please sign in again.")},
                status=401,
            )
        messages.info(request, why)
        return redirect(f"{reverse('core:login')}?{urlencode({'next': request.get_full_path()})}")


class PasswordExpiryMiddleware:
    """Where staff passwords expire (PASSWORD_MAX_AGE_DAYS_STAFF), an expired one must be changed before
    anything else: every page leads to the password form."""

    ALLOWED = ("/password/", "/logout/", "/language/", "/static/", "/healthz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from shequ.core.passwords import password_expired

        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED)
            and password_expired(user, timezone.now())
        ):
            message = _("Your password has expired. Please choose a new one.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "password_expired", "message": message}, status=403)
            messages.warning(request, message)
            return redirect("core:password_change")
        return self.get_response(request)


class EngagementEndedMiddleware:
    """A user all of whose roles have ended (a third-party evaluator after their engagement's end date)
    gets no data: every page and API answer is a 403 that says why. Signing out still works. Token
    clients are refused the same way where the token is read (core.services.token_for)."""

    ALLOWED = ("/logout/", "/language/", "/static/", "/healthz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from shequ.core.access import engagement_ended
        from shequ.core.services import EngagementEnded

        user = request.user
        if user.is_authenticated and not request.path.startswith(self.ALLOWED):
            ended = engagement_ended(user)
            if ended is not None:
                exc = EngagementEnded(ended)
                if request.path.startswith("/api/"):
                    return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=403)
                return render(
                    request, "core/error.html", {"message": exc.message, "code": exc.code}, status=403
                )
        return self.get_response(request)


class UserLanguageMiddleware:
    """Chinese unless the user (or, before sign-in, the language cookie) chose otherwise.
    The browser's Accept-Language is ignored on purpose: Shequ is Chinese first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = ""
        if request.user.is_authenticated:
            language = getattr(request.user, "language", "")
        if not language:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


DATABASE_DOWN_CODE = "database_unavailable"


def database_down_message() -> str:
    return _("The database cannot be reached right now. Nothing was saved; please try again shortly.")


def database_down_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": DATABASE_DOWN_CODE, "message": database_down_message()}, status=503)
    return render(
        request,
        "core/error.html",
        {"message": database_down_message(), "code": DATABASE_DOWN_CODE},
        status=503,
    )


class DomainErrorMiddleware:
    """Pages: a DomainError that escapes a view is shown as a clear page with its 4xx status; a lost
    database connection as a 503 that says nothing was saved (the transaction was rolled back)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable: %s", exception)
            return database_down_response(request)
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(exception.as_json(), status=exception.status)
        return render(
            request,
            "core/error.html",
            {"message": exception.message, "code": exception.code, "link": getattr(exception, "link", "")},
            status=exception.status,
        )
