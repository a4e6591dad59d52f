import datetime as dt
import json

import pytest

import complaintkit as ck

FULL = {
    "id": "CK-PY-1",
    "received_at": "2024-07-01T10:05:00+08:00",
    "channel": "phone",
    "customer": {"id": "CU-1", "name": "王女士", "tier": "key_account", "personality": "powerful"},
    "branch": "SZ-01",
    "region": ["广东省", "深圳市"],
    "product": "空调",
    "amounts": {"paid": {"minor": 329900, "currency": "CNY"}},
    "language": "zh-Hans",
    "text": "约好上午安装，师傅下午五点才来。",
    "remedy_sought": {"types": ["apology", "compensation"], "text": "道歉", "amount": {"minor": 20000, "currency": "CNY"}},
    "attributes": {"waited_hours": 8, "rating": 1.5, "ok": False, "who": "李师傅",
                   "promised_at": {"time": "2024-06-30T09:00:00+08:00"},
                   "fee": {"minor": 1500, "currency": "CNY"}},
    "facets": {"category": "after_sales", "cause": "service", "sub_cause": "broken_appointment",
               "severity": "moderate", "tags": ["安装"]},
    "events": [
        {"at": "2024-07-01T10:05:00+08:00", "type": "received", "actor": "hotline"},
        {"at": "2024-07-01T11:00:00+08:00", "type": "escalated", "payload": {"level": 1}},
    ],
}


def test_from_dict_and_attribute_access():
    c = ck.Complaint.from_json(FULL)
    assert c.id == "CK-PY-1"
    assert c.channel == "phone"
    assert c.received_at == dt.datetime(2024, 7, 1, 2, 5, tzinfo=dt.timezone.utc)
    assert c.received_at.utcoffset() == dt.timedelta(hours=8)
    assert c.customer["tier"] == "key_account"
    assert c.tier == "key_account"
    assert c.customer_id == "CU-1"
    assert c.region == ["广东省", "深圳市"]
    assert c.amounts["paid"] == ck.Money(329900, "CNY")
    assert c.amounts["paid"].minor == 329900
    assert c.remedy_sought["types"] == ["apology", "compensation"]
    assert c.remedy_sought["amount"].currency == "CNY"
    a = c.attributes
    assert a["waited_hours"] == 8 and isinstance(a["waited_hours"], int)
    assert a["rating"] == 1.5
    assert a["ok"] is False
    assert a["who"] == "李师傅"
    assert a["promised_at"].utcoffset() == dt.timedelta(hours=8)
    assert a["fee"] == ck.Money(1500, "CNY")
    assert c.facets["sub_cause"] == "broken_appointment"
    assert len(c.events) == 2
    assert c.events[1].type == "escalated"
    assert c.events[1].payload == {"level": 1}
    assert c.events[0].actor == "hotline"
    assert "CK-PY-1" in repr(c)


def test_round_trip_json_and_dict():
    c = ck.Complaint.from_json(json.dumps(FULL, ensure_ascii=False))
    assert ck.Complaint.from_json(c.to_json()) == c
    assert ck.Complaint.from_json(c.to_dict()) == c
    assert c.to_dict()["attributes"]["promised_at"] == {"time": "2024-06-30T09:00:00+08:00"}
    assert json.loads(c.to_json(pretty=True)) == c.to_dict()
    # bytes in
    assert ck.Complaint.from_json(c.to_json().encode()) == c


def test_setters_validate_codes():
    c = ck.Complaint.from_json(FULL)
    c.channel = "email"
    assert c.channel == "email"
    with pytest.raises(ck.UnknownCodeError) as e:
        c.channel = "pigeon"
    assert "pigeon" in str(e.value)
    c.text = "新文本"
    assert c.to_dict()["text"] == "新文本"


@pytest.mark.parametrize("patch,exc,path,msg", [
    ({"channel": "telephone"}, ck.UnknownCodeError, "/channel", 'unknown channel code "telephone"'),
    ({"amounts": {"paid": {"minor": -5, "currency": "CNY"}}}, ck.InvalidValueError, "/amounts/paid/minor",
     "money must not be negative"),
    ({"events": [{"at": "2024-07-02T00:00Z", "type": "received"}, {"at": "2024-07-01T00:00Z", "type": "note"}]},
     ck.OutOfOrderError, "/events/1/at", "event is earlier than the previous event"),
    ({"events": [{"at": "2024-13-01T00:00Z", "type": "received"}]}, ck.InvalidValueError, "/events/0/at",
     "not an ISO-8601 timestamp"),
    ({"received_at": None}, ck.MissingFieldError, "/received_at", "required field is missing"),
    ({"shoe_size": 42}, ck.InvalidValueError, "/shoe_size", "unknown field"),
])
def test_bad_input_raises_with_path(patch, exc, path, msg):
    d = dict(FULL)
    d.update(patch)
    if d.get("received_at") is None:
        del d["received_at"]
    with pytest.raises(exc) as e:
        ck.Complaint.from_json(d)
    assert e.value.path == path
    assert msg in str(e.value)
    assert str(e.value).startswith(path + ": ")
    assert isinstance(e.value, ck.Error)


def test_error_hierarchy():
    assert issubclass(ck.InvalidUtf8Error, ck.InputError)
    assert issubclass(ck.InvalidUtf8Error, UnicodeError)
    assert issubclass(ck.InputError, ValueError)
    assert issubclass(ck.OutOfOrderError, ck.StateError)
    assert issubclass(ck.NotFoundError, KeyError)
    with pytest.raises(ck.ParseError) as e:
        ck.Complaint.from_json("{not json")
    assert e.value.code == "parse"
    assert "malformed JSON at line 1" in str(e.value)
    with pytest.raises(ck.InvalidUtf8Error) as e:
        ck.Complaint.from_json(b'{"id":"A","received_at":"2024-01-01","text":"\xff"}')
    assert e.value.path == "/text"
    assert e.value.detail == "invalid UTF-8 at byte 0"
    with pytest.raises(TypeError):
        ck.Complaint.from_json(42)


def test_append_event():
    c = ck.Complaint.from_json(FULL)
    c.append_event({"at": "2024-07-01T12:00:00+08:00", "type": "note", "text": "回电"})
    assert len(c.events) == 3
    with pytest.raises(ck.OutOfOrderError) as e:
        c.append_event({"at": "2024-07-01T09:00:00+08:00", "type": "note"})
    assert e.value.path == "/events/3/at"
    assert len(c.events) == 3


def test_taxonomies_with_labels():
    assert ck.Category.product_quality.code == "product_quality"
    assert ck.Category.product_quality.label("zh-Hans") == "产品质量"
    assert ck.Category.product_quality.label("zh-Hant") == "產品品質"
    assert ck.Category.product_quality.label() == "Product quality"
    assert ck.Dimension.empathy.label("zh-TW") == "同理度"
    assert int(ck.SubCause.label_mismatch) == 15
    assert ck.Severity.critical > ck.Severity.serious
    assert ck.label("cause", "price", "zh-Hant") == "價格問題"
    assert "sub_cause" in ck.taxonomy_names()
    assert [p.code for p in ck.Personality if p.code != "unknown"] == ["perfectionist", "powerful", "lively", "peaceful"]
    assert ck.SubCause.label_mismatch.parent is ck.Cause.service
    assert ck.Subcategory.wrong_item.parent is ck.Category.logistics
    assert ck.Category.logistics.parent is None
    assert ck.taxonomy("channel").from_code("suggestion_book").label("zh-Hans") == "意见簿"
    with pytest.raises(ck.UnknownCodeError):
        ck.Channel.from_code("pigeon")
    with pytest.raises(ValueError):
        ck.Category.other.label("fr")
    with pytest.raises(ValueError):
        ck.taxonomy("colour")


def test_money_validation():
    assert ck.Money(5, "USD") == ck.Money(5, "USD")
    with pytest.raises(ck.InvalidValueError):
        ck.Money(-1, "USD")
    with pytest.raises(ck.InvalidValueError):
        ck.Money(1, "usd")


def test_load_jsonl_sample(sample_path):
    cs = ck.load_jsonl(sample_path)
    assert len(cs) >= 60
    assert len({c.id for c in cs}) == len(cs)
    langs = {c.language for c in cs}
    assert {"zh-Hans", "zh-Hant", "en"} <= langs
    for c in cs:
        assert ck.Complaint.from_json(c.to_json()) == c


def test_load_jsonl_reports_line():
    text = '{"id":"A","received_at":"2024-01-01"}\n{"id":"B"}\n'
    with pytest.raises(ck.MissingFieldError) as e:
        ck.load_jsonl(text)
    assert str(e.value) == "line 2: /received_at: required field is missing"


def test_to_frame(sample_path):
    pd = pytest.importorskip("pandas")
    df = ck.to_frame(ck.load_jsonl(sample_path))
    assert isinstance(df, pd.DataFrame)
    assert len(df) >= 60
    assert {"id", "received_at", "channel", "category", "severity"} <= set(df.columns)


def test_version():
    assert ck.__version__.count(".") == 2
