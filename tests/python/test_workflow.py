import datetime as dt
import json
import os

import pytest

import complaintkit as ck

CN = dt.timezone(dt.timedelta(hours=8))


def complaint(**facets):
    return ck.Complaint.from_json({
        "id": "C1", "received_at": "2024-03-04T10:00:00+08:00", "channel": "phone",
        "branch": "新街口店", "region": ["江苏省", "南京市"], "customer": {"id": "K", "owner": "wang"},
        "facets": facets,
    })


def test_calendar_guoqing_with_make_up_day():
    cal = ck.Calendar.from_json({
        "zone": "Asia/Shanghai" if os.path.exists("/usr/share/zoneinfo/Asia/Shanghai") else "CST-8",
        "hours": {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [{"date": f"2024-10-0{d}", "name": "国庆节"} for d in (1, 2, 3, 4, 7)],
        "working_days": [{"date": "2024-09-29", "name": "国庆调休"}, {"date": "2024-10-12", "name": "国庆调休"}],
    })
    start = dt.datetime(2024, 9, 30, 17, 0, tzinfo=CN)
    assert cal.add(start, dt.timedelta(hours=8)) == dt.datetime(2024, 10, 8, 17, 0, tzinfo=CN)
    assert cal.add(start, 480) == dt.datetime(2024, 10, 8, 17, 0, tzinfo=CN)  # minutes
    assert cal.business_between(start, dt.datetime(2024, 10, 8, 17, 0, tzinfo=CN)) == dt.timedelta(hours=8)
    assert cal.is_open(dt.datetime(2024, 10, 12, 9, 30, tzinfo=CN))
    assert not cal.is_open("2024-10-05T10:00:00+08:00")
    assert cal.next_open("2024-09-28T10:00:00+08:00") == dt.datetime(2024, 9, 29, 9, 0, tzinfo=CN)
    assert cal.end_of_business_day("2024-09-30T18:30:00+08:00") == dt.datetime(2024, 10, 8, 18, 0, tzinfo=CN)
    steps = cal.explain_add(start, 480)
    assert steps[-1] == "deadline 2024-10-08T17:00:00+08:00"
    assert any("国庆节" in s for s in steps)
    assert "Calendar" in repr(cal)


def test_calendar_new_york_dst():
    cal = ck.Calendar.from_json({"zone": "EST5EDT,M3.2.0,M11.1.0",
                                 "hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})
    assert cal.business_between("2024-03-10T00:00:00-05:00", "2024-03-11T00:00:00-04:00") == dt.timedelta(hours=23)
    assert cal.business_between("2024-11-03T00:00:00-04:00", "2024-11-04T00:00:00-05:00") == dt.timedelta(hours=25)


@pytest.mark.parametrize("cal, message", [
    ({"zone": "UTC", "hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "/hours/mon/1: interval 11:00–13:00 overlaps 09:00–12:00"),
    ({"zone": "UTC", "hours": {"mon": [["12:00", "09:00"]]}}, "inverted or empty"),
    ({"zone": "Mars/Olympus_Mons", "hours": {}}, "/zone: unknown time zone \"Mars/Olympus_Mons\""),
    ({"zone": "UTC", "hours": {}, "holidays": [{"date": "2023-02-29"}]}, "/holidays/0/date: invalid date 2023-02-29"),
])
def test_calendar_bad_input(cal, message):
    with pytest.raises(ck.InvalidValueError, match=None) as e:
        ck.Calendar.from_json(cal)
    assert message in str(e.value)


def test_lifecycle_deadlines_and_replay():
    wf = ck.Workflow()
    c = complaint()
    s = ck.workflow_state(wf, c, "2024-03-04T10:05:00+08:00")
    ack = [t for t in s["targets"] if t["target"] == "acknowledge"][0]
    assert ack["deadline"] == "2024-03-04T18:00:00+08:00"  # same business day
    assert wf.next_wakeup(c, "2024-03-04T10:05:00+08:00") == dt.datetime(2024, 3, 4, 16, 15, tzinfo=CN)

    wf.apply(c, {"command": "acknowledge", "at": "2024-03-04T10:30:00+08:00", "actor": "li"})
    wf.apply(c, {"command": "start_investigation", "at": "2024-03-04T10:40:00+08:00"})
    wf.apply(c, json.dumps({"command": "propose_remedy", "at": "2024-03-04T11:00:00+08:00",
                            "remedies": [{"type": "refund", "amount": {"minor": 500, "currency": "CNY"},
                                          "cost": {"minor": 500, "currency": "CNY"}}]}))
    wf.apply(c, {"command": "accept_remedy", "at": "2024-03-04T11:30:00+08:00", "actor": "customer"})
    wf.apply(c, {"command": "resolve", "at": "2024-03-04T14:00:00+08:00"})
    wf.apply(c, {"command": "follow_up", "at": "2024-03-05T10:00:00+08:00", "satisfaction": 5})
    wf.apply(c, {"command": "close", "at": "2024-03-05T10:05:00+08:00"})
    s = ck.workflow_state(wf, c, "2024-03-06T00:00:00+08:00")
    assert s["status"] == "closed"
    assert s["granted_cost"] == {"CNY": 500}
    assert s["satisfaction"] == 5
    assert s["next_wakeup"] is None
    assert len(c.events) == 7
    again = ck.Complaint.from_json(c.to_json())
    assert wf.state_json(again, "2024-03-06T00:00:00+08:00") == wf.state_json(c, "2024-03-06T00:00:00+08:00")
    frame_rows = None
    try:
        frame_rows = len(ck.deadlines_frame(wf, [c], "2024-03-06T00:00:00+08:00"))
    except ImportError:
        pass
    assert frame_rows in (None, 7)  # ack, first response, 3 update cycles, resolution, follow-up


def test_breach_escalates_up_the_chain():
    wf = ck.Workflow()
    c = complaint()
    s = ck.workflow_state(wf, c, "2024-03-04T18:30:00+08:00")
    assert s["level"] == 1 and s["level_name"] == "city" and s["owner_unit"] == "南京市"
    assert s["breaches"][0]["target"] == "acknowledge"
    assert s["escalations"][0]["reason"] == "breach:acknowledge"
    assert wf.record_sla_events(c, "2024-03-04T18:30:00+08:00") == 3
    assert wf.record_sla_events(c, "2024-03-04T18:30:00+08:00") == 0
    assert [e.type for e in c.events] == ["sla_warning", "sla_warning", "sla_breached"]
    assert ck.workflow_state(wf, c, "2024-03-04T18:30:00+08:00")["level"] == 1


def test_bad_commands_change_nothing():
    wf = ck.Workflow()
    c = complaint(severity="serious")
    with pytest.raises(ck.IllegalTransitionError, match="resolve is not allowed in state received: acknowledge it first"):
        wf.apply(c, {"command": "resolve", "at": "2024-03-04T10:10:00+08:00"})
    with pytest.raises(ck.OutOfOrderError, match="is earlier than the last event"):
        wf.apply(c, {"command": "acknowledge", "at": "2024-03-04T09:00:00+08:00"})
    with pytest.raises(ck.UnknownCodeError, match='unknown command "fly"'):
        wf.apply(c, {"command": "fly", "at": "2024-03-04T11:00:00+08:00"})
    assert len(c.events) == 0
    wf.apply(c, {"command": "acknowledge", "at": "2024-03-04T10:30:00+08:00"})
    wf.apply(c, {"command": "resolve", "at": "2024-03-04T11:00:00+08:00"})
    wf.apply(c, {"command": "follow_up", "at": "2024-03-04T12:00:00+08:00", "satisfaction": 3})
    with pytest.raises(ck.IllegalTransitionError, match="corrective action"):
        wf.apply(c, {"command": "close", "at": "2024-03-04T13:00:00+08:00"})
    assert len(c.events) == 3


def test_policy_errors_and_custom_policy():
    with pytest.raises(ck.UnknownCodeError, match='/policies/0/pause_states/0: unknown status code "napping"'):
        ck.Workflow.from_json({"policies": [{"id": "p", "pause_states": ["napping"]}]})
    wf = ck.Workflow.from_json({"policies": [{"id": "fast", "targets": {"acknowledge": {"calendar_minutes": 15}}}]})
    assert wf.policy_ids == ["fast"]
    c = complaint()
    assert wf.next_wakeup(c, "2024-03-04T10:00:00+08:00") == dt.datetime(2024, 3, 4, 10, 15, tzinfo=CN)
    assert "standard" in ck.Workflow.default_json()
    lines = ck.Workflow().explain(c, "2024-03-04T11:00:00+08:00", "acknowledge")
    assert lines[0].startswith("acknowledge cycle 0 under policy standard")
    assert lines[-1] == "deadline 2024-03-04T18:00:00+08:00"
    with pytest.raises(ck.UnknownCodeError):
        ck.Workflow().explain(c, "2024-03-04T11:00:00+08:00", "lunch")


def test_remedies_and_strategies():
    wf = ck.Workflow()
    recs = wf.recommend(complaint(cause="product_quality"), "zh-Hant")
    assert [r["type"] for r in recs] == ["apology", "replacement", "refund"]
    assert "絕不能把同一件商品還給顧客" in recs[1]["note"]
    assert ck.personality_strategy("powerful", "zh-Hans").startswith("力量型")
    assert "fastest" in ck.personality_strategy("powerful")
    with pytest.raises(ck.UnknownCodeError):
        ck.personality_strategy("grumpy")
    with pytest.raises(ck.Error):
        wf.recommend(complaint(), "fr")
