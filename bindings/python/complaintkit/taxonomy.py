"""The complaint taxonomies as IntEnum classes whose member names are the stable codes.

>>> Severity.critical > Severity.serious
True
>>> Cause.service.label("zh-Hans")
'服务水平问题'
"""
import enum

from . import _complaintkit as _core

_TABLES = _core._taxonomy_tables()
_LANG = {"en": 2, "zh-hans": 3, "zh-cn": 3, "zh-sg": 3, "zh": 3,
         "zh-hant": 4, "zh-tw": 4, "zh-hk": 4, "zh-mo": 4}
_ROWS = {}  # (taxonomy, value) -> row


def _lang_index(lang):
    i = _LANG.get(str(lang).lower().replace("_", "-"))
    if i is None:
        raise ValueError(f"unknown label language {lang!r}: use 'en', 'zh-Hans' or 'zh-Hant'")
    return i


class _Taxonomy(enum.IntEnum):
    """Base of the taxonomy enums: ``.code`` and ``.label(lang)``."""

    @property
    def code(self):
        return self.name

    def label(self, lang="en"):
        return _ROWS[(self._taxonomy_name, int(self))][_lang_index(lang)]

    @property
    def parent(self):
        """The Category of a Subcategory, the Cause of a SubCause; None otherwise."""
        parent_name = {"subcategory": "category", "sub_cause": "cause"}.get(self._taxonomy_name)
        p = _ROWS[(self._taxonomy_name, int(self))][5]
        if parent_name is None or p < 0:
            return None
        return _BY_NAME[parent_name](p)

    @classmethod
    def from_code(cls, code):
        try:
            return cls[code]
        except KeyError:
            from .errors import UnknownCodeError
            e = UnknownCodeError(f"unknown {cls._taxonomy_name} code {code!r}")
            e.code, e.path, e.detail = "unknown_code", "", str(e)
            raise e from None

    def __str__(self):
        return self.name


def _make(cls_name, tax_name):
    rows = _TABLES[tax_name]
    for r in rows:
        _ROWS[(tax_name, r[0])] = r
    cls = _Taxonomy(cls_name, [(r[1], r[0]) for r in rows], module=__name__)
    cls._taxonomy_name = tax_name
    return cls


Category = _make("Category", "category")
Subcategory = _make("Subcategory", "subcategory")
Cause = _make("Cause", "cause")
SubCause = _make("SubCause", "sub_cause")
Attribution = _make("Attribution", "attribution")
Dimension = _make("Dimension", "dimension")
Severity = _make("Severity", "severity")
Personality = _make("Personality", "personality")
Motive = _make("Motive", "motive")
Kind = _make("Kind", "kind")
Status = _make("Status", "status")
Channel = _make("Channel", "channel")
Tier = _make("Tier", "tier")
RemedyType = _make("RemedyType", "remedy_type")
EventType = _make("EventType", "event_type")

_BY_NAME = {c._taxonomy_name: c for c in (
    Category, Subcategory, Cause, SubCause, Attribution, Dimension, Severity, Personality,
    Motive, Kind, Status, Channel, Tier, RemedyType, EventType)}


def taxonomy_names():
    """Names of all taxonomies ("category", "sub_cause", …)."""
    return list(_BY_NAME)


def taxonomy(name):
    """The enum class of a taxonomy by name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"no taxonomy named {name!r}; one of {', '.join(_BY_NAME)}") from None


def label(taxonomy_name, code, lang="en"):
    """Label of a code: label("cause", "price", "zh-Hant") -> '價格問題'."""
    return taxonomy(taxonomy_name).from_code(code).label(lang)
