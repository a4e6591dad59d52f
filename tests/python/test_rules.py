"""Python surface of the rule engine: RuleSet, Classification, classify_many, classify_frame."""
import json
import threading
import time

import pytest

import complaintkit as ck

PACK = {
    "version": 1,
    "name": "py-test",
    "rules": [
        {"id": "attitude", "when": {"text_any": ["态度差", "rude"]},
         "set": {"category": "service_quality", "sub_cause": "poor_attitude"}},
        {"id": "fee", "when": {"text_any": ["fee"]}, "set": {"tags": ["fee"]}},
        {"id": "phone", "when": {"channel": ["phone"]}, "set": {"reasonable": True}},
    ],
}


def test_default_pack_classifies_the_three_scripts():
    rs = ck.RuleSet.default()
    assert rs.name == "complaintkit-default"
    assert rs.rule_count >= 80 and rs.keyword_count >= 1000
    assert rs.warnings == []
    for text in ("店员态度很差，还翻白眼", "店員態度很差，還翻白眼", "The clerk was rude and rolled her eyes"):
        c = rs.classify(text)
        assert c.category == "service_quality", text
        assert c.sub_cause == "poor_attitude", text
        assert c.kind == "grievance"
    assert rs.classify("我要打12315投诉").severity == "critical"
    assert "regulator" in rs.classify("我要打12315投诉").tags


def test_evidence_offsets_are_python_string_indices():
    rs = ck.RuleSet.compile(PACK)
    text = "Ｆｅｅ多收，店員態度差！"
    c = rs.classify(text)
    hits = {h["keyword"]: h for e in c.evidence for h in e["hits"]}
    assert text[hits["态度差"]["start"]:hits["态度差"]["end"]] == "態度差"
    assert text[hits["fee"]["start"]:hits["fee"]["end"]] == "Ｆｅｅ"
    raw = text.encode()
    assert raw[hits["态度差"]["byte_start"]:hits["态度差"]["byte_end"]].decode() == "態度差"
    assert c.rules == ["attitude", "fee"]
    assert c.fired("fee") and not c.fired("phone")
    d = c.to_dict()
    assert d["facets"]["sub_cause"] == "poor_attitude"
    assert json.loads(c.to_json())["evidence"][0]["rule"] == "attitude"
    assert "poor_attitude" in repr(c)


def test_word_boundaries_and_explain():
    rs = ck.RuleSet.compile(PACK)
    assert not rs.classify("thanks for the feedback").fired("fee")
    c = rs.classify("thanks for the feedback", explain=True)
    reasons = {m["rule"]: m["reason"] for m in c.misses}
    assert reasons["fee"] == "/rules/1/when/text_any: no keyword of text_any matched (0 of 1)"
    assert reasons["phone"].endswith("no complaint record: channel unknown")


def test_classify_a_complaint_record():
    rs = ck.RuleSet.compile(PACK)
    comp = ck.Complaint.from_json({"id": "C1", "received_at": "2024-03-05T09:12:00+08:00",
                                   "channel": "phone", "title": "態度差", "text": "rude again"})
    c = rs.classify(comp)
    assert c.facets["reasonable"] is True
    fields = [h["field"] for e in c.evidence for h in e["hits"]]
    assert fields == ["title", "text"]


def test_compile_errors_list_every_problem():
    bad = {"version": 1, "name": "x", "rules": [
        {"id": "a", "when": {"text_any": []}, "set": {"category": "nope"}},
        {"id": "a", "when": {"regex": "("}, "set": {"tags": ["t"]}}]}
    with pytest.raises(ck.CompileError) as e:
        ck.RuleSet.compile(bad)
    msg = str(e.value)
    assert '/rules/0/when/text_any: rule "a": empty keyword list' in msg
    assert '/rules/0/set/category: rule "a": unknown category code "nope"' in msg
    assert '/rules/1/id: duplicate rule id "a" (first at /rules/0)' in msg
    assert '/rules/1/when/regex: rule "a": bad regex' in msg
    lint = ck.RuleSet.lint(bad)
    assert {d["path"] for d in lint} >= {"/rules/0/when/text_any", "/rules/1/when/regex"}
    assert all(d["level"] == "error" for d in lint)
    with pytest.raises(ck.ParseError):
        ck.RuleSet.compile('{"version": 1,')
    with pytest.raises(TypeError):
        ck.RuleSet.compile(42)


def test_utf8_modes_and_empty_text():
    rs = ck.RuleSet.compile(PACK)
    with pytest.raises(ck.InvalidUtf8Error) as e:
        rs.classify(b"rude \xff")
    assert "invalid UTF-8 at byte 5" in str(e.value)
    c = rs.classify(b"rude \xff", lenient=True)
    assert c.replaced_invalid_utf8 == 1 and c.fired("attitude")
    for empty in ("", "   ", None):
        c = rs.classify(empty)
        assert c.empty_text and c.category is None and c.rules == []


def test_classify_many_keeps_order_and_matches_single_calls():
    rs = ck.RuleSet.default()
    texts = ["快递一周没到", "店員態度差", "I was charged twice", "", "建议增加夜间营业"] * 50
    many = rs.classify_many(texts, threads=4)
    assert len(many) == len(texts)
    for t, c in zip(texts, many):
        assert c == rs.classify(t)
    assert rs.classify_many(iter(texts[:5]), threads=1) == many[:5]
    comp = ck.Complaint.from_json({"id": "C2", "received_at": "2024-03-05T09:12:00Z", "text": "店員態度差"})
    mixed = rs.classify_many(["快递一周没到", comp])
    assert mixed[1].sub_cause == "poor_attitude"
    with pytest.raises(ck.InvalidUtf8Error) as e:
        rs.classify_many(["ok", b"\xff"])
    assert str(e.value).startswith("item 1: ")


def test_classify_many_on_threads_overlaps_and_equals_one_thread():
    # above 256 items and on several threads the results are made into Python objects while
    # the batch is still classifying: same results, same order, same errors
    rs = ck.RuleSet.default()
    texts = ["快递一周没到", "店員態度差", "I was charged twice", "", None, "建议增加夜间营业",
             b"rude agent, I will call the regulator"] * 700
    one = rs.classify_many(texts, threads=1)
    for threads in (2, 3, 0):
        assert rs.classify_many(texts, threads=threads) == one
    assert rs.classify_many(texts, threads=2, evidence="rules") == rs.classify_many(texts, threads=1, evidence="rules")
    comp = ck.Complaint.from_json({"id": "C2", "received_at": "2024-03-05T09:12:00Z", "text": "店員態度差"})
    mixed = rs.classify_many(texts[:600] + [comp], threads=2)
    assert mixed[:600] == one[:600] and mixed[600].sub_cause == "poor_attitude"
    bad = list(texts)
    bad[2345] = b"ok \xff"
    with pytest.raises(ck.InvalidUtf8Error) as e:
        rs.classify_many(bad, threads=2)
    assert str(e.value).startswith("item 2345: ")
    lenient = rs.classify_many(bad, threads=2, lenient=True)
    assert len(lenient) == len(bad) and lenient[2345].replaced_invalid_utf8 == 1


@pytest.mark.parametrize("method,threads", [("classify_many", 2), ("classify_many", 1), ("classify_batch", 2),
                                            ("classify_batch", 1)])
def test_long_batches_stop_on_ctrl_c(method, threads):
    # a notebook user interrupting a long batch gets a KeyboardInterrupt from the call (the
    # native batch is cancelled), not a wait for the whole batch
    import _thread
    rs = ck.RuleSet.default()
    texts = ["hello there, nothing to see"] * 600_000
    timer = threading.Timer(0.02, _thread.interrupt_main)
    timer.start()
    try:
        getattr(rs, method)(texts, threads=threads, evidence="rules")
    except KeyboardInterrupt:
        pass
    else:  # the whole batch ran before the timer fired: nothing to test on this machine
        try:
            timer.join()
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        pytest.skip("the batch finished before the interrupt")
    timer.join()
    assert rs.classify_many(texts[:1000], threads=2) == rs.classify_many(texts[:1000], threads=1)


def ticks_during(work):
    """How often another Python thread ticked (every millisecond) while work() ran: a call
    that holds the GIL in native code lets it tick once or twice at most."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        work()
    finally:
        stop.set()
        t.join()
    return len(ticks)


def test_classify_many_releases_the_gil():
    rs = ck.RuleSet.default()
    texts = ["快递一个星期了还没到，客服也不回复，太气人了"] * 20000
    for threads in (1, 2):  # (2: the overlapped path, which waits for results without the GIL)
        assert ticks_during(lambda: rs.classify_many(texts, threads=threads)) > 3


def test_compile_and_lint_release_the_gil():
    pack = ck.RuleSet.default_pack_json()  # (≈ 60–100 ms of native work each)
    assert ticks_during(lambda: ck.RuleSet.compile(pack)) > 3
    assert ticks_during(lambda: ck.RuleSet.lint(pack)) > 3


def test_classify_frame():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"body": ["快递一周没到", "店員態度差", None, "hidden fee on my bill"]}, index=[10, 11, 12, 13])
    out = ck.classify_frame(df, text="body")
    assert list(out.index) == [10, 11, 12, 13]
    assert out.loc[10, "category"] == "logistics"
    assert out.loc[11, "sub_cause"] == "poor_attitude"
    assert out.loc[12, "category"] is None and out.loc[12, "rules"] == []
    assert {"kind", "severity", "tags", "score", "rules"} <= set(out.columns)
    with pytest.raises(KeyError):
        ck.classify_frame(df, text="missing")
    custom = ck.classify_frame(df, text="body", rules=ck.RuleSet.compile(PACK), prefix="rb_")
    assert custom.loc[11, "rb_sub_cause"] == "poor_attitude"


def test_normalize():
    text, offsets = ck.normalize("ＦＥＥ態度")
    assert text == "fee态度"
    assert len(offsets) == len(text.encode()) + 1
    assert offsets[-1] == len("ＦＥＥ態度".encode())
    assert ck.normalize_text("發票 ＡＢＣ") == "发票 abc"


def test_classify_many_lean_evidence_keeps_facets_and_rules():
    rs = ck.RuleSet.default()
    texts = ["快递一周没到，客服态度差", "店員態度差", "I was charged twice for the same order", "",
             "建议增加夜间营业"] * 20
    full = rs.classify_many(texts, threads=2)
    lean = rs.classify_many(texts, threads=2, evidence="rules")
    assert any(e["hits"] for c in full for e in c.evidence)
    for f, l in zip(full, lean):
        assert l.facets == f.facets and l.score == f.score and l.rules == f.rules
        assert [(e["rule"], e["score"], e["decided"]) for e in l.evidence] == \
            [(e["rule"], e["score"], e["decided"]) for e in f.evidence]
        assert all(e["hits"] == [] for e in l.evidence)
    assert rs.classify_many(texts[:3], evidence="full") == full[:3]
    with pytest.raises(ValueError, match='evidence must be "full" or "rules", not "some"'):
        rs.classify_many(texts, evidence="some")


def test_classify_batch_columns_equal_classify_many():
    np = pytest.importorskip("numpy")
    rs = ck.RuleSet.default()
    comp = ck.Complaint.from_json({"id": "C3", "received_at": "2024-03-05T09:12:00Z", "text": "店員態度差"})
    texts = ["快递一周没到，客服态度差", "店員態度差", "I was charged twice for the same order", "", None,
             "建议增加夜间营业", b"\xe5\xbf\xab\xe9\x80\x92\xe6\xb2\xa1\xe5\x88\xb0"] * 30
    for evidence in ("rules", "full"):
        many = rs.classify_many(texts, threads=2, evidence=evidence)
        batch = rs.classify_batch(iter(texts), threads=2, evidence=evidence)
        assert len(batch) == len(texts)
        assert batch[0] == many[0] and batch[-1] == many[-1]
        assert list(batch) == many and batch.to_list() == many
        for facet in ("kind", "category", "subcategory", "cause", "sub_cause", "attribution", "dimension",
                      "severity", "personality", "motive", "tags"):
            assert batch.facet(facet) == [c.facets[facet] for c in many], facet
        assert batch.facet("reasonable") == [None] * len(texts)
        assert isinstance(batch.scores, np.ndarray) and batch.scores.tolist() == [c.score for c in many]
        assert batch.rules() == [c.rules for c in many]
        assert batch.empty_text.tolist() == [c.empty_text for c in many]
    assert rs.classify_batch(["x", comp])[1].sub_cause == "poor_attitude"
    with pytest.raises(IndexError):
        batch[len(texts)]
    with pytest.raises(KeyError):
        batch.facet("colour")
    with pytest.raises(TypeError, match="item 1: expected str, bytes, None or Complaint"):
        rs.classify_batch(["ok", 3])
    lenient = rs.classify_batch(["ok", b"bad \xff"], lenient=True)
    assert lenient.replaced_invalid_utf8.tolist() == [0, 1]
    with pytest.raises(ck.InvalidUtf8Error):
        rs.classify_batch(["\ud800"])


def test_classification_objects_behave_as_values():
    import gc
    import weakref
    rs = ck.RuleSet.compile(PACK)
    c = rs.classify("The clerk was rude about the fee")
    assert type(c) is ck.Classification and isinstance(c, ck.Classification)
    assert type(c).__module__ == "complaintkit._complaintkit" and type(c).__qualname__ == "Classification"
    assert c.category == "service_quality" and c.tags == ["fee"] and c.fired("attitude") and not c.fired("phone")
    assert repr(c) == "<Classification category=service_quality cause=service sub_cause=poor_attitude score=2>"
    assert json.loads(c.to_json()) == c.to_dict() and c.to_json(pretty=True).startswith("{\n")
    assert ck.Classification.__doc__.startswith("The result of classifying") and "rule_id" in ck.Classification.fired.__doc__
    # equal to the same result, unequal to others; other types are not equal (no error); no ordering, no hash
    assert c == rs.classify("The clerk was rude about the fee") and not c != rs.classify("The clerk was rude about the fee")
    assert c != rs.classify("rude") and c != 1 and not (c == "x") and c != None  # noqa: E711
    with pytest.raises(TypeError):
        c < c  # noqa: B015
    with pytest.raises(TypeError, match="unhashable"):
        hash(c)
    # results only: no construction, no subclassing, read-only attributes, no pickling
    with pytest.raises(TypeError):
        ck.Classification()
    with pytest.raises(TypeError):
        type("Mine", (ck.Classification,), {})
    with pytest.raises(AttributeError):
        c.category = "logistics"
    with pytest.raises(AttributeError):
        c.note = "x"
    with pytest.raises(TypeError, match="pickle"):
        import pickle
        pickle.dumps(c)
    # methods and properties check the object they are given
    with pytest.raises(TypeError):
        ck.Classification.fired("not a result", "attitude")
    with pytest.raises(TypeError):
        ck.Classification.category.fget(3)
    # weak references; a result outlives its rule set (it keeps the compiled pack alive)
    many = rs.classify_many(["rude", "fee"] * 200, threads=2)
    ref = weakref.ref(many[0])
    del rs
    gc.collect()
    assert ref() is many[0] and many[1].tags == ["fee"] and many[0].evidence[0]["hits"][0]["keyword"] == "rude"
    del many
    assert ref() is None
