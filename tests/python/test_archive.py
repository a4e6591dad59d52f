"""complaintkit.Archive: ingest, queries, DataFrames, history, errors."""
import datetime as dt
import json
import os
import sqlite3

import pytest

import complaintkit as ck


def complaint(i, **extra):
    d = {
        "id": "P-%d" % i,
        "received_at": "2024-03-%02dT09:00:00+08:00" % (1 + i % 28),
        "channel": "phone",
        "customer": {"id": "CU-%d" % (i % 3)},
        "branch": "南山店",
        "region": ["广东省", "深圳市"] if i % 2 == 0 else ["台湾省", "台北市"],
        "text": "盒上写5个，里面只有4个",
        "facets": {"category": "product_quality" if i % 2 else "logistics"},
        "events": [{"at": "2024-03-%02dT10:00:00+08:00" % (1 + i % 28), "type": "acknowledged", "actor": "s-1"}],
    }
    d.update(extra)
    return d


@pytest.fixture
def archive(tmp_path):
    with ck.Archive(tmp_path / "complaints.db") as a:
        rep = a.ingest([complaint(i) for i in range(10)])
        assert rep["inserted"] == 10
        yield a


def test_ingest_and_get(archive):
    assert len(archive) == 10
    assert archive.schema_version == 4
    c = archive["P-3"]
    assert c.text == "盒上写5个，里面只有4个"
    assert [e.type for e in c.events] == ["acknowledged"]
    assert "P-3" in archive and "P-99" not in archive
    assert archive.get("P-99") is None
    with pytest.raises(KeyError):
        archive["P-99"]
    assert "10 complaints" in repr(archive)


def test_queries_and_frames(archive):
    assert archive.count(place="广东省") == 5
    assert archive.count(customer="CU-1") == 3
    assert archive.count(facets={"category": "logistics"}) == 5
    assert archive.count(status="acknowledged", open=True) == 10
    assert archive.count(received_from=dt.datetime(2024, 3, 5, tzinfo=dt.timezone.utc),
                         received_to="2024-03-08T00:00Z") == 3
    rows = archive.query(place="台湾省/台北市", limit=2)
    assert [r["id"] for r in rows] == ["P-1", "P-3"]
    assert rows[0]["place"] == "台湾省/台北市/南山店"
    df = archive.query_frame(facets={"category": "product_quality"})
    assert list(df["id"]) == ["P-1", "P-3", "P-5", "P-7", "P-9"]
    assert set(df["category"]) == {"product_quality"}
    assert str(df["received_at"].dt.tz) == "UTC"
    assert "complaints_place" in archive.explain(place="广东省")
    with pytest.raises(TypeError, match="unknown query criterion 'colour'"):
        archive.count(colour="red")
    with pytest.raises(ck.UnknownCodeError) as e:
        archive.count(status="sleeping")
    assert e.value.path == "/status"


def test_duplicates(archive):
    with pytest.raises(ck.InvalidValueError, match='duplicate complaint id "P-1"'):
        archive.ingest([complaint(1)])
    rep = archive.ingest([complaint(1), complaint(11)], keep_going=True)
    assert rep["inserted"] == 1 and rep["rejected"] == 1
    assert rep["errors"][0]["column"] == "/id"
    rep = archive.ingest([complaint(1, text="更新")], duplicates="upsert")
    assert rep["updated"] == 1
    assert archive["P-1"].text == "更新"
    assert archive.ingest([complaint(2)], duplicates="skip")["skipped"] == 1
    with pytest.raises(ck.Error, match="duplicates must be"):
        archive.ingest([complaint(3)], duplicates="double")


def test_jsonl_text_and_bad_lines(archive, tmp_path):
    text = json.dumps(complaint(20), ensure_ascii=False) + "\n" + '{"id": "X", "received_at": "2024-02-30"}\n'
    with pytest.raises(ck.InvalidValueError, match=r"-:2: column \"/received_at\""):
        archive.ingest(text)
    rep = archive.ingest(text.encode("utf-8"), keep_going=True)
    assert rep["inserted"] == 1 and rep["errors"][0]["line"] == 2
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps(complaint(21), ensure_ascii=False) + "\n", encoding="utf-8")
    assert archive.ingest(path)["inserted"] == 1


def test_history_and_rebuild(archive, tmp_path):
    archive.append_event("P-4", {"at": dt.datetime(2024, 4, 1, tzinfo=dt.timezone.utc), "type": "resolved",
                                 "actor": "s-2"})
    assert archive.query(status="resolved")[0]["id"] == "P-4"
    with pytest.raises(ck.OutOfOrderError):
        archive.append_event("P-4", {"at": "2024-01-01T00:00Z", "type": "note"})
    with pytest.raises(ck.NotFoundError):
        archive.append_event("P-404", {"at": "2024-05-01T00:00Z", "type": "note"})
    con = sqlite3.connect(archive.path)
    con.execute("UPDATE complaints SET status = 'closed'")
    con.commit()
    con.close()
    assert archive.verify() == 10
    assert archive.rebuild() == 10
    assert archive.verify() == 0
    assert archive.count(status="resolved") == 1


def test_export_roundtrip(archive, tmp_path):
    assert archive.export(tmp_path / "out.jsonl") == 10
    assert archive.export(tmp_path / "gd.csv", place="广东省") == 5
    with ck.Archive(tmp_path / "copy.db") as b:
        assert b.ingest(tmp_path / "out.jsonl")["inserted"] == 10
        assert b["P-5"].to_json() == archive["P-5"].to_json()
        assert b.ingest(tmp_path / "gd.csv", duplicates="skip")["skipped"] == 5


def test_helpdesk_mapping(tmp_path, source_dir):
    path = source_dir / "examples" / "data" / "helpdesk_tickets.csv"
    with ck.Archive(tmp_path / "h.db") as a:
        rep = a.ingest(path, mapping="helpdesk", keep_going=True)
        assert rep["inserted"] >= 10
        assert '"/id"' in ck.builtin_mapping("helpdesk")


def test_refuses_foreign_and_closed(tmp_path):
    foreign = tmp_path / "crm.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    before = foreign.read_bytes()
    with pytest.raises(ck.UnsupportedError, match="not a complaintkit archive"):
        ck.Archive(foreign)
    assert foreign.read_bytes() == before
    a = ck.Archive(tmp_path / "x.db")
    a.close()
    with pytest.raises(ck.Error, match="closed"):
        len(a)
    assert "closed" in repr(a)


def test_one_archive_shared_by_threads(tmp_path):
    """Methods run without the GIL; the handle serialises them, so threads may share it."""
    import threading
    a = ck.Archive(tmp_path / "shared.db")
    errors = []
    n_writers, per_writer = 3, 40

    def write(w):
        try:
            for k in range(per_writer):
                rep = a.ingest([complaint(1000 * (w + 1) + k)])
                assert rep["inserted"] == 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def read():
        try:
            for _ in range(60):
                assert 0 <= a.count(place="广东省") <= n_writers * per_writer
                a.query(customer="CU-1", limit=5)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(n_writers)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(a) == n_writers * per_writer
    assert a.verify() == 0
    # close() waits for a running call and later calls fail cleanly.
    closer = threading.Thread(target=a.close)
    closer.start()
    closer.join()
    with pytest.raises(ck.Error, match="closed"):
        a.count()


def test_read_only(tmp_path):
    with ck.Archive(tmp_path / "r.db") as a:
        a.ingest([complaint(1)])
    with ck.Archive(tmp_path / "r.db", read_only=True) as r:
        assert len(r) == 1
        with pytest.raises(ck.StorageError, match="read-only"):
            r.ingest([complaint(2)])
    with pytest.raises(ck.NotFoundError):
        ck.Archive(tmp_path / "none.db", create=False)
    assert not os.path.exists(tmp_path / "none.db")


def test_sla_deadlines(tmp_path):
    with ck.Archive(tmp_path / "sla.db") as a:
        a.ingest([complaint(i) for i in range(4)])
        assert a.count(overdue_at="2030-01-01T00:00Z") == 4
        assert a.count(overdue_at="2024-01-01T00:00Z") == 0
        row = a.query(limit=1)[0]
        assert row["due_at"] and row["sla"]["targets"]
    with ck.Archive(tmp_path / "nosla.db", sla=False) as b:
        b.ingest([complaint(i) for i in range(4)])
        assert b.count(overdue_at="2030-01-01T00:00Z") == 0
