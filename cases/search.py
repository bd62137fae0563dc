"""Finding a child: by BSN (one exact file), by case number, by birth date and by name.

Names are tolerant of one typo and of tussenvoegsels ("van der Berg", "Berg, van den"). The
candidates are a narrowed, bounded set of the user's gemeenten (length within one, the first or the
last letters kept); Python keeps the names within one edit of what was typed, so SQLite and PostgreSQL find the
same children. On PostgreSQL pg_trgm (enabled by migration 0013) ranks them by trigram similarity.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Case, Exists, IntegerField, Q, Value, When
from django.db.models.functions import Greatest, Length, Upper

from .forms import parse_case_number
from .models import Child
from .validators import bsn_is_valid

SEARCH_LIMIT = 50
# At most this many candidate names are compared in Python for one search; a query so broad that
# more match is refined by the user ("verfijn uw zoekvraag"), not by scanning the gemeente.
FUZZY_CANDIDATES = 2000
FUZZY_MIN_LENGTH = 4  # shorter words match from their start only: one typo in "Kok" is another name
TRIGRAM_THRESHOLD = 0.3

# Dutch (and a few other) tussenvoegsels: left out of the name words that must match, so "van der
# Berg", "Berg, van der" and "Berg" find the same child.
TUSSENVOEGSELS = frozenset(
    "van de der den het 't te ter ten in op aan bij uit voor onder over 's la le les du da di del della "
    "dos das el al von zu zum vom d' l' vd v/d".split()
)
BSN_INPUT = re.compile(r"^\s*\d[\d\s.]{7,12}\d\s*$")


@dataclass
class Query:
    kind: str  # "empty", "bsn", "bsn_invalid", "case_number", "name"
    text: str = ""
    bsn: str = ""
    case_pk: int | None = None
    words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    dates: tuple[dt.date, ...] = ()


def normalise(text: str) -> str:
    """Lower case without accents: 'Öztürk' and 'ozturk' are the same word to a searcher."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_query(text: str) -> Query:
    text = (text or "").strip()
    if not text:
        return Query("empty")
    if BSN_INPUT.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 9:
            return Query("bsn" if bsn_is_valid(digits) else "bsn_invalid", text=text, bsn=digits)
    case_pk = parse_case_number(text)
    if case_pk is not None:
        return Query("case_number", text=text, case_pk=case_pk)
    words, prefixes, dates = [], [], []
    for raw in re.split(r"[\s,]+", text):
        if not raw:
            continue
        date = parse_date(raw)
        if date:
            dates.append(date)
            continue
        word = normalise(raw).strip(".-'")
        if not word:
            continue
        (prefixes if word.replace(".", "") in TUSSENVOEGSELS else words).append(word)
    if not words and prefixes:
        words, prefixes = prefixes, []  # only "de" or "van": search for it as a name after all
    return Query("name", text=text, words=tuple(words), prefixes=tuple(prefixes), dates=tuple(dates))


def parse_date(text: str) -> dt.date | None:
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def within_one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of two neighbours (Damerau)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True  # substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _name_words(first_name: str, last_name: str) -> list[str]:
    words = re.split(r"[\s\-]+", normalise(f"{first_name} {last_name}"))
    return [w for w in words if w and w not in TUSSENVOEGSELS]


def _upper(text: str) -> str | Upper:
    """The typed text upper-cased as the database upper-cased the stored names (Child.*_upper). ASCII (nearly
    every search: `normalise` strips the accents) Python upper-cases the same way, and a plain string is a
    third of the ORM's work of an expression; other letters are left to the database (SQLite upper-cases
    ASCII only)."""
    return text.upper() if text.isascii() else Upper(Value(text))


def _strict(word: str) -> Q:
    """The word as the start of the first name, the last name or a part of it ("Berg" in "van den Berg")."""
    return (
        Q(name_prefix_upper=_upper(word))
        | Q(first_name_upper__startswith=_upper(word))
        | Q(last_name_upper__startswith=_upper(word))
        | Q(last_name_upper__contains=_upper(f" {word}"))
        | Q(last_name_upper__contains=_upper(f"-{word}"))
    )


def _narrow(word: str) -> Q:
    """Names that could be one typo away, cheaply: the length within one, and the name starts with the
    typed word's first two letters or ends with its last two. One edit (a letter added, dropped,
    changed, or two neighbours swapped) cannot touch both ends of a word of five letters or more;
    for four letters, one letter at either end."""
    k = 2 if len(word) >= 5 else 1
    q = Q()
    for field in ("first_name", "last_name"):
        length = Q(**{f"{field}_len__gte": len(word) - 1, f"{field}_len__lte": len(word) + 1})
        ends = Q(**{f"{field}_upper__startswith": _upper(word[:k])}) | Q(
            **{f"{field}_upper__endswith": _upper(word[-k:])}
        )
        q |= length & ends
    return q


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def find_by_name(children, query: Query, *, shown=None) -> list[Child]:
    """Children of `children` whose names match every word, each exactly from its start or within one typo.

    The candidates are ranked on `children` as given; the found ones are read from `shown` (default
    `children`), only ever by the primary keys of found children: the page's joins and counts for 51
    children, not for the up to 2,000 candidates. (By primary key, not by gemeente: PostgreSQL would
    read the whole gemeente to pick out the 51.)
    """
    shown = children if shown is None else shown
    for date in query.dates:
        children = children.filter(birth_date=date)
    if not query.words:
        if not query.dates:
            return []
        found = shown.filter(pk__in=children.values("pk"))
        return list(found.order_by("last_name", "first_name", "birth_date")[: SEARCH_LIMIT + 1])
    fuzzy_words = [w for w in query.words if len(w) >= FUZZY_MIN_LENGTH]
    all_strict = Q()
    for word in query.words:
        all_strict &= _strict(word)
    candidates = children
    if fuzzy_words:
        candidates = candidates.alias(first_name_len=Length("first_name"), last_name_len=Length("last_name"))
        # Exact matches come first and are all shown: when more than a page of them exist, no typo
        # candidate can reach the page, so the database need not gather and rank them. (Evaluated once.)
        room_for_typos = ~Exists(children.filter(all_strict).values("pk")[SEARCH_LIMIT : SEARCH_LIMIT + 1])
    for word in query.words:
        candidates = candidates.filter(
            _strict(word) | (room_for_typos & _narrow(word)) if word in fuzzy_words else _strict(word)
        )
    closeness = Value(0.0)
    if _is_postgres() and fuzzy_words:
        # pg_trgm ranks the typo candidates, so the closest names are compared first and shown first.
        # It does not decide what matches: trigram similarity of short names drops below any useful
        # threshold with one typo ("Jasnen"/"Jansen" 0.27), where one edit is the rule users expect.
        closeness = Greatest(
            Value(0.0),
            *[TrigramSimilarity("last_name", Value(w)) for w in fuzzy_words],
            *[TrigramSimilarity("first_name", Value(w)) for w in fuzzy_words],
        )
    rows = list(
        candidates.annotate(
            exact=Case(When(all_strict, then=Value(0)), default=Value(1), output_field=IntegerField()),
            closeness=closeness,
        )
        .order_by("exact", "-closeness", "last_name", "first_name", "pk")
        .values_list("pk", "first_name", "last_name", "exact")[:FUZZY_CANDIDATES]
    )
    found = []
    for pk, first_name, last_name, exact in rows:
        if exact == 0 or _matches(query.words, _name_words(first_name, last_name)):
            found.append(pk)
            if len(found) > SEARCH_LIMIT:
                break
    order = {pk: n for n, pk in enumerate(found)}
    return sorted(shown.filter(pk__in=found), key=lambda child: order[child.pk])


def _matches(words, name_words) -> bool:
    for word in words:
        if any(n.startswith(word) for n in name_words):
            continue
        if len(word) >= FUZZY_MIN_LENGTH and any(within_one_edit(word, n) for n in name_words):
            continue
        return False
    return True
