"""Request rules that hold for every page: headers, session lifetime, 2FA, input and error pages.

Their order is in settings.MIDDLEWARE; each class says what it needs from the ones before it.
"""

import logging
import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

logger = logging.getLogger(__name__)
audit = logging.getLogger("jeugdregie.audit")


def _locked_out(sender, request, username, ip_address, **kwargs):
    """A lockout is a warning for the monitoring (docs/deploy.md): a peak of them is an attack."""
    from cases.models import User

    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    audit.warning("login locked out after repeated failures: user id %s, address %s", user_id or "onbekend", ip_address)


user_locked_out.connect(_locked_out, dispatch_uid="jeugdregie-locked-out")


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on every page and export.

    Every page behind the login shows personal data or may; the static files (WhiteNoise, before
    this middleware) keep their long cache. One rule, so a new page or CSV cannot forget it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        add_never_cache_headers(response)
        return response


def _friendly_404(request):
    response = render(request, "404.html", status=404)
    return response


class FriendlyErrorPagesMiddleware:
    """The Dutch 404 page also under DEBUG (`make run`): Django's debug page lists every URL pattern.

    Without DEBUG Django renders templates/404.html, 403.html and 500.html itself. Under DEBUG a
    404 raised by a view, or a path that matches no URL, would show the technical page; here it
    gets the same Dutch page. The technical 500 page stays under DEBUG: a developer needs it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return _friendly_404(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return _friendly_404(request)
        return None


class RefuseNulBytesMiddleware:
    """A NUL byte in a query or form value is refused with a Dutch message (400), never a 500.

    PostgreSQL cannot store or compare text with NUL; no legitimate input contains one. Forms
    refuse it too (Django's CharField), but a search term goes to the database unchecked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return render(request, "400.html", {"reason": "Uw invoer bevat een ongeldig teken."}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        params = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            params.append(request.POST)
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for query in params
            for key, values in query.lists()
        )


def _session_started(sender, request, user, **kwargs):
    """Stamp the session at login (also for force_login), so the first page view writes nothing extra."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["jr_started"] = now
        request.session["jr_last_seen"] = now


user_logged_in.connect(_session_started, dispatch_uid="jeugdregie-session-started")


class SessionLifetimeMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT without a request, and SESSION_COOKIE_AGE after login.

    The session also ends when the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE) and when the user
    is deactivated (the auth backend refuses an inactive user on the next request). Needs the
    session and the user (after AuthenticationMiddleware).
    """

    # Write the last-seen time at most once a minute: not a session save on every request.
    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault("jr_started", now)
            last_seen = session.get("jr_last_seen", now)
            if now - started > settings.SESSION_COOKIE_AGE or now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logger.info("session ended by lifetime for user id %s", request.user.pk)
                logout(request)
                login_url = reverse(settings.LOGIN_URL) + "?" + urlencode({"verlopen": 1})
                if request.headers.get("HX-Request"):
                    response = HttpResponseRedirect(login_url)
                    response["HX-Redirect"] = login_url
                    return response
                return HttpResponseRedirect(login_url)
            if now - last_seen >= self.TOUCH_EVERY or "jr_last_seen" not in session or "jr_started" not in session:
                session["jr_last_seen"] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """With TWO_FACTOR_REQUIRED every logged-in user confirms a one-time code before any page.

    A user without a confirmed authenticator app is sent to set one up first. Needs django-otp's
    OTPMiddleware (user.is_verified) before it; read per request so tests can switch it.
    """

    EXEMPT_URL_NAMES = {"login", "logout", "two_factor_setup", "two_factor_verify", "health"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in self.EXEMPT_URL_NAMES:
            return None
        from django_otp import user_has_device

        target = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
        url = reverse(target) + "?" + urlencode({"next": request.get_full_path()})
        response = HttpResponseRedirect(url)
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = url
        return response
