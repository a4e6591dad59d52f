import json
import struct
import threading

import pytest

import complaintkit as ck


_M = (1 << 64) - 1
_P = 0x100000001B3


def _mix64(x):
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _M
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _M
    x ^= x >> 31
    return x or 1


def _checksum(data):
    """The model file checksum (docs/textmodel.md), re-implemented independently."""
    n = len(data)
    h = 0x6A09E667F3BCC908 ^ n
    full = n - n % 8
    for (w,) in struct.iter_unpack("<Q", data[:full]):
        h = ((h ^ _mix64(w)) * _P) & _M
    tail = int.from_bytes(data[full:], "little")
    h = ((h ^ _mix64((tail + 0x5BD1E995) & _M)) * _P) & _M
    return _mix64(h)


@pytest.fixture(scope="module")
def rows(request):
    import os
    import pathlib
    src = pathlib.Path(os.environ.get("CK_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
    with open(src / "tests" / "data" / "textmodel_train.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def model(rows):
    return ck.TextModel.train([r["text"] for r in rows], [r["label"] for r in rows])


def test_train_predict_proba(model):
    assert model.classes_ == ["after_sales", "billing", "logistics", "network", "product_quality", "service_quality"]
    assert model.predict(["快递送错了地址", "快遞送錯了地址", "My fee was charged twice"]) == \
        ["logistics", "logistics", "billing"]
    p = model.predict_proba(["快递一直没有送到", "the internet keeps dropping"])
    assert p.shape == (2, 6)
    assert abs(p.sum(axis=1) - 1).max() < 1e-9
    assert p[0].argmax() == model.classes_.index("logistics")
    label, prob = model.predict_one("the internet keeps dropping")
    assert label == "network" and 0 < prob <= 1
    top = model.top_k("快递一直没有送到", 2)
    assert len(top) == 2 and top[0][0] == "logistics" and top[0][1] >= top[1][1]
    assert len(model.decision_function("快递")) == 6
    assert model.temperature > 0 and model.feature_count > 50 and model.memory_bytes > 0
    assert "6 classes" in repr(model)


def test_explain(model):
    e = model.explain("快递丢件了", k=2, features=4)
    assert e["top"][0][0] == "logistics"
    assert 0 < len(e["features"]) <= 4
    assert any(name.startswith("h:") for name, _ in e["features"])


def test_fit_is_sklearn_like(rows):
    m = ck.TextModel(c=1.0, class_weight="none", seed=3)
    assert m.fit([r["text"] for r in rows], [r["label"] for r in rows]) is m
    assert m.get_params()["class_weight"] == "none"
    assert m.get_params()["seed"] == 3
    with pytest.raises(RuntimeError, match="not trained"):
        ck.TextModel().predict(["x"])


def test_cross_validate(rows):
    cv = ck.TextModel.cross_validate([r["text"] for r in rows], [r["label"] for r in rows], folds=4, seed=1)
    assert cv["folds"] == 4
    assert cv["accuracy"] > 0.85 and cv["macro_f1"] > 0.8
    assert sum(map(sum, cv["confusion"])) == len(rows)
    assert len(cv["classes"]) == 6 and len(cv["f1"]) == 6


def test_save_load_bytes(model, tmp_path):
    path = tmp_path / "m.ckm"
    model.save(path)
    loaded = ck.TextModel.load(path)
    assert loaded.to_bytes() == model.to_bytes()
    assert loaded.predict(["快递丢件了"]) == ["logistics"]
    again = ck.TextModel.from_bytes(model.to_bytes())
    assert (again.predict_proba(["快递"]) == model.predict_proba(["快递"])).all()


def test_bad_model_files(model, tmp_path):
    data = bytearray(model.to_bytes())
    data[len(data) // 2] ^= 1
    with pytest.raises(ck.CompileError, match="corrupt text model: checksum mismatch"):
        ck.TextModel.from_bytes(bytes(data))
    with pytest.raises(ck.UnsupportedError, match="not a complaintkit text model"):
        ck.TextModel.from_bytes(b"hello world, not a model at all")
    # a model of another feature version (valid checksum, as docs/textmodel.md specifies it)
    other = bytearray(model.to_bytes())
    other[12:16] = struct.pack("<I", ck._core.textmodel_feature_version + 1)
    other[-8:] = struct.pack("<Q", _checksum(bytes(other[:-8])))
    (tmp_path / "x.ckm").write_bytes(bytes(other))
    with pytest.raises(ck.UnsupportedError, match="trained with feature version .*: retrain the model"):
        ck.TextModel.load(tmp_path / "x.ckm")
    (tmp_path / "empty.ckm").write_bytes(b"")
    with pytest.raises(ck.UnsupportedError, match="bad magic number"):
        ck.TextModel.load(tmp_path / "empty.ckm")
    with pytest.raises(ck.StorageError, match="cannot open text model"):
        ck.TextModel.load(tmp_path / "missing.ckm")


def test_bad_training_input():
    with pytest.raises(ck.InvalidValueError, match="the training set is empty"):
        ck.TextModel.train([], [])
    with pytest.raises(ck.InvalidValueError, match="single class"):
        ck.TextModel.train(["a", "b"], ["x", "x"])
    with pytest.raises(ck.InputError, match="2 texts but 1 labels"):
        ck.TextModel.train(["a", "b"], ["x"])
    with pytest.raises(ck.InvalidUtf8Error, match="text 1 is not valid UTF-8"):
        ck.TextModel.train([b"a", b"b\xff"], ["x", "y"])
    with pytest.raises(ck.InvalidUtf8Error, match="lone surrogate"):
        ck.TextModel.train(["a", "b\ud800"], ["x", "y"])
    with pytest.raises(ck.InputError, match='unknown text model option "colour"'):
        ck.TextModel.train(["a", "b"], ["x", "y"], colour="red")
    with pytest.raises(ck.InputError, match="c must be a positive number"):
        ck.TextModel.train(["a", "b"], ["x", "y"], c=0)
    with pytest.raises(TypeError):
        ck.TextModel.train("ab", ["x", "y"])


def test_one_example_labels_and_empty_texts(model):
    # min_df=1: with the default 2 no feature of one-example classes survives (equal priors tie)
    m = ck.TextModel.train(["refund my bill", "no signal at home", ""], ["billing", "network", "other"], min_df=1)
    assert m.classes_ == ["billing", "network", "other"]
    assert m.predict(["refund my bill please"]) == ["billing"]
    # empty and missing texts predict the prior, not an error
    assert len(model.predict(["", None, float("nan")])) == 3
    with pytest.raises(ck.InvalidUtf8Error, match="text 1: text is not valid UTF-8"):
        model.predict([b"ok", b"bad \xc3\x28"])
    # one text: the same prediction as in a batch, and an error that names no index
    for t in ["快递一直没有送到", b"the internet keeps dropping", "", None, float("nan")]:
        label, prob = model.predict_one(t)
        assert label == model.predict([t])[0] and 0 < prob <= 1
    with pytest.raises(ck.InvalidUtf8Error, match=r"^text is not valid UTF-8 \(byte 4\)$"):
        model.predict_one(b"bad \xc3\x28")
    with pytest.raises(TypeError):
        model.predict_one(42)


def test_frames_and_jsonl(rows, tmp_path):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"title": ["快递", "屏幕", "快递", "屏幕"], "body": ["丢件了", "碎了", "送错地址", "坏了"],
                       "cat": ["logistics", "quality", "logistics", "quality"]})
    m = ck.TextModel.train_frame(df, text=["title", "body"], label="cat", min_df=1)
    out = m.predict_frame(df, text=["title", "body"], proba=True)
    assert list(out.columns) == ["label", "probability", "logistics", "quality"]
    assert list(out["label"]) == list(df["cat"])
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps({"t": r["text"], "facets": {"category": r["label"]}}, ensure_ascii=False)
                              for r in rows), encoding="utf-8")
    m2 = ck.TextModel.train_jsonl(path, text="t", label="/facets/category")
    assert len(m2.classes_) == 6
    with pytest.raises(ck.MissingFieldError, match="line 1: /label: missing label"):
        ck.TextModel.train_jsonl(b'{"text": "a"}\n')


def test_threads_share_one_model(model, rows):
    texts = [r["text"] for r in rows]
    expected = model.predict(texts, threads=1)
    errors = []

    def work():
        for _ in range(5):
            if model.predict(texts, threads=2) != expected:
                errors.append("mismatch")

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


def test_rule_pack_names_a_model(rows):
    keep = [r for r in rows if r["label"] in ("logistics", "product_quality", "after_sales")]
    model = ck.TextModel.train([r["text"] for r in keep], [r["label"] for r in keep])
    pack = {"version": 1, "name": "crm",
            "models": [{"facet": "category", "model": "crm", "threshold": 0.4}],
            "rules": [{"id": "rude", "when": {"text_any": ["态度恶劣"]}, "set": {"category": "service_quality"}}]}
    compiled = ck.RuleSet.compile(json.dumps(pack, ensure_ascii=False))
    assert compiled.model_bindings == [{"facet": "category", "model": "crm", "threshold": 0.4}]
    assert ck.RuleSet.default().model_bindings == []
    rs = compiled.with_models({"crm": model})
    assert rs.model_bindings == compiled.model_bindings
    c = rs.classify("快递送错了地址，一直没有送到")
    assert c.facets["category"] == "logistics"
    ev = [e for e in c.evidence if e["rule"] == "model:crm"]
    assert len(ev) == 1 and ev[0]["decided"] == ["category"] and ev[0]["score"] >= 0.4
    with pytest.raises(ck.NotFoundError, match='the pack names model "crm"'):
        ck.RuleSet.compile(json.dumps(pack, ensure_ascii=False)).with_models({})


def test_train_csv_and_complaints(tmp_path):
    path = tmp_path / "set.csv"
    path.write_bytes("title,body,cat\n快递,丢件了,logistics\n快递,送错地址,logistics\n屏幕,碎了,quality\n屏幕,坏了,quality\n"
                     ",no label,\n".encode("utf-8"))
    m = ck.TextModel.train_csv(path, text=["title", "body"], label="cat", min_df=1)
    assert m.classes_ == ["logistics", "quality"]
    with pytest.raises(ck.NotFoundError, match='no column "text"'):
        ck.TextModel.train_csv(path, label="cat")
    cs = [ck.Complaint.from_json({"id": f"C{i}", "received_at": "2024-03-05T09:12:00+08:00", "channel": "phone",
                                  "text": t, "facets": {"category": cat}})
          for i, (t, cat) in enumerate([("快递丢件了", "logistics"), ("快递送错地址", "logistics"),
                                        ("屏幕碎了", "product_quality"), ("屏幕坏了", "product_quality")])]
    m2 = ck.TextModel.train_complaints(cs, "category", min_df=1)
    assert m2.classes_ == ["logistics", "product_quality"]
    assert m2.predict(["快递丢件"]) == ["logistics"]
