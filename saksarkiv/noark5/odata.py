"""The OData query language of the Noark 5 tjenestegrensesnitt: $filter, $orderby and $search on lists, at
the standard's basis level (chapter 6, "Finne objekter": direct fields and one-to-one relations), turned
into Django Q objects and order_by keys.

A tokenizer and recursive-descent parser of our own rather than the odata-query package: the subset is
small, and every step here is bounded against hostile input (length, nesting depth, number and date
ranges, NUL bytes) so that the caller sees only `Invalid` (400) or `Unsupported` (501), never a
RecursionError or a database error. Valid OData we do not implement (lambdas, arithmetic, `in`, `has`,
other functions, typed literals ...) raises `Unsupported`, never silently matches. (Query options
such as $expand and $select are refused by the list view, saksarkiv.noark5.views.odata_query.)

Semantics worth knowing:
- `not` binds tighter than comparisons, as in OData: write `not (saksaar eq 2017)`.
- `ne` counts null as "not equal" (`tittel ne 'x'` includes rows without a title), as OData does.
- A date compared with a datetime field means that whole day in the default time zone: `eq` is the
  day, `gt` after it, `le` up to its end, `ge` from its start, `lt` before it.
- A datetime literal must carry its zone (Z or +01:00); a space in place of the `+` (an unencoded `+`
  in a query string) is read as `+`.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import NamedTuple, NoReturn

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from saksarkiv.services.errors import SaksarkivError

MAX_LENGTH = 4000
MAX_DEPTH = 50
MAX_SEARCH_TERMS = 20
KINDS = frozenset({"text", "integer", "date", "datetime", "boolean", "uuid"})
# Django integer lookups bind 64-bit values; a larger number would fail in the driver, not here.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1

COMPARISONS = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
TEXT_FUNCTIONS = {"contains": "contains", "startswith": "startswith", "endswith": "endswith"}
# Valid OData (v4.01 URL conventions) that this archive does not implement: answered with 501.
UNSUPPORTED_OPERATORS = frozenset({"add", "sub", "mul", "div", "divby", "mod", "has", "in"})
UNSUPPORTED_FUNCTIONS = frozenset({
    "length", "indexof", "substring", "tolower", "toupper", "trim", "concat", "matchesPattern",
    "hassubset", "hassubsequence", "year", "month", "day", "hour", "minute", "second",
    "fractionalseconds", "totalseconds", "date", "time", "totaloffsetminutes", "mindatetime",
    "maxdatetime", "now", "round", "floor", "ceiling", "isof", "cast", "case", "any", "all",
    "substringof",  # OData v3, still written by older clients
})  # fmt: skip
# Typed literals (duration'P1D'), with the v3 forms older clients write (datetime'...', guid'...').
TYPED_LITERALS = frozenset({
    "binary", "duration", "geography", "geometry", "datetime", "datetimeoffset", "guid", "time", "X",
})  # fmt: skip
_KEYWORDS = frozenset({"and", "or", "not", *COMPARISONS, *UNSUPPORTED_OPERATORS})


class Field(NamedTuple):
    lookup: str  # Django ORM path, e.g. "saksstatus", "klasse__klasse_id", "opprettet_dato"
    kind: str  # one of KINDS


class QueryError(SaksarkivError):
    code = "invalid_query"


class Invalid(QueryError):
    """Not a query we can read: a syntax error, an unknown field, a value of the wrong type (400)."""

    code = "invalid_query"


class Unsupported(QueryError):
    """Valid OData that this archive does not implement (501 Not Implemented)."""

    code = "not_implemented"


def filter_q(expression: str, fields: Mapping[str, Field]) -> Q:
    """The Q object of a $filter expression over the named fields; an empty expression filters nothing."""
    parser = _Parser(_checked(expression), fields)
    if parser.at_end():
        return Q()
    condition = parser.or_expr()
    parser.expect_end()
    return _as_q(condition)


def ordering(expression: str, fields: Mapping[str, Field]) -> list[str]:
    """The order_by keys of an $orderby expression: "saksdato desc, tittel" -> ["-saksdato", "tittel"]."""
    parser = _Parser(_checked(expression), fields)
    keys = []
    while not parser.at_end():
        keys.append(parser.order_key())
        if not parser.at_end():
            parser.expect(",")
            if parser.at_end():
                parser.fail_here()
    return keys


def search_q(term: str, lookups: Sequence[str]) -> Q:
    """The Q object of a $search: every word or "quoted phrase" is found, case-insensitively, in one of
    the lookups. The standard's example quotes the whole term in single quotes ($search='test').
    A list with nowhere to search (no lookups) does not implement $search."""
    words = _search_words(_checked(term))
    if words and not lookups:
        raise Unsupported(_("%(feature)s is not implemented.") % {"feature": "$search"})
    if len(words) > MAX_SEARCH_TERMS:
        raise Invalid(_("$search has more than %(limit)s words.") % {"limit": MAX_SEARCH_TERMS})
    query = Q()
    for word in words:
        anywhere = Q()
        for lookup in lookups:
            anywhere |= Q(**{f"{lookup}__icontains": word})
        query &= anywhere
    return query


def _checked(text: str) -> str:
    if len(text) > MAX_LENGTH:
        raise Invalid(_("The query is longer than %(limit)s characters.") % {"limit": MAX_LENGTH})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(_("The query contains a character that is not allowed.")) from None
    if "\x00" in text:
        raise Invalid(_("The query contains a character that is not allowed."))
    return text


def _shown(text: str) -> str:
    """User input repeated in a message, cut short."""
    return text if len(text) <= 40 else text[:39] + "…"


# Search


_SEARCH_TOKEN = re.compile(r'\s+|"((?:[^"\\]|\\.)*)"|[()]|[^\s"()]+')


def _search_words(text: str) -> list[str]:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1].replace("''", "'")
    words, position = [], 0
    while position < len(text):
        found = _SEARCH_TOKEN.match(text, position)
        if found is None:
            raise Invalid(_("A phrase in $search is not closed."))
        token, position = found.group(), found.end()
        if token.isspace() or token == "AND":
            continue
        if token in ("OR", "NOT", "(", ")"):
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": f"$search {token}"})
        if token.startswith('"'):
            phrase = re.sub(r"\\(.)", r"\1", found.group(1))
            if phrase.strip():
                words.append(phrase)
        else:
            words.append(token)
    return words


# Tokens


class _Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


_TOKENS = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})
  | (?P<datetime>\d{4}-\d\d-\d\d[Tt]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+\- ]\d\d:\d\d)?)
  | (?P<date>\d{4}-\d\d-\d\d)
  | (?P<time>\d\d:\d\d(?::\d\d(?:\.\d+)?)?)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<special>[$@][A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[()/,:.\[\]{}-])
    """,
    re.VERBOSE | re.ASCII,  # \d and \s as OData means them: no other scripts' digits or spaces
)
_LITERAL_KINDS = frozenset({"guid", "datetime", "date", "time", "number"})
# A literal runs straight into these only when it is malformed (2017-02-15x, 12.5.3, 5-3).
_GLUED = re.compile(r"[\w.:'-]", re.ASCII)


def _tokenize(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        found = _TOKENS.match(text, position)
        if found is None:
            if text[position] == "'":
                raise Invalid(
                    _("A string starting at position %(position)s is not closed.")
                    % {"position": position + 1}
                )
            raise _unreadable(position, text[position])
        kind, end = found.lastgroup, found.end()
        if kind in _LITERAL_KINDS and end < len(text) and _GLUED.match(text, end):
            raise _unreadable(position, text[position : end + 1])
        if kind != "space":
            tokens.append(_Token(kind, found.group(), position, end))
        position = end
    return tokens


def _unreadable(position: int, found: str) -> Invalid:
    return Invalid(
        _("The query cannot be read at position %(position)s: %(found)s.")
        % {"position": position + 1, "found": _shown(found)}
    )


# Literals


class _Literal(NamedTuple):
    kind: str  # text, integer, decimal, boolean, date, datetime, uuid, time, null
    value: object
    text: str


class _FieldRef(NamedTuple):
    name: str
    field: Field


class _Condition(NamedTuple):
    q: Q


_DATETIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(?:([Zz])|([+\- ])(\d\d):(\d\d))?"
)


def _literal(token: _Token) -> _Literal:
    text = token.text
    try:
        if token.kind == "string":
            return _Literal("text", text[1:-1].replace("''", "'"), text)
        if token.kind == "guid":
            return _Literal("uuid", uuid.UUID(text), text)
        if token.kind == "date":
            return _Literal("date", date.fromisoformat(text), text)
        if token.kind == "datetime":
            return _Literal("datetime", _datetime(text), text)
        if token.kind == "time":
            return _Literal("time", None, text)
        if re.fullmatch(r"-?\d+", text):
            number = int(text)
            if not _INT_MIN <= number <= _INT_MAX:
                raise Invalid(_("The number %(value)s is out of range.") % {"value": _shown(text)})
            return _Literal("integer", number, text)
        return _Literal("decimal", None, text)
    except (ValueError, OverflowError):
        raise Invalid(_("%(value)s is not a valid value.") % {"value": _shown(text)}) from None


def _datetime(text: str) -> datetime:
    year, month, day, hour, minute, second, fraction, utc, sign, zone_h, zone_m = _DATETIME.fullmatch(
        text
    ).groups()
    if not utc and not sign:
        raise Invalid(
            _("A date and time needs a time zone (Z or +01:00): %(value)s.") % {"value": _shown(text)}
        )
    if utc:
        zone = UTC
    else:
        if int(zone_h) > 23 or int(zone_m) > 59:
            raise ValueError(text)
        offset = timedelta(hours=int(zone_h), minutes=int(zone_m))
        zone = dt_timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=zone
    )
    # The database adapters convert to UTC; a moment outside year 1..9999 there must fail here instead.
    return moment.astimezone(UTC)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start of the day and of the next in the default time zone, in UTC."""
    try:
        zone = timezone.get_default_timezone()
        start = datetime.combine(day, time.min, tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:
        raise Invalid(_("%(value)s is not a valid value.") % {"value": day.isoformat()}) from None


# Parser


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, Field]):
        self.tokens = _tokenize(text)
        self.fields = fields
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise Invalid(_("The query ends before it is complete."))
        self.index += 1
        return token

    def is_next(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token.kind == kind and (text is None or token.text == text)

    def expect(self, punct: str) -> None:
        if not self.is_next("punct", punct):
            self.fail_here()
        self.index += 1

    def expect_end(self) -> None:
        if not self.at_end():
            self.fail_here()

    def fail_here(self) -> NoReturn:
        token = self.take()
        self._unsupported_operator(token)
        raise _unreadable(token.start, token.text)

    def _unsupported_operator(self, token: _Token) -> None:
        if token.kind == "name" and token.text in UNSUPPORTED_OPERATORS:
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": token.text})

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Invalid(_("The query is nested deeper than %(limit)s levels.") % {"limit": MAX_DEPTH})

    def or_expr(self):
        node = self.and_expr()
        while self.is_next("name", "or"):
            self.take()
            node = _Condition(_as_q(node) | _as_q(self.and_expr()))
        return node

    def and_expr(self):
        node = self.comparison()
        while self.is_next("name", "and"):
            self.take()
            node = _Condition(_as_q(node) & _as_q(self.comparison()))
        return node

    def comparison(self):
        node = self.unary()
        while (token := self.peek()) is not None and token.kind == "name":
            self._unsupported_operator(token)
            if token.text not in COMPARISONS:
                break
            self.take()
            node = _compare(node, token.text, self.unary())
        return node

    def unary(self):
        token = self.peek()
        if token is not None and token.kind == "name" and token.text == "not":
            self.take()
            self.enter()
            node = _Condition(~_as_q(self.unary()))
            self.depth -= 1
            return node
        if token is not None and token.kind == "punct" and token.text == "-":
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": "-"})
        return self.primary()

    def primary(self):
        token = self.take()
        if token.kind == "punct" and token.text == "(":
            self.enter()
            node = self.or_expr()
            self.expect(")")
            self.depth -= 1
            return node
        if token.kind == "punct" and token.text in ("[", "{"):
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": token.text})
        if token.kind == "special":
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": token.text})
        if token.kind in _LITERAL_KINDS or token.kind == "string":
            return _literal(token)
        if token.kind != "name" or token.text in _KEYWORDS:
            raise _unreadable(token.start, token.text)
        if token.text in ("true", "false"):
            return _Literal("boolean", token.text == "true", token.text)
        if token.text == "null":
            return _Literal("null", None, token.text)
        following = self.peek()
        if (
            token.text in TYPED_LITERALS
            and following is not None
            and following.kind == "string"
            and following.start == token.end
        ):
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": f"{token.text}'…'"})
        if self.is_next("punct", "("):
            return self.call(token)
        return self.path(token)

    def call(self, name: _Token):
        if name.text in UNSUPPORTED_FUNCTIONS:
            raise Unsupported(_("%(feature)s is not implemented.") % {"feature": name.text})
        if name.text not in TEXT_FUNCTIONS:
            raise Invalid(_("Unknown function %(name)s.") % {"name": _shown(name.text)})
        self.expect("(")
        self.enter()
        arguments = [self.or_expr()]
        while self.is_next("punct", ","):
            self.take()
            arguments.append(self.or_expr())
        self.expect(")")
        self.depth -= 1
        return _text_function(name.text, arguments)

    def path(self, first: _Token) -> _FieldRef:
        segments = [first.text]
        while True:
            if self.is_next("punct", "."):
                raise Unsupported(
                    _("%(feature)s is not implemented.") % {"feature": _shown(".".join(segments) + ".")}
                )
            if not self.is_next("punct", "/"):
                break
            self.take()
            segment = self.take()
            if segment.kind == "special" or (
                segment.kind == "name" and segment.text in ("any", "all") and self.is_next("punct", "(")
            ):
                raise Unsupported(_("%(feature)s is not implemented.") % {"feature": segment.text})
            if segment.kind != "name":
                raise _unreadable(segment.start, segment.text)
            segments.append(segment.text)
        name = "/".join(segments)
        if name not in self.fields:
            raise Invalid(_("Unknown field %(name)s.") % {"name": _shown(name)})
        return _FieldRef(name, self.fields[name])

    def order_key(self) -> str:
        start = self.peek()
        node = self.comparison()
        if isinstance(node, _Literal):
            # A constant orders nothing: $orderby names fields (chapter 6, "sortering av resultat etter gitte felter").
            raise Invalid(_("$orderby names fields, not %(value)s.") % {"value": _shown(start.text)})
        if not isinstance(node, _FieldRef):
            raise Unsupported(
                _("%(feature)s is not implemented.") % {"feature": _shown(f"$orderby {start.text}")}
            )
        descending = False
        if self.is_next("name", "asc") or self.is_next("name", "desc"):
            descending = self.take().text == "desc"
        return f"-{node.field.lookup}" if descending else node.field.lookup


# Meaning


def _described(node) -> str:
    if isinstance(node, _FieldRef):
        return node.name
    if isinstance(node, _Literal):
        return _shown(node.text)
    return _("a condition")


def _as_q(node) -> Q:
    if isinstance(node, _Condition):
        return node.q
    if isinstance(node, _FieldRef) and node.field.kind == "boolean":
        return Q(**{node.field.lookup: True})
    if isinstance(node, _Literal) and node.kind == "boolean":
        raise Unsupported(_("%(feature)s is not implemented.") % {"feature": node.text})
    raise Invalid(_("%(name)s is not a condition.") % {"name": _described(node)})


def _compare(left, operator: str, right) -> _Condition:
    if isinstance(left, _Literal) and not isinstance(right, _Literal):
        left, right, operator = right, left, _FLIPPED[operator]
    if isinstance(left, _FieldRef) and isinstance(right, _Literal):
        return _Condition(_field_q(left, operator, right))
    if isinstance(left, _Condition) and isinstance(right, _Literal):
        if right.kind != "boolean" or operator not in ("eq", "ne"):
            raise Invalid(
                _("%(name)s cannot be compared with %(value)s.")
                % {"name": _described(left), "value": _shown(right.text)}
            )
        return left if right.value == (operator == "eq") else _Condition(~left.q)
    if isinstance(left, _Literal):
        raise Unsupported(_("Comparing two constants is not implemented."))
    raise Unsupported(_("Comparing a field with another field or with a condition is not implemented."))


def _field_q(ref: _FieldRef, operator: str, literal: _Literal) -> Q:
    lookup, kind = ref.field.lookup, ref.field.kind
    if kind not in KINDS:
        raise ValueError(f"unknown field kind {kind!r} for {ref.name}")
    if literal.kind == "null":
        if operator not in ("eq", "ne"):
            raise Invalid(_("null can only be compared with eq or ne."))
        return Q(**{f"{lookup}__isnull": operator == "eq"})
    if kind == "datetime" and literal.kind == "date":
        return _day_q(lookup, operator, literal.value)
    value = _value_for(ref, literal)
    if operator == "ne":
        return Q(**{f"{lookup}__isnull": True}) | ~Q(**{lookup: value})
    return Q(**{f"{lookup}__{COMPARISONS[operator]}": value})


def _value_for(ref: _FieldRef, literal: _Literal):
    kind = ref.field.kind
    if literal.kind == kind:
        return literal.value
    if kind == "uuid" and literal.kind == "text" and _is_guid(literal.value):
        return uuid.UUID(literal.value)
    raise Invalid(
        _("%(name)s cannot be compared with %(value)s.") % {"name": ref.name, "value": _shown(literal.text)}
    )


def _is_guid(text: str) -> bool:
    return re.fullmatch(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}", text) is not None


def _day_q(lookup: str, operator: str, day: date) -> Q:
    start, end = _day_bounds(day)
    if operator == "eq":
        return Q(**{f"{lookup}__gte": start, f"{lookup}__lt": end})
    if operator == "ne":
        return Q(**{f"{lookup}__isnull": True}) | Q(**{f"{lookup}__lt": start}) | Q(**{f"{lookup}__gte": end})
    bound = {"gt": ("gte", end), "ge": ("gte", start), "lt": ("lt", start), "le": ("lt", end)}
    comparison, moment = bound[operator]
    return Q(**{f"{lookup}__{comparison}": moment})


def _text_function(name: str, arguments: list) -> _Condition:
    if len(arguments) != 2:
        raise Invalid(_("%(name)s takes two arguments: a text field and a string.") % {"name": name})
    field, literal = arguments
    if not isinstance(field, _FieldRef) or not isinstance(literal, _Literal):
        raise Unsupported(_("%(feature)s is not implemented.") % {"feature": f"{name}(…)"})
    if field.field.kind != "text" or literal.kind != "text":
        raise Invalid(_("%(name)s takes two arguments: a text field and a string.") % {"name": name})
    return _Condition(Q(**{f"{field.field.lookup}__{TEXT_FUNCTIONS[name]}": literal.value}))
