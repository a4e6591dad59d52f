"""The complaint archive (SQLite): ``complaintkit.Archive``.

>>> import complaintkit as ck
>>> with ck.Archive("complaints.db") as a:                       # doctest: +SKIP
...     a.ingest("examples/data/complaints.jsonl")
...     df = a.query_frame(open=True, facets={"category": "logistics"})

Queries take keyword criteria (all must hold): ``status``, ``open``, ``overdue_at``,
``at_risk_at``, ``received_from``, ``received_to`` (datetime or ISO-8601 text),
``customer``, ``place`` (region/branch prefix, "广东省/深圳市"), ``facets``
(``{"category": "logistics", "tag": "repeat"}``), ``limit``, ``offset``.
"""

import datetime as _dt
import json as _json
import os as _os

from . import _complaintkit as _core

_TIME_KEYS = ("overdue_at", "at_risk_at", "received_from", "received_to")
_KEYS = ("status", "open", "customer", "place", "facets", "limit", "offset") + _TIME_KEYS


def _query_json(criteria):
    q = {}
    for k, v in criteria.items():
        if k not in _KEYS:
            raise TypeError("unknown query criterion %r (one of %s)" % (k, ", ".join(_KEYS)))
        if v is None:
            continue
        if k in _TIME_KEYS and isinstance(v, _dt.datetime):
            if v.tzinfo is None:
                raise ValueError("%s: a datetime needs a time zone" % k)
            v = v.isoformat()
        q[k] = v
    return _json.dumps(q, ensure_ascii=False)


def builtin_mapping(name):
    """The JSON text of a built-in import mapping ("cfpb", "helpdesk")."""
    return _core._builtin_mapping(name)


class Archive:
    """A complaint archive: one SQLite file, opened (and created or migrated) on construction.

    One Archive is one connection: use it from one thread at a time. Several Archives (in
    threads or processes) may read while one writes. Close it with ``close()`` or a
    ``with`` block.
    """

    def __init__(self, path="complaints.db", read_only=False, create=True, sync_full=False, sla=True):
        """Opens or creates the archive. ``sla``: snapshots carry the deadlines of the built-in
        workflow's SLA policies (query with ``overdue_at`` / ``at_risk_at``)."""
        self._a = _core._Archive(_os.fspath(path), read_only, create, sync_full, sla)

    # -- life cycle
    def close(self):
        self._a.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @property
    def path(self):
        return self._a.path

    @property
    def schema_version(self):
        return self._a.schema_version

    def __len__(self):
        return self._a.count("{}")

    def __repr__(self):
        if self._a.closed:
            return "<complaintkit.Archive closed>"
        return "<complaintkit.Archive %r: %d complaints>" % (self.path, len(self))

    # -- writing
    def ingest(self, source, duplicates="reject", batch_size=10000, keep_going=False, format=None, mapping=None):
        """Adds complaints and returns the report (a dict: rows, inserted, updated, skipped,
        rejected, batches, errors).

        ``source``: a file path (JSONL or CSV; ``mapping`` = "cfpb", "helpdesk" or mapping
        JSON text), JSONL text (str containing a newline, or bytes), or an iterable of
        Complaint objects / dicts. ``duplicates``: "reject" (default), "upsert" or "skip".
        Without ``keep_going`` the first bad row raises and rolls back its batch.
        """
        if isinstance(source, (bytes, bytearray)) or (isinstance(source, str) and "\n" in source):
            rep = self._a.ingest_jsonl(source, "-", duplicates, batch_size, keep_going)
        elif isinstance(source, (str, _os.PathLike)):
            rep = self._a.ingest_file(_os.fspath(source), format or "", mapping or "", duplicates, batch_size,
                                      keep_going)
        else:
            items = [c if isinstance(c, _core.Complaint) else _core.Complaint.from_json(c) for c in source]
            rep = self._a.ingest(items, duplicates, batch_size, keep_going)
        return _json.loads(rep)

    def append_event(self, id, event):
        """Appends one event (dict or JSON: at, type, actor, text, payload) to a complaint's
        history and updates its snapshot."""
        if isinstance(event, dict):
            event = dict(event)
            if isinstance(event.get("at"), _dt.datetime):
                event["at"] = event["at"].isoformat()
        self._a.append_event(id, event)

    def rebuild(self):
        """Recomputes every snapshot from the event history; returns the number of complaints."""
        return self._a.rebuild()

    # -- reading
    def get(self, id):
        """The Complaint with its full history, or None."""
        return self._a.get(id)

    def __getitem__(self, id):
        c = self._a.get(id)
        if c is None:
            raise KeyError(id)
        return c

    def __contains__(self, id):
        return self._a.get(id) is not None

    def count(self, **criteria):
        return self._a.count(_query_json(criteria))

    def query(self, **criteria):
        """Result rows as dicts: id, received_at, channel, customer_id, place, status, facets,
        due_at / at_risk_at when set."""
        return _json.loads(self._a.query_json(_query_json(criteria)))

    def query_frame(self, **criteria):
        """The query as a pandas DataFrame, one row per complaint, facets as columns and
        times as timezone-aware (UTC) timestamps. Requires pandas."""
        import pandas as pd
        rows = []
        for r in self.query(**criteria):
            row = {k: v for k, v in r.items() if k not in ("facets", "sla")}
            for k, v in r.get("facets", {}).items():
                row[k] = ";".join(v) if isinstance(v, list) else v
            rows.append(row)
        columns = ["id", "received_at", "channel", "customer_id", "place", "status"]
        df = pd.DataFrame(rows, columns=None if rows else columns)
        for col in ("received_at", "last_event_at", "due_at", "at_risk_at", "next_wakeup"):
            if col in df.columns:
                df[col] = pd.to_datetime(df[col], utc=True)
        return df

    def explain(self, **criteria):
        """SQLite's query plan for a query (each criterion is served by an index)."""
        return self._a.explain(_query_json(criteria))

    def verify(self):
        """Number of snapshots that differ from a fresh derivation (0 = consistent)."""
        return self._a.verify_snapshots()

    def export(self, path, format=None, **criteria):
        """Writes the selected complaints to a JSONL or CSV file; returns the count."""
        path = _os.fspath(path)
        fmt = format or ("csv" if path.lower().endswith(".csv") else "jsonl")
        if fmt not in ("csv", "jsonl"):
            raise ValueError("format must be 'jsonl' or 'csv'")
        return self._a.export(path, fmt, _query_json(criteria))
