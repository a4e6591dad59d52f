"""Handling workflow: business calendars, SLA clocks, commands and remedies.

>>> import complaintkit as ck
>>> wf = ck.Workflow()
>>> c = ck.Complaint.from_json({"id": "C1", "received_at": "2024-03-04T10:00:00+08:00"})
>>> wf.apply(c, {"command": "acknowledge", "at": "2024-03-04T10:30:00+08:00", "actor": "li"})
>>> ck.workflow_state(wf, c, "2024-03-04T11:00:00+08:00")["status"]
'acknowledged'
"""

import json as _json

from . import _complaintkit as _core

Calendar = _core.Calendar
Workflow = _core.Workflow
personality_strategy = _core.personality_strategy


def _instant(now):
    if isinstance(now, str):
        return _core.parse_timestamp(now)
    return now


def workflow_state(workflow, complaint, now):
    """The replayed state at `now` (datetime or ISO-8601 text) as a dict: status, level,
    owner_unit, targets with deadlines, warnings, breaches, escalations, remedies,
    next_wakeup, close_blockers."""
    return _json.loads(workflow.state_json(complaint, _instant(now)))


def deadlines_frame(workflow, complaints, now):
    """One row per (complaint, clock) with deadline, met and breach times (pandas DataFrame)."""
    import pandas as pd
    rows = []
    for c in complaints:
        s = workflow_state(workflow, c, now)
        for t in s["targets"]:
            rows.append({"id": c.id, "status": s["status"], "level": s["level"], "target": t["target"],
                         "cycle": t["cycle"], "policy": t["policy"], "deadline": t["deadline"],
                         "met_at": t["met_at"], "breached_at": t["breached_at"], "paused": t["paused"]})
    return pd.DataFrame(rows)
