"""complaintkit — an embeddable customer-complaint engine.

Record complaints (the complaint archive), classify them, handle them on a business
clock and measure the results. This package is a thin layer over the native library;
pandas is used where installed and never required.

>>> import complaintkit as ck
>>> c = ck.Complaint.from_json({"id": "C1", "received_at": "2024-03-05T09:12:00+08:00",
...                             "channel": "phone", "text": "冰淇淋盒上写5个，里面只有4个"})
>>> c.channel
'phone'
>>> ck.Category.product_quality.label("zh-Hant")
'產品品質'
"""

from . import _complaintkit as _core
from .errors import (  # noqa: F401
    Error, InputError, ParseError, InvalidUtf8Error, InvalidValueError, UnknownCodeError,
    MissingFieldError, StateError, OutOfOrderError, IllegalTransitionError, NotFoundError,
    StorageError, CompileError, UnsupportedError, InternalError,
)
from .textmodel import TextModel  # noqa: F401
from .taxonomy import (  # noqa: F401
    taxonomy, taxonomy_names, label, Category, Subcategory, Cause, SubCause, Attribution,
    Dimension, Severity, Personality, Motive, Kind, Status, Channel, Tier, RemedyType, EventType,
)

from . import metrics  # noqa: F401,E402
from .metrics import Report, read_csv, read_csv_file  # noqa: F401,E402
from .rules import RuleSet, Classification, ClassificationBatch, classify_frame, normalize, normalize_text  # noqa: F401
from .archive import Archive, builtin_mapping  # noqa: F401

__version__ = _core.__version__

Complaint = _core.Complaint
Event = _core.Event
Money = _core.Money
parse_timestamp = _core.parse_timestamp


def load_jsonl(path_or_text, preserve_unknown=False):
    """Complaints from a JSON Lines file path (str / os.PathLike) or from JSONL text
    (str containing a newline, or bytes). Raises on the first bad line, naming it."""
    import os
    if isinstance(path_or_text, bytes):
        data = path_or_text
    elif isinstance(path_or_text, str) and "\n" in path_or_text:
        data = path_or_text
    else:
        with open(os.fspath(path_or_text), "rb") as f:
            data = f.read()
    return _core._complaints_from_jsonl(data, preserve_unknown)


def sample_data_path():
    """Path of the bundled sample complaints (examples/data/complaints.jsonl), or None."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(here, "data", "complaints.jsonl"),
                 os.path.join(here, "..", "..", "..", "examples", "data", "complaints.jsonl"),
                 "/usr/local/share/complaintkit/data/complaints.jsonl",
                 "/usr/share/complaintkit/data/complaints.jsonl"):
        if os.path.exists(cand):
            return os.path.normpath(cand)
    return None


def to_frame(complaints):
    """One row per complaint (pandas DataFrame); flat columns for the main fields and
    the facets. Requires pandas."""
    import pandas as pd
    rows = []
    for c in complaints:
        d = c.to_dict()
        row = {
            "id": c.id, "received_at": c.received_at, "channel": c.channel,
            "customer_id": c.customer_id, "tier": c.tier, "branch": c.branch,
            "region": "/".join(c.region), "product": c.product, "language": c.language,
            "text": c.text, "events": len(c.events),
        }
        for k, v in d.get("facets", {}).items():
            row[k] = v
        rows.append(row)
    return pd.DataFrame(rows)


from .workflow import (  # noqa: E402,F401
    Calendar, Workflow, personality_strategy, workflow_state, deadlines_frame,
)
