"""The complaintkit command-line tool, run as a user would (subprocess)."""
import json
import os
import pathlib
import shutil
import sqlite3
import subprocess

import pytest

import complaintkit as ck

HERE = pathlib.Path(ck.__file__).resolve().parent
CLI = HERE.parent.parent / "src" / "cli" / "complaintkit"
SOURCE = pathlib.Path(os.environ.get("CK_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
pytestmark = pytest.mark.skipif(not CLI.exists(), reason="complaintkit CLI not built")

COMMANDS = ["demo", "ingest", "list", "show", "append", "export", "report", "rebuild", "mapping", "info"]


def run(*args, db=None, input=None):
    cmd = [str(CLI)] + (["--db", str(db)] if db else []) + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=120)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "complaints.db"
    r = run("ingest", SOURCE / "examples" / "data" / "complaints.jsonl", db=path)
    assert r.returncode == 0, r.stderr
    return path


def test_help_for_every_command():
    r = run("--help")
    assert r.returncode == 0
    for c in COMMANDS:
        assert "  " + c + " " in r.stdout
        h = run(c, "--help")
        assert h.returncode == 0, c
        assert h.stdout.startswith("usage: complaintkit " + c), c
    assert run("--version").stdout.startswith("complaintkit ")


def test_usage_errors_exit_2_on_stderr():
    r = run("frobnicate")
    assert r.returncode == 2 and r.stdout == ""
    assert 'unknown command "frobnicate"' in r.stderr
    r = run("list", "--colour", "red")
    assert r.returncode == 2 and "unknown option --colour" in r.stderr
    assert "complaintkit list --help" in r.stderr
    r = run("list", "--limit", "ten")
    assert r.returncode == 2 and '--limit must be a non-negative integer, not "ten"' in r.stderr
    assert run().returncode == 2


def test_demo_writes_archive_and_html(tmp_path):
    out = tmp_path / "demo"
    r = run("demo", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "Pareto of causes" in r.stdout and "Iceberg" in r.stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 5
    for section in ("pareto", "trend", "sla", "servqual", "iceberg"):
        assert 'id="%s"' % section in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert (out / "complaints.db").exists()
    j = run("demo", "--out", out, "--json")
    assert j.returncode == 0
    rep = json.loads(j.stdout)
    assert rep["complaints"] == 74


def test_ingest_reports_bad_rows_and_reject_file(tmp_path):
    db = tmp_path / "h.db"
    rejects = tmp_path / "rejects.csv"
    csv = SOURCE / "examples" / "data" / "helpdesk_tickets.csv"
    r = run("ingest", "--mapping", "helpdesk", "--keep-going", "--reject-file", rejects, "--json", csv, db=db)
    assert r.returncode == 3
    assert 'helpdesk_tickets.csv:13: column "created_at": ' in r.stderr
    assert json.loads(r.stdout)["inserted"] == 11
    assert rejects.read_text(encoding="utf-8").startswith("HD-1012,")
    # Without --keep-going: stop, nothing of the batch stored.
    db2 = tmp_path / "h2.db"
    r = run("ingest", "--mapping", "helpdesk", csv, db=db2)
    assert r.returncode == 3 and "rolled back" in r.stderr
    assert json.loads(run("info", "--json", db=db2).stdout)["complaints"] == 0
    # Duplicates are refused unless asked for.
    r = run("ingest", "--mapping", "helpdesk", "--keep-going", csv, db=db)
    assert r.returncode == 3 and 'duplicate complaint id "HD-1001"' in r.stderr
    r = run("ingest", "--mapping", "helpdesk", "--keep-going", "--duplicates", "skip", "--json", csv, db=db)
    assert json.loads(r.stdout)["skipped"] == 11
    # stdin
    line = '{"id":"S-1","received_at":"2024-01-01T00:00Z"}\n'
    r = run("ingest", "-", db=db, input=line)
    assert r.returncode == 0, r.stderr
    assert run("--db", db, "ingest", "missing.jsonl").returncode == 4


def test_list_show_append_export(db, tmp_path):
    r = run("list", "--json", "--facet", "sub_cause=label_mismatch", db=db)
    assert r.returncode == 0
    ids = [json.loads(l)["id"] for l in r.stdout.splitlines()]
    assert "CK-2024-0037" in ids
    r = run("show", "CK-2008-0001", db=db)
    assert r.returncode == 0
    assert "timeline" in r.stdout and "attribute_set" in r.stdout
    assert run("show", "NOPE", db=db).returncode == 4
    j = json.loads(run("show", "CK-2024-0037", "--json", db=db).stdout)
    assert j["complaint"]["id"] == "CK-2024-0037"
    r = run("append", "CK-2024-0037", "note", "--text", "called back", "--at", "2030-01-01T00:00Z", "--json", db=db)
    assert r.returncode == 0, r.stderr
    r = run("append", "CK-2024-0037", "note", "--at", "2020-01-01T00:00Z", db=db)
    assert r.returncode == 3 and "earlier" in r.stderr
    assert run("append", "CK-2024-0037", "nap", db=db).returncode == 2
    out = tmp_path / "open.csv"
    r = run("export", "--open", "-o", out, db=db)
    assert r.returncode == 0 and out.read_text(encoding="utf-8").startswith("id,received_at,")
    r = run("export", "--place", "nowhere", db=db)
    assert r.returncode == 0 and r.stdout == ""


def test_report_rebuild_info(db, tmp_path):
    r = run("report", "--json", "--as-of", "2025-01-01T00:00Z", "--html", tmp_path / "r.html", db=db)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["complaints"] == 74 and rep["pareto"]["items"]
    assert (tmp_path / "r.html").exists()
    assert run("rebuild", "--check", db=db).returncode == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE complaints SET status = 'closed'")
    con.commit()
    con.close()
    assert run("rebuild", "--check", db=db).returncode == 1
    assert "rebuilt 74 snapshots" in run("rebuild", db=db).stdout
    assert run("rebuild", "--check", db=db).returncode == 0
    info = json.loads(run("info", "--json", db=db).stdout)
    assert info["schema_version"] == 4 and info["integrity"] == "ok"


def test_refuses_foreign_database(tmp_path):
    foreign = tmp_path / "crm.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    r = run("info", db=foreign)
    assert r.returncode == 5 and "not a complaintkit archive" in r.stderr
    assert run("list", db=tmp_path / "none.db").returncode == 4


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_html_report_renders_in_headless_chromium(tmp_path):
    out = tmp_path / "demo"
    assert run("demo", "--out", out).returncode == 0
    png = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + str(tmp_path / "profile")]
    page = (out / "report.html").as_uri()
    dom = subprocess.run([CHROMIUM] + flags + ["--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr
    assert dom.stdout.count("<svg") == 5 and 'class="bar"' in dom.stdout
    shot = subprocess.run([CHROMIUM] + flags + ["--window-size=900,2400", "--screenshot=" + str(png), page],
                          capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0, shot.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000  # a page with charts, not a blank one


def test_apply_sla_classify_rules(db, tmp_path):
    # A complaint received now-ish, driven through the workflow.
    line = '{"id":"W-1","received_at":"2025-03-03T09:00:00+08:00","channel":"phone","text":"盒上写5个，里面只有4个"}\n'
    assert run("ingest", "-", db=db, input=line).returncode == 0
    r = run("apply", "W-1", "acknowledge", "--at", "2025-03-03T09:30:00+08:00", "--actor", "cs.li", db=db)
    assert r.returncode == 0, r.stderr
    assert "acknowledge applied; status acknowledged" in r.stdout
    r = run("apply", "W-1", "close", "--at", "2025-03-03T10:00:00+08:00", db=db)
    assert r.returncode == 3 and "complaintkit: " in r.stderr
    r = run("apply", "W-1", "teleport", db=db)
    assert r.returncode == 2 and 'unknown workflow command "teleport"' in r.stderr
    r = run("apply", "W-1", "add_note", "--at", "2025-03-03T10:00:00+08:00", "--text", "called", "--json", db=db)
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "acknowledged"
    assert "SLA clocks" in run("show", "W-1", db=db).stdout
    # Deadlines: overdue long after, not before.
    late = json.loads(run("sla", "--as-of", "2025-06-01T00:00Z", "--json", db=db).stdout)
    assert "W-1" in [x["id"] for x in late["overdue"]]
    early = json.loads(run("sla", "--as-of", "2025-03-03T09:31:00+08:00", "--json", db=db).stdout)
    assert "W-1" not in [x["id"] for x in early["overdue"]]
    assert "next wake-up" in run("sla", "--as-of", "2025-03-03T09:31:00+08:00", db=db).stdout
    # classify: from a file, from stdin text, and the archive with --store
    r = run("classify", SOURCE / "examples" / "data" / "complaints.jsonl")
    assert r.returncode == 0
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(out) == 74 and out[0]["classification"]["facets"] is not None
    r = run("classify", "-", input="The box says 5 ice creams but holds only 4\n")
    assert r.returncode == 0 and json.loads(r.stdout)["id"] == "-:1"
    r = run("classify", "--archive", "--store", db=db)
    assert r.returncode == 0 and "classifications recorded" in r.stderr
    assert run("rebuild", "--check", db=db).returncode == 0
    assert run("classify", "--store", db=db).returncode == 2
    # rules lint / explain
    r = run("rules", "lint")
    assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "rules": [{"id": "r1"}]}', encoding="utf-8")
    r = run("rules", "lint", bad)
    assert r.returncode == 3 and "error" in r.stdout
    r = run("rules", "explain", "--id", "CK-2024-0037", db=db)
    assert r.returncode == 0 and "fired:" in r.stdout and "not fired:" in r.stdout
    r = run("rules", "explain", "--json", "盒上写5个，里面只有4个")
    assert r.returncode == 0 and "evidence" in json.loads(r.stdout)
    assert run("rules", "frobnicate").returncode == 2
