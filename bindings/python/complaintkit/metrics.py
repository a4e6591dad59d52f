"""Satisfaction and complaint metrics (docs/metrics.md).

A :class:`Report` gathers a chosen set of metrics over complaints, grouped by facets
(``branch``, ``month``, ``region:1``, ``staff``, ``attribute:NAME`` …). Reports merge
exactly: partitions computed apart (Dask, processes, machines) and merged give the
same result as one report over everything; a report pickles through its JSON state.

>>> from complaintkit.metrics import Report
>>> r = Report({"group_by": ["branch"]})
>>> r.add({"id": "A", "received_at": "2024-03-05T09:00:00Z", "branch": "B1"})
>>> r.result()["count"]
1

``result()`` is a dict (JSON); ``frames()`` gives pandas DataFrames where pandas is
installed and lists of flat dicts otherwise.
"""

import json as _json

from . import _complaintkit as _core

__all__ = ["Report", "wilson_interval", "iceberg", "t_quantile", "normal_quantile", "read_csv", "read_csv_file",
           "flatten"]


def _complaint(c):
    if isinstance(c, _core.Complaint):
        return c
    return _core.Complaint.from_json(c)


class Report:
    """Metrics over a set of complaints.

    ``config`` is a dict or JSON text (docs/metrics.md "Report configuration"); keyword
    arguments are merged into it: ``Report(group_by=["branch", "month"])``.
    """

    def __init__(self, config=None, **kwargs):
        if isinstance(config, _core._Report):
            self._r = config
            return
        if kwargs:
            base = {} if config is None else (_json.loads(config) if isinstance(config, (str, bytes)) else dict(config))
            base.update(kwargs)
            config = base
        self._r = _core._Report(config)

    # -- feeding
    def add(self, complaint, host=None):
        """Add one complaint (a Complaint, a dict or JSON text). ``host``: facts from the
        workflow engine as a dict: ``business_resolution_s``, ``sla`` {target: met}, ``staff``."""
        self._r.add(_complaint(complaint), host)
        return None

    def extend(self, complaints, hosts=None):
        """Add many complaints, all or nothing (the GIL is released while adding)."""
        cs = [_complaint(c) for c in complaints]
        if hosts is not None:
            hosts = list(hosts)
        self._r.add_batch(cs, hosts)

    def merge(self, other):
        """Merge another report of the same configuration into this one (exact)."""
        self._r.merge(other._r)
        return self

    @property
    def count(self):
        return self._r.count

    @property
    def config(self):
        return _json.loads(self._r.config_json())

    # -- results
    def result(self):
        """The results as a dict; values that cannot be computed are None with a "reason"."""
        return _json.loads(self._r.result_json())

    def to_json(self, pretty=False):
        return self._r.result_json(pretty)

    def frames(self):
        """Tables of the result: "groups" (one row per group, nested metrics flattened to
        dotted columns), "total", "pareto", "trend", "lift", "churn_risk". DataFrames when
        pandas is installed, else lists of flat dicts."""
        res = self.result()
        tables = {
            "groups": [dict({("key." + k): v for k, v in g.get("key", {}).items()},
                            **flatten({k: v for k, v in g.items() if k != "key"})) for g in res.get("groups", [])],
            "total": [flatten(res.get("total", {}))],
        }
        for name in ("pareto", "trend", "lift"):
            if name in res:
                tables[name] = [flatten(r) for r in res[name].get("rows", [])]
        if "churn_risk" in res:
            tables["churn_risk"] = [dict(r, reasons="; ".join(r["reasons"])) for r in res["churn_risk"]]
        try:
            import pandas as pd
        except ImportError:
            return tables
        return {k: pd.DataFrame(v) for k, v in tables.items()}

    # -- state
    def state(self):
        """The complete state as JSON bytes, for another process to restore and merge."""
        return self._r.state_json()

    @classmethod
    def from_state(cls, state):
        return cls(_core._Report.from_state_json(state))

    def __getstate__(self):
        return {"state": self.state()}

    def __setstate__(self, d):
        self._r = _core._Report.from_state_json(d["state"])

    def __repr__(self):
        cfg = self.config
        return "<complaintkit.metrics.Report count={} group_by={}>".format(self.count, cfg.get("group_by"))


def flatten(d, prefix=""):
    """Nested dicts to one level with dotted keys; lists of numbers ([low, high]
    intervals) become .low / .high; other lists are left out (SERVQUAL items)."""
    out = {}
    for k, v in d.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, list):
            if len(v) == 2 and all(isinstance(x, (int, float)) for x in v) and k in ("ci", "mean_ci", "scale"):
                out[key + ".low"], out[key + ".high"] = v
            elif all(not isinstance(x, (dict, list)) for x in v):
                out[key] = v
        else:
            out[key] = v
    return out


def wilson_interval(k, n, confidence=0.95):
    """Wilson score interval (low, high) of k/n, or None when n is 0."""
    return _core._wilson_interval(k, n, confidence)


def iceberg(complaints, complaint_rate=0.05, confidence=0.95):
    """Silent dissatisfied customers behind a complaint count (seed 000: 5 %; TARP: 4 %)."""
    return _core._iceberg(complaints, complaint_rate, confidence)


def t_quantile(p, df):
    return _core._t_quantile(p, df)


def normal_quantile(p):
    return _core._normal_quantile(p)


def read_csv(text, delimiter=","):
    """RFC 4180 CSV text (str or bytes, first row the header) → (header, rows)."""
    return _core._read_csv(text, delimiter)


def read_csv_file(path, delimiter=","):
    """An RFC 4180 CSV file → (header, rows); errors name the line and column."""
    import os
    return _core._read_csv_file(os.fspath(path), delimiter)
