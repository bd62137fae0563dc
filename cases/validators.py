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
