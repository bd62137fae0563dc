from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError


def bsn_is_valid(value: str) -> bool:
    """Elfproef for a BSN: 9 digits, weights 9..2 and -1, sum divisible by 11, not all zeros."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(value, weights, strict=True)) % 11 == 0


def validate_bsn(value: str) -> None:
    if not bsn_is_valid(value):
        # Never echo the number itself: a BSN does not belong in messages or logs.
        raise ValidationError("Dit is geen geldig BSN (het voldoet niet aan de elfproef).", code="bsn")


def validate_agb(value: str) -> None:
    if len(value) != 8 or not value.isdigit():
        raise ValidationError("Een AGB-code bestaat uit 8 cijfers.", code="agb")


class NoAppNamePasswordValidator:
    """Refuse a password that contains the name of the app (AUTH_PASSWORD_VALIDATORS).

    'jeugdregie2026' is the first guess of anyone who knows where they are logging in.
    """

    words = ("jeugdregie", "jeugd-regie", "jeugd regie")

    def validate(self, password: str, user=None) -> None:
        lowered = password.lower()
        if any(word in lowered for word in self.words):
            raise ValidationError(
                "Het wachtwoord mag de naam van de applicatie niet bevatten.", code="password_app_name"
            )

    def get_help_text(self) -> str:
        return "Uw wachtwoord mag de naam van de applicatie (jeugdregie) niet bevatten."


class DutchMinimumLengthValidator(MinimumLengthValidator):
    """Django's length rule with its message in Dutch: Django 5.2's Dutch catalogue misses this text."""

    def get_error_message(self):
        return f"Dit wachtwoord is te kort. Het moet minstens {self.min_length} tekens bevatten."

    def get_help_text(self):
        return f"Uw wachtwoord moet minstens {self.min_length} tekens bevatten."
