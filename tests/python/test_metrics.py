import json
import math
import os
import pickle
import random

import pytest

import complaintkit as ck
from complaintkit.metrics import Report, flatten

from conftest import SOURCE_DIR


def _shared_data():
    # ../shared/data beside the project (or beside the folder of worktrees), or $CK_SHARED_DATA
    cands = [os.environ.get("CK_SHARED_DATA", ""), SOURCE_DIR.parent / "shared" / "data",
             SOURCE_DIR.parent.parent / "shared" / "data"]
    for c in cands:
        if c and os.path.isdir(c):
            import pathlib
            return pathlib.Path(c)
    return SOURCE_DIR.parent / "shared" / "data"


SHARED_DATA = _shared_data()


def complaint(cid, branch, day, events=(), **extra):
    d = {"id": cid, "received_at": "2024-03-%02dT09:00:00Z" % day, "branch": branch, "events": list(events)}
    d.update(extra)
    return d


def ev(at, type_, **kw):
    d = {"at": at, "type": type_}
    d.update(kw)
    return d


def test_report_hand_computed_and_frames():
    r = Report({"group_by": ["branch"], "csat": {"scale": [1, 5], "top_box": 4}})
    r.add(complaint("A", "B1", 5, [ev("2024-03-05T11:00:00Z", "resolved", actor="li"),
                                   ev("2024-03-05T12:00:00Z", "follow_up", payload={"satisfaction": 5, "nps": 10})]))
    r.add(complaint("B", "B1", 6, [ev("2024-03-08T09:00:00Z", "resolved"),
                                   ev("2024-03-08T10:00:00Z", "follow_up", payload={"satisfaction": 3, "nps": 3})]))
    r.add(ck.Complaint.from_json(complaint("C", "B2", 7)))
    res = r.result()
    assert res["count"] == 3
    b1 = res["groups"][0]
    assert b1["key"] == {"branch": "B1"}
    assert b1["resolution_time"]["mean"] == (2 + 48) / 2 * 3600
    assert b1["csat"]["mean"] == 4
    assert b1["csat"]["top_box"]["share"] == 0.5
    assert b1["nps"]["score"] == 0
    assert b1["survey"]["response_rate"]["share"] == 1.0
    b2 = res["groups"][1]
    assert b2["csat"]["mean"] is None and b2["csat"]["reason"] == "no responses"
    frames = r.frames()
    try:
        import pandas as pd
    except ImportError:
        assert isinstance(frames["groups"], list)
    else:
        g = frames["groups"]
        assert isinstance(g, pd.DataFrame)
        assert list(g["key.branch"]) == ["B1", "B2"]
        assert list(g["count"]) == [2, 1]
        assert g.loc[0, "resolution_time.median"] == 25 * 3600
        assert math.isnan(g.loc[1, "csat.mean"])  # None in JSON
    assert "B1" in repr(r) or "branch" in repr(r)


def test_dicts_without_pandas(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_pandas(name, *a, **kw):
        if name == "pandas":
            raise ImportError("no pandas")
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    r = Report(group_by=["branch"])
    r.add(complaint("A", "B1", 5))
    f = r.frames()
    assert isinstance(f["groups"], list)
    assert f["groups"][0]["key.branch"] == "B1"
    assert f["groups"][0]["count"] == 1


def test_bad_input_messages_and_nothing_changes():
    r = Report(group_by=["branch"])
    with pytest.raises(ck.InvalidValueError) as e:
        r.add(complaint("X", "B1", 5, [ev("2024-03-06T10:00:00Z", "follow_up", payload={"satisfaction": 0})]))
    assert str(e.value) == 'complaint "X": /events/0/payload/satisfaction: score 0 is outside the scale 1–5'
    assert e.value.path == "/events/0/payload/satisfaction"
    assert r.count == 0
    sq = {"servqual": {"expectation": [5] * 22, "perception": [5] * 21 + [9]}}
    with pytest.raises(ck.InvalidValueError, match=r"/events/0/payload/servqual/perception/21: score 9 is outside the scale 1–7"):
        r.add(complaint("Y", "B1", 5, [ev("2024-03-06T10:00:00Z", "follow_up", payload=sq)]))
    with pytest.raises(ck.InvalidValueError, match=r"business_resolution_s is negative"):
        r.add(complaint("Z", "B1", 5), host={"business_resolution_s": -1})
    # batch: all or nothing
    good = complaint("G", "B1", 5)
    bad = complaint("X", "B1", 5, [ev("2024-03-06T10:00:00Z", "follow_up", payload={"nps": 12})])
    with pytest.raises(ck.InvalidValueError, match=r"^batch item 1: complaint \"X\": /events/0/payload/nps: score 12"):
        r.extend([good, bad])
    assert r.count == 0
    with pytest.raises(ck.InvalidValueError, match=r"/group_by/0: unknown facet \"colour\""):
        Report(group_by=["colour"])
    with pytest.raises(ck.InvalidValueError, match=r"weights must sum to 100 points"):
        Report(servqual={"weights": {"tangibles": 50, "reliability": 50, "responsiveness": 50, "assurance": 0,
                                     "empathy": 0}})


def test_empty_groups_give_null_and_reason_never_nan():
    r = Report()
    text = r.to_json()
    res = json.loads(text)
    assert res["total"]["nps"]["score"] is None
    assert res["total"]["resolution_time"]["reason"] == "no durations"
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail("non-finite constant " + c))


def _random_complaints(n, seed):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        events = []
        t = 9 * 60
        def at(m):
            nonlocal t
            t += m
            return "2024-03-%02dT%02d:%02d:00Z" % (1 + t // 1440, (t // 60) % 24, t % 60)
        if rnd.random() < 0.8:
            events.append(ev(at(rnd.randrange(300)), "acknowledged"))
        if rnd.random() < 0.7:
            events.append(ev(at(rnd.randrange(3000)), "resolved", actor="s%d" % rnd.randrange(4)))
            if rnd.random() < 0.5:
                events.append(ev(at(rnd.randrange(300)), "follow_up",
                                 payload={"satisfaction": rnd.randint(1, 5), "nps": rnd.randint(0, 10)}))
        out.append({"id": "R%d" % i, "received_at": "2024-03-01T09:00:00Z", "branch": "B%d" % rnd.randrange(3),
                    "channel": rnd.choice(["phone", "email", "web_form"]), "customer": {"id": "K%d" % rnd.randrange(40)},
                    "facets": {"cause": rnd.choice(["service", "price", "integrity"])}, "events": events})
    return out


def test_partitions_merge_exactly_and_pickle():
    cfg = {"group_by": ["branch", "channel"], "sla_hours": {"resolution": 24}}
    cs = _random_complaints(300, 7)
    whole = Report(cfg)
    whole.extend(cs)
    parts = [Report(cfg) for _ in range(4)]
    rnd = random.Random(1)
    for c in cs:
        rnd.choice(parts).add(c)
    # as Dask would: pickle each partition, then merge
    merged = pickle.loads(pickle.dumps(parts[0]))
    for p in parts[1:]:
        merged.merge(Report.from_state(p.state()))
    assert merged.to_json() == whole.to_json()
    with pytest.raises(ck.Error, match="different configurations"):
        merged.merge(Report(group_by=["staff"]))


def test_statistics_helpers():
    lo, hi = ck.metrics.wilson_interval(8, 10)
    assert lo == pytest.approx(0.49016247153664183, abs=1e-12)
    assert hi == pytest.approx(0.9433178485456247, abs=1e-12)
    assert ck.metrics.wilson_interval(0, 0) is None
    ice = ck.metrics.iceberg(100)
    assert ice["silent_dissatisfied"] == pytest.approx(1900)
    assert ck.metrics.iceberg(100, 0.04)["silent_dissatisfied"] == pytest.approx(2400)
    assert ck.metrics.t_quantile(0.975, 9) == pytest.approx(2.262157162798205, abs=1e-9)
    assert ck.metrics.normal_quantile(0.975) == pytest.approx(1.959963984540054, abs=1e-12)
    assert flatten({"a": {"b": 1, "ci": [0.1, 0.2]}, "items": [{"x": 1}]}) == {"a.b": 1, "a.ci.low": 0.1, "a.ci.high": 0.2}


def test_csv_reader():
    header, rows = ck.read_csv('id,text\r\n1,"a ""quoted""\nline"\r\n2,\r\n')
    assert header == ["id", "text"]
    assert rows == [["1", 'a "quoted"\nline'], ["2", ""]]
    header, rows = ck.read_csv(b"\xef\xbb\xbfx;y\n1;2", delimiter=";")
    assert header == ["x", "y"] and rows == [["1", "2"]]
    with pytest.raises(ck.ParseError, match=r"line 2, column 4: quote inside an unquoted field"):
        ck.read_csv('a,b\n1,x"y\n')
    with pytest.raises(ck.Error, match=r"cannot open"):
        ck.read_csv_file("/nonexistent/file.csv")


CFPB = SHARED_DATA / "cfpb-sample" / "complaints_sample.csv"


@pytest.mark.skipif(not CFPB.exists(), reason="shared CFPB sample not present")
def test_cfpb_sample_matches_pandas():
    pd = pytest.importorskip("pandas")
    # independent computation: pandas reads the file itself
    df = pd.read_csv(CFPB, dtype=str, keep_default_na=False)
    received = pd.to_datetime(df["Date received"])
    sent = pd.to_datetime(df["Date sent to company"])
    days = (sent - received).dt.days
    assert (days >= 0).all()

    # the library: its CSV reader, complaints, one report per facet
    header, rows = ck.read_csv_file(CFPB)
    assert len(rows) == len(df)
    col = {h: i for i, h in enumerate(header)}
    complaints = []
    for r in rows:
        complaints.append({
            "id": r[col["Complaint ID"]], "received_at": r[col["Date received"]], "product": r[col["Product"]],
            "attributes": {"submitted_via": r[col["Submitted via"]], "timely": r[col["Timely response?"]],
                           "disputed": r[col["Consumer disputed?"]]},
            # the CFPB forwards the complaint to the company: recorded as its acknowledgement
            "events": [{"at": r[col["Date sent to company"]], "type": "acknowledged"}],
        })
    rep = Report(group_by=["product"], repeat_window_days=0)
    rep.extend(complaints)
    res = rep.result()
    assert res["count"] == len(df)
    lib_products = {g["key"]["product"]: g["count"] for g in res["groups"]}
    assert lib_products == df["Product"].value_counts().to_dict()

    def counts(facet):
        r = Report(group_by=[facet], repeat_window_days=0)
        r.extend(complaints)
        return {g["key"][facet]: g["count"] for g in r.result()["groups"]}

    by_channel = {k: v for k, v in counts("attribute:submitted_via").items()}
    assert by_channel == df["Submitted via"].value_counts().to_dict()
    timely = counts("attribute:timely")
    assert timely["Yes"] / sum(timely.values()) == (df["Timely response?"] == "Yes").mean()
    disputed = counts("attribute:disputed")
    answered = df[df["Consumer disputed?"].isin(["Yes", "No"])]
    assert disputed["Yes"] / (disputed["Yes"] + disputed["No"]) == (answered["Consumer disputed?"] == "Yes").mean()

    ack = res["total"]["acknowledge_time"]
    assert ack["n"] == len(df) and ack["invalid"] == 0
    assert ack["mean"] / 86400 == pytest.approx(days.mean(), rel=1e-13)
    assert ack["median"] / 86400 == days.median()
    assert ack["p90"] / 86400 == pytest.approx(days.quantile(0.9), rel=1e-13)
    assert ack["max"] / 86400 == days.max()


def test_host_facts_business_time_sla_and_staff_credit():
    r = Report(group_by=["staff"])
    r.add(complaint("A", "B1", 5, [ev("2024-03-05T11:00:00Z", "resolved", actor="li")]),
          host={"business_resolution_s": 1800, "sla": {"resolution": True}, "staff": "wang"})
    r.add(complaint("B", "B1", 5, [ev("2024-03-05T11:00:00Z", "resolved", actor="li")]),
          host={"business_resolution_s": 5400, "sla": {"resolution": False}})
    res = {tuple(g["key"].values()): g for g in r.result()["groups"]}
    assert set(res) == {("wang",), ("li",)}  # the host's staff overrides the resolver
    assert r.result()["total"]["business_resolution_time"]["mean"] == 3600
    assert r.result()["total"]["sla"]["resolution"]["share"] == 0.5
    with pytest.raises(ck.InvalidValueError, match=r"/mood: unknown field"):
        r.add(complaint("C", "B1", 5), host={"mood": 1})
