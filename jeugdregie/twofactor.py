"""Two-factor authentication (TOTP, django-otp): set up an authenticator app, confirm a code per session.

After the password, TwoFactorRequiredMiddleware sends the user here: to `setup` the first time
(scan the key, confirm one code, receive ten recovery codes shown once), to `verify` after that.
A recovery code works once in place of the app's code. A beheerder resets a user's 2FA in the
admin (cases.admin, an action that is itself logged); the user then sets it up again at the next login.
"""

import base64
import logging

import segno
from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").strip()


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def verify(request):
    """Ask for the code of the authenticator app (or a recovery code) once per session."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is None:
            logger.warning("2FA code refused for user id %s", request.user.pk)
            form.add_error("token", "Deze code klopt niet of is verlopen. Probeer het opnieuw.")
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                logger.info("2FA recovery code used by user id %s (%s left)", request.user.pk, left)
                messages.warning(
                    request, f"U heeft een herstelcode gebruikt; er zijn er nog {left}. Vraag zo nodig de beheerder."
                )
            return redirect(_next_url(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def setup(request):
    """The first time: show the key, confirm one code from the app, then show the recovery codes once."""
    user = request.user
    if user_has_device(user):
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = _confirm(user, device)
            otp_login(request, device)
            logger.info("2FA set up by user id %s", user.pk)
            return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", "Deze code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw.")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "config_url": device.config_url,
        # An <img> with a data: URI (the CSP allows images from data:), made on the server: the key
        # never leaves jeugdregie for a QR service.
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "next": _next_url(request),
    }
    return render(request, "registration/two_factor_setup.html", context)


@transaction.atomic
def _confirm(user, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes
