// complaintkit — the command-line tool (docs/cli.md).
#include "report_view.hpp"

#include <complaintkit/complaintkit.hpp>

#include <boost/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace ck;

namespace {

// Exit codes (docs/cli.md).
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;     // the command failed (I/O, database, internal)
constexpr int exit_usage = 2;       // wrong command line
constexpr int exit_bad_input = 3;   // input rows rejected (with --keep-going), or bad input file
constexpr int exit_not_found = 4;   // no such complaint / file
constexpr int exit_refused = 5;     // archive refused: not ours, newer schema, read-only

struct Usage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* const main_help = R"(complaintkit — record, classify, handle and measure customer complaints

usage: complaintkit [--db FILE] COMMAND [OPTIONS]

commands:
  demo      build an archive from the bundled sample complaints and report on it
  ingest    add complaints from JSONL or CSV files (or stdin) to the archive
  list      list complaints by status, deadline, time, customer, place or facet
  show      one complaint's history as a timeline, with its SLA clocks
  apply     apply a workflow command to a complaint (acknowledge, resolve, …)
  append    append a raw event to a complaint's history
  sla       overdue and at-risk complaints, and the next wake-up
  classify  classify complaints (JSONL file or stdin, or the archive) → JSONL
  rules     lint a rule pack, or explain a classification
  export    write complaints as JSONL or CSV
  report    summary report; --html FILE writes the visual report
  rebuild   recompute every snapshot from the event history
  mapping   print a built-in import mapping (cfpb, helpdesk)
  info      archive file, schema version and counts

global options:
  --db FILE        the archive (default: $COMPLAINTKIT_DB or ./complaints.db)
  --workflow FILE  workflow configuration (SLA policies, calendars; default: built-in)
  --no-sla         snapshots without SLA deadlines
  -h, --help       help; `complaintkit COMMAND --help` for a command
  --version        print the version

exit codes: 0 ok, 1 failure, 2 usage error, 3 rejected input rows, 4 not found,
5 archive refused (not a complaintkit archive, newer schema, read-only).
)";

const std::map<std::string, std::string> command_help = {
    {"demo", R"(usage: complaintkit demo [--out DIR] [--data FILE] [--json]

The main job: creates DIR/complaints.db from the bundled sample complaints (or
FILE), classifies every complaint with the default rule pack, applies the
default SLA policy, prints the report and writes DIR/report.html. DIR defaults
to ./complaintkit-demo; an existing archive there is replaced.
)"},
    {"ingest", R"(usage: complaintkit ingest [OPTIONS] FILE... ('-' reads stdin)

  --format jsonl|csv       input format (default: from the file name; stdin: jsonl)
  --mapping NAME|FILE      column mapping: built-in cfpb or helpdesk, or a JSON file
  --duplicates reject|upsert|skip
                           an id already archived: a bad row (default), replace the
                           record and append newer events, or keep the stored one
  --keep-going             report bad rows and store the good ones (default: stop at
                           the first bad row; earlier batches stay committed)
  --reject-file FILE       with --keep-going: write each bad row there as read
  --batch N                complaints per transaction (default 10000; 0 = all in one)
  --json                   print the result as JSON
  --quiet                  no progress bar
Bad rows are reported on stderr as FILE:LINE: column "C": message.
Exit 3 if any row was rejected.
)"},
    {"list", R"(usage: complaintkit list [FILTERS] [--limit N] [--offset N] [--json]

filters (all must hold):
  --status CODE            received, acknowledged, investigating, …, closed
  --open                   not resolved, closed or withdrawn
  --overdue [TIME]         a deadline passed (at TIME, default now)
  --at-risk [TIME]         at risk of breaching a deadline
  --from TIME --to TIME    received in [from, to) (ISO-8601; a date means 00:00Z)
  --customer ID            the customer's complaints
  --place PREFIX           region/branch prefix, whole levels: "广东省/深圳市"
  --facet NAME=CODE        e.g. category=logistics, severity=serious, tag=repeat (repeatable)
)"},
    {"show", R"(usage: complaintkit show ID [--json]

The complaint and its history as a timeline. --json prints the complaint JSON
with its snapshot. Exit 4 if there is no such complaint.
)"},
    {"append", R"(usage: complaintkit append ID TYPE [--at TIME] [--actor NAME] [--text TEXT] [--payload JSON] [--json]

Appends one event (TYPE is an event code: note, acknowledged, escalated, resolved,
…) to the history and updates the snapshot. TIME defaults to now; an event earlier
than the last one is refused (exit 3).
)"},
    {"apply", R"(usage: complaintkit apply ID COMMAND [--at TIME] [--actor NAME] [--text TEXT]
                          [--field NAME=VALUE]... [--fields JSON] [--json]

Applies a workflow command: acknowledge, assign, start_investigation,
await_customer, customer_replied, escalate, propose_remedy, accept_remedy,
reject_remedy, resolve, follow_up, close, reopen, withdraw, add_note,
reply_to_customer, classify, corrective_action, preventive_action, change_policy.
The command is checked against the state replayed from the history; a legal one
appends its event. Command fields (assignee, satisfaction, remedies, …) go in
--field (a JSON value or plain text) or --fields '{"…": …}'. TIME defaults to
now. An illegal transition or an earlier time is refused (exit 3).
)"},
    {"sla", R"(usage: complaintkit sla [--as-of TIME] [--limit N] [--json]

Complaints whose SLA deadline has passed (overdue) or whose warning time has come
(at risk) at TIME (default now), with their deadlines, and the next wake-up:
when the next warning or breach falls.
)"},
    {"classify", R"(usage: complaintkit classify [FILE|-] [--rules PACK] [--archive [--store]] [--json]

Classifies complaints with the default rule pack (or PACK) and writes one JSON
object per complaint: {"id", "classification": {facets, score, evidence}}.
Input: complaint JSONL (FILE or stdin; a line that is not JSON is taken as the
text of a complaint). --archive classifies the archive's complaints instead;
with --store each result is recorded as a `classify` workflow command.
)"},
    {"rules", R"(usage: complaintkit rules lint [PACK]
       complaintkit rules explain [--rules PACK] (--id ID | TEXT) [--json]

lint: every problem of a rule pack (default: the built-in pack), exit 3 on errors.
explain: which rules fired on a text or an archived complaint, with the keyword
hits, which facets each decided, and why every other rule did not fire.
)"},
    {"export", R"(usage: complaintkit export [--format jsonl|csv] [-o FILE] [FILTERS]

Writes the selected complaints (filters as for `list`; default all) to FILE or
stdout: JSONL in the complaint format with full history, or CSV with one row
per complaint (main fields, status and facets).
)"},
    {"report", R"(usage: complaintkit report [--html FILE] [--json] [--as-of TIME] [--complaint-rate R]

Prints the summary: status, Pareto of causes, trend with spikes, SLA
compliance, SERVQUAL dimensions and the iceberg estimate (complaints / R,
R = 0.05 by default). --html FILE writes a self-contained page with the charts.
)"},
    {"rebuild", R"(usage: complaintkit rebuild [--check] [--json]

Recomputes every snapshot (state, facets, deadlines) from the complaint records
and their event history, in one transaction. --check only counts the snapshots
that differ from a fresh derivation (exit 1 if any).
)"},
    {"mapping", R"(usage: complaintkit mapping NAME

Prints the built-in import mapping NAME (cfpb, helpdesk) as JSON: a starting
point for a mapping file of your own (docs/archive.md).
)"},
    {"info", R"(usage: complaintkit info [--json]

The archive's path, schema version, complaint and event counts, integrity.
)"},
};

// ------------------------------------------------------------------ arguments

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::vector<std::string>> options;
    bool has(const std::string& k) const { return options.count(k) > 0; }
    std::string get(const std::string& k, const std::string& dflt = "") const {
        auto it = options.find(k);
        return it == options.end() || it->second.empty() ? dflt : it->second.back();
    }
};

/// Parses options: names in `flags` take no value, `optional_value` may take one.
Args parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& with_value,
                const std::vector<std::string>& flags, const std::vector<std::string>& optional_value = {}) {
    Args a;
    auto in = [](const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& s = argv[i];
        if (s.size() > 1 && s[0] == '-' && s != "-") {
            std::string name = s, value;
            const bool has_eq = s.find('=') != std::string::npos && s.rfind("--", 0) == 0;
            if (has_eq) {
                name = s.substr(0, s.find('='));
                value = s.substr(s.find('=') + 1);
            }
            if (in(flags, name)) {
                if (has_eq) throw Usage("option " + name + " takes no value");
                a.options[name].push_back("");
            } else if (in(with_value, name)) {
                if (!has_eq) {
                    if (i + 1 >= argv.size()) throw Usage("option " + name + " needs a value");
                    value = argv[++i];
                }
                a.options[name].push_back(value);
            } else if (in(optional_value, name)) {
                if (!has_eq && i + 1 < argv.size() && argv[i + 1].size() && argv[i + 1][0] != '-') value = argv[++i];
                a.options[name].push_back(value);
            } else {
                throw Usage("unknown option " + s);
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

std::size_t to_size(const std::string& s, const std::string& what) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        v = std::stoull(s, &used);
    } catch (...) {
        used = 0;
    }
    if (s.empty() || used != s.size() || s[0] == '-') throw Usage(what + " must be a non-negative integer, not \"" + s + "\"");
    return static_cast<std::size_t>(v);
}

Timestamp now_utc() {
    return Timestamp(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

Timestamp time_arg(const std::string& s, const std::string& what) {
    try {
        return parse_timestamp(s);
    } catch (const Error& e) {
        throw Usage(what + ": " + e.what());
    }
}

// ------------------------------------------------------------------ progress

/// A progress bar on stderr with rate and ETA, only when stderr is a terminal.
class Progress {
public:
    Progress(bool enabled, std::string what) : on_(enabled && ::isatty(2)), what_(std::move(what)) {}
    ~Progress() { finish(); }
    void update(std::size_t rows, std::size_t bytes, std::size_t total) {
        if (!on_) return;
        const auto t = std::chrono::steady_clock::now();
        if (t - last_ < std::chrono::milliseconds(100) && bytes < total) return;
        last_ = t;
        const double secs = std::chrono::duration<double>(t - start_).count();
        const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0;
        const double frac = total ? static_cast<double>(bytes) / static_cast<double>(total) : 0;
        const double eta = frac > 0 ? secs / frac - secs : 0;
        const int width = 30, fill = static_cast<int>(frac * width);
        std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %zu rows %.0f/s ETA %.0fs   ", what_.c_str(),
                     std::string(static_cast<std::size_t>(fill), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - fill), ' ').c_str(), frac * 100, rows, rate, eta);
        drawn_ = true;
    }
    void finish() {
        if (drawn_) std::fprintf(stderr, "\r%80s\r", "");
        drawn_ = false;
    }

private:
    bool on_;
    bool drawn_ = false;
    std::string what_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

// ------------------------------------------------------------------ commands

std::string db_path(const Args& global) {
    if (global.has("--db")) return global.get("--db");
    if (const char* e = std::getenv("COMPLAINTKIT_DB"); e && *e) return e;
    return "complaints.db";
}

/// The workflow of this run (SLA policies and calendars); null with --no-sla.
std::shared_ptr<const Workflow> g_workflow;

const Workflow& workflow() {
    static const Workflow fallback;
    return g_workflow ? *g_workflow : fallback;
}

Archive open_archive(const std::string& path, bool write, bool create = false) {
    ArchiveOptions o;
    o.read_only = !write;
    o.create = create;
    o.workflow = g_workflow;
    return Archive::open(path, o);
}

std::string read_text_file(const std::string& path) {
    if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Query query_from(const Args& a) {
    Query q;
    if (a.has("--status")) {
        auto s = from_code<Status>(a.get("--status"));
        if (!s) throw Usage("unknown status \"" + a.get("--status") + "\"");
        q.status = s;
    }
    q.open_only = a.has("--open");
    if (a.has("--overdue")) q.overdue_at = a.get("--overdue").empty() ? now_utc() : time_arg(a.get("--overdue"), "--overdue");
    if (a.has("--at-risk")) q.at_risk_at = a.get("--at-risk").empty() ? now_utc() : time_arg(a.get("--at-risk"), "--at-risk");
    if (a.has("--from")) q.received_from = time_arg(a.get("--from"), "--from");
    if (a.has("--to")) q.received_to = time_arg(a.get("--to"), "--to");
    q.customer_id = a.get("--customer");
    q.place_prefix = a.get("--place");
    if (auto it = a.options.find("--facet"); it != a.options.end())
        for (const auto& f : it->second) {
            const auto eq = f.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == f.size()) throw Usage("--facet needs NAME=CODE, not \"" + f + "\"");
            q.facets.emplace_back(f.substr(0, eq), f.substr(eq + 1));
        }
    if (a.has("--limit")) q.limit = to_size(a.get("--limit"), "--limit");
    if (a.has("--offset")) q.offset = to_size(a.get("--offset"), "--offset");
    return q;
}

const std::vector<std::string> filter_options = {"--status", "--from",  "--to",    "--customer",
                                                 "--place",  "--facet", "--limit", "--offset"};
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

json::object summary_json(const Summary& s) {
    json::object o{{"id", s.id},
                   {"received_at", format_timestamp(s.received_at)},
                   {"channel", to_code(s.channel)},
                   {"customer_id", s.customer_id},
                   {"place", s.place},
                   {"status", to_code(s.snapshot.status)},
                   {"facets", json::parse(to_json(s.snapshot.facets))}};
    if (s.snapshot.due_at) o["due_at"] = format_timestamp(*s.snapshot.due_at);
    if (s.snapshot.at_risk_at) o["at_risk_at"] = format_timestamp(*s.snapshot.at_risk_at);
    return o;
}

int cmd_list(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, filter_options, {"--json", "--open"}, {"--overdue", "--at-risk"});
    if (!a.positional.empty()) throw Usage("list takes no arguments");
    const Query q = query_from(a);
    auto ar = open_archive(db, false);
    const auto rows = ar.query(q);
    if (a.has("--json")) {
        for (const auto& r : rows) std::cout << json::serialize(summary_json(r)) << "\n";
        return exit_ok;
    }
    std::printf("%-16s %-20s %-12s %-18s %-14s %s\n", "ID", "RECEIVED", "CHANNEL", "STATUS", "CATEGORY", "PLACE");
    for (const auto& r : rows)
        std::printf("%-16s %-20s %-12s %-18s %-14s %s\n", r.id.c_str(),
                    format_timestamp(r.received_at).substr(0, 19).c_str(), std::string(to_code(r.channel)).c_str(),
                    std::string(to_code(r.snapshot.status)).c_str(),
                    std::string(to_code(r.snapshot.facets.category)).c_str(), r.place.c_str());
    std::fprintf(stderr, "%zu complaints\n", rows.size());
    return exit_ok;
}

int cmd_show(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {}, {"--json"});
    if (a.positional.size() != 1) throw Usage("show needs exactly one complaint ID");
    auto ar = open_archive(db, false);
    const auto c = ar.get(a.positional[0]);
    if (!c) {
        std::fprintf(stderr, "complaintkit: no complaint \"%s\" in %s\n", a.positional[0].c_str(), db.c_str());
        return exit_not_found;
    }
    const auto s = ar.snapshot(c->id).value_or(Snapshot{});
    if (a.has("--json")) {
        json::object o{{"complaint", json::parse(to_json(*c))},
                       {"status", to_code(s.status)},
                       {"facets", json::parse(to_json(s.facets))},
                       {"sla", json::parse(s.sla.empty() ? "{}" : s.sla)}};
        if (s.due_at) o["due_at"] = format_timestamp(*s.due_at);
        std::cout << json::serialize(o) << "\n";
        return exit_ok;
    }
    std::printf("%s  %s  via %s\n", c->id.c_str(), std::string(to_code(s.status)).c_str(),
                std::string(label(c->channel)).c_str());
    if (!c->customer.id.empty() || !c->customer.name.empty())
        std::printf("customer  %s %s\n", c->customer.id.c_str(), c->customer.name.c_str());
    const auto place = place_of(*c);
    if (!place.empty()) std::printf("place     %s\n", place.substr(0, place.size() - 1).c_str());
    if (!c->product.empty()) std::printf("product   %s\n", c->product.c_str());
    if (!c->title.empty()) std::printf("title     %s\n", c->title.c_str());
    if (!c->text.empty()) std::printf("text      %s\n", c->text.c_str());
    if (!s.facets.empty()) std::printf("facets    %s\n", to_json(s.facets).c_str());
    for (const auto& [k, v] : c->attributes) {
        const auto val = json::parse(to_json([&] {
            Complaint tmp;
            tmp.id = "x";
            tmp.attributes.emplace(k, v);
            return tmp;
        }()));
        std::printf("attr      %s = %s\n", k.c_str(), json::serialize(val.at("attributes").at(k)).c_str());
    }
    if (s.due_at) std::printf("due       %s\n", format_timestamp(*s.due_at).c_str());
    {
        boost::system::error_code ec;
        const auto sla = json::parse(s.sla.empty() ? "{}" : s.sla, ec);
        if (!ec && sla.is_object())
            if (const auto* ts = sla.as_object().if_contains("targets"); ts && ts->is_array() && !ts->as_array().empty()) {
                std::printf("\nSLA clocks\n");
                for (const auto& t : ts->as_array()) {
                    const auto& o = t.as_object();
                    auto str = [&](const char* key) {
                        const auto* v = o.if_contains(key);
                        return v && v->is_string() ? std::string(v->as_string()) : std::string();
                    };
                    const auto* met = o.if_contains("met");
                    std::printf("  %-15s due %-26s %s\n", str("name").c_str(), str("due").c_str(),
                                met && met->is_bool() ? (met->as_bool() ? "met" : "BREACHED")
                                                      : (o.contains("paused") ? "paused" : "open"));
                }
            }
    }
    std::printf("\ntimeline\n  %s  %-22s\n", format_timestamp(c->received_at).c_str(), "(received)");
    for (const auto& e : c->events) {
        std::printf("  %s  %-22s %s%s%s\n", format_timestamp(e.at).c_str(), std::string(to_code(e.type)).c_str(),
                    e.actor.c_str(), e.text.empty() ? "" : " — ", e.text.c_str());
        if (e.payload.size() > 2) std::printf("  %25s payload %s\n", "", e.payload.c_str());
    }
    return exit_ok;
}

int cmd_append(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--at", "--actor", "--text", "--payload"}, {"--json"});
    if (a.positional.size() != 2) throw Usage("append needs a complaint ID and an event TYPE");
    const auto type = from_code<EventType>(a.positional[1]);
    if (!type) throw Usage("unknown event type \"" + a.positional[1] + "\"");
    json::object ev{{"at", format_timestamp(a.has("--at") ? time_arg(a.get("--at"), "--at") : now_utc())},
                    {"type", a.positional[1]},
                    {"actor", a.get("--actor", "cli")},
                    {"text", a.get("--text")}};
    if (a.has("--payload")) {
        boost::system::error_code ec;
        auto p = json::parse(a.get("--payload"), ec);
        if (ec || !p.is_object()) throw Usage("--payload must be a JSON object");
        ev["payload"] = p;
    }
    // Parse through the complaint format so the event is validated like any other.
    Complaint probe = complaint_from_json(
        json::serialize(json::object{{"id", "x"}, {"received_at", "2000-01-01T00:00Z"}, {"events", json::array{ev}}}));
    auto ar = open_archive(db, true);
    ar.append_event(a.positional[0], probe.events.at(0));
    const auto s = ar.snapshot(a.positional[0]);
    if (a.has("--json"))
        std::cout << json::serialize(json::object{{"id", a.positional[0]}, {"status", to_code(s->status)}}) << "\n";
    else
        std::printf("%s: %s appended, status %s\n", a.positional[0].c_str(), a.positional[1].c_str(),
                    std::string(to_code(s->status)).c_str());
    return exit_ok;
}

std::optional<Mapping> mapping_arg(const std::string& m) {
    if (m.empty()) return std::nullopt;
    const auto names = Mapping::builtin_names();
    if (std::find(names.begin(), names.end(), m) != names.end()) return Mapping::builtin(m);
    std::ifstream in(m, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "no built-in mapping or mapping file \"" + m + "\"");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return Mapping::from_json(ss.str());
    } catch (const Error& e) {
        throw e.with_context("mapping " + m);
    }
}

struct IngestTotals {
    IngestReport report;
    std::vector<std::string> files;
};

IngestReport ingest_files(Archive& ar, const std::vector<std::string>& files, const Args& a, std::ostream* reject_out) {
    IngestReport total;
    const auto mapping = mapping_arg(a.get("--mapping"));
    IngestOptions o;
    const std::string dup = a.get("--duplicates", "reject");
    if (dup == "reject") o.duplicates = DuplicatePolicy::reject;
    else if (dup == "upsert") o.duplicates = DuplicatePolicy::upsert;
    else if (dup == "skip") o.duplicates = DuplicatePolicy::skip;
    else throw Usage("--duplicates must be reject, upsert or skip, not \"" + dup + "\"");
    o.stop_on_error = !a.has("--keep-going");
    if (a.has("--batch")) o.batch_size = to_size(a.get("--batch"), "--batch");
    o.on_reject = [&](const RowError& e) {
        std::fprintf(stderr, "%s\n", e.describe().c_str());
        if (reject_out) *reject_out << e.raw << "\n";
    };
    for (const auto& f : files) {
        RecordFormat fmt = f == "-" ? RecordFormat::jsonl : format_from_path(f);
        if (mapping) fmt = mapping->format();
        if (a.has("--format")) {
            const auto s = a.get("--format");
            if (s == "jsonl") fmt = RecordFormat::jsonl;
            else if (s == "csv") fmt = RecordFormat::csv;
            else throw Usage("--format must be jsonl or csv, not \"" + s + "\"");
        }
        if (f != "-" && !fs::exists(f)) throw Error(ErrorCode::not_found, "no such file: " + f);
        Progress bar(!a.has("--quiet"), f == "-" ? "stdin" : fs::path(f).filename().string());
        o.on_progress = [&](const IngestProgress& p) { bar.update(p.rows, p.bytes, p.total_bytes); };
        const auto rep = import_file(ar, f, fmt, mapping ? &*mapping : nullptr, o);
        bar.finish();
        total.rows += rep.rows;
        total.inserted += rep.inserted;
        total.updated += rep.updated;
        total.skipped += rep.skipped;
        total.rejected += rep.rejected;
        total.batches += rep.batches;
    }
    return total;
}

int cmd_ingest(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--format", "--mapping", "--duplicates", "--reject-file", "--batch"},
                              {"--keep-going", "--json", "--quiet"});
    if (a.positional.empty()) throw Usage("ingest needs at least one FILE ('-' for stdin)");
    if (a.has("--reject-file") && !a.has("--keep-going")) throw Usage("--reject-file needs --keep-going");
    std::optional<std::ofstream> rejects;
    if (a.has("--reject-file")) {
        rejects.emplace(a.get("--reject-file"), std::ios::binary);
        if (!*rejects) throw Error(ErrorCode::io, "cannot write " + a.get("--reject-file"));
    }
    auto ar = open_archive(db, true, true);
    const auto t0 = std::chrono::steady_clock::now();
    const auto rep = ingest_files(ar, a.positional, a, rejects ? &*rejects : nullptr);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.has("--json")) {
        std::cout << json::serialize(json::object{{"rows", rep.rows},
                                                  {"inserted", rep.inserted},
                                                  {"updated", rep.updated},
                                                  {"skipped", rep.skipped},
                                                  {"rejected", rep.rejected},
                                                  {"batches", rep.batches},
                                                  {"seconds", secs}})
                  << "\n";
    } else {
        std::fprintf(stderr, "%zu rows: %zu inserted, %zu updated, %zu skipped, %zu rejected (%.2f s, %.0f rows/s) into %s\n",
                     rep.rows, rep.inserted, rep.updated, rep.skipped, rep.rejected, secs,
                     secs > 0 ? static_cast<double>(rep.rows) / secs : 0.0, db.c_str());
    }
    return rep.rejected ? exit_bad_input : exit_ok;
}


int cmd_apply(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--at", "--actor", "--text", "--field", "--fields"}, {"--json"});
    if (a.positional.size() != 2) throw Usage("apply needs a complaint ID and a COMMAND");
    if (!command_from_code(a.positional[1])) throw Usage("unknown workflow command \"" + a.positional[1] + "\"");
    json::object cmd;
    if (a.has("--fields")) {
        boost::system::error_code ec;
        auto v = json::parse(a.get("--fields"), ec);
        if (ec || !v.is_object()) throw Usage("--fields must be a JSON object");
        cmd = v.as_object();
    }
    if (auto it = a.options.find("--field"); it != a.options.end())
        for (const auto& f : it->second) {
            const auto eq = f.find('=');
            if (eq == std::string::npos || eq == 0) throw Usage("--field needs NAME=VALUE, not \"" + f + "\"");
            boost::system::error_code ec;
            auto v = json::parse(f.substr(eq + 1), ec);
            cmd[f.substr(0, eq)] = ec ? json::value(f.substr(eq + 1)) : v;
        }
    cmd["command"] = a.positional[1];
    cmd["at"] = format_timestamp(a.has("--at") ? time_arg(a.get("--at"), "--at") : now_utc());
    cmd["actor"] = a.get("--actor", "cli");
    if (a.has("--text")) cmd["text"] = a.get("--text");
    const Command command = Command::from_json(json::serialize(cmd));
    auto ar = open_archive(db, true);
    // The check against the replayed state and the append are one transaction: no other
    // writer can append in between.
    bool found = false;
    std::optional<Complaint> c;
    try {
        c = ar.update(a.positional[0], [&](Complaint& x) {
            found = true;
            workflow().apply(x, command);  // checks against the replayed state, appends one event
        });
    } catch (const Error& e) {
        if (!found && e.code() == ErrorCode::not_found)
            throw Error(ErrorCode::not_found, "no complaint \"" + a.positional[0] + "\" in " + db);
        throw;
    }
    const auto s = ar.snapshot(c->id);
    if (a.has("--json")) {
        std::cout << workflow().state_json(*c, command.at) << "\n";
    } else {
        std::printf("%s: %s applied; status %s", c->id.c_str(), a.positional[1].c_str(),
                    std::string(to_code(s->status)).c_str());
        if (s->due_at) std::printf(", next deadline %s", format_timestamp(*s->due_at).c_str());
        std::printf("\n");
    }
    return exit_ok;
}

int cmd_sla(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--as-of", "--limit"}, {"--json"});
    if (!a.positional.empty()) throw Usage("sla takes no arguments");
    const Timestamp now = a.has("--as-of") ? time_arg(a.get("--as-of"), "--as-of") : now_utc();
    Query overdue, at_risk;
    overdue.overdue_at = now;
    at_risk.at_risk_at = now;
    if (a.has("--limit")) overdue.limit = at_risk.limit = to_size(a.get("--limit"), "--limit");
    auto ar = open_archive(db, false);
    const auto o = ar.query(overdue);
    const auto r = ar.query(at_risk);
    const auto wake = ar.next_wakeup();
    if (a.has("--json")) {
        json::array oa, ra;
        for (const auto& x : o) oa.push_back(json::parse(to_json(x)));
        for (const auto& x : r) ra.push_back(json::parse(to_json(x)));
        json::object out{{"as_of", format_timestamp(now)}, {"overdue", oa}, {"at_risk", ra}};
        out["next_wakeup"] = wake ? json::value(format_timestamp(*wake)) : json::value(nullptr);
        std::cout << json::serialize(out) << "\n";
        return exit_ok;
    }
    std::printf("as of %s\n\noverdue: %zu\n", format_timestamp(now).c_str(), o.size());
    for (const auto& x : o)
        std::printf("  %-16s due %s  %-18s %s\n", x.id.c_str(), format_timestamp(*x.snapshot.due_at).c_str(),
                    std::string(to_code(x.snapshot.status)).c_str(), x.place.c_str());
    std::printf("\nat risk: %zu\n", r.size());
    for (const auto& x : r)
        std::printf("  %-16s due %s  %-18s %s\n", x.id.c_str(), format_timestamp(*x.snapshot.due_at).c_str(),
                    std::string(to_code(x.snapshot.status)).c_str(), x.place.c_str());
    std::printf("\nnext wake-up: %s\n", wake ? format_timestamp(*wake).c_str() : "none");
    return exit_ok;
}

/// Records a classification: as the workflow's classify command when the history replays
/// under this workflow, else (a history recorded elsewhere) as a plain `classified` event.
/// The command is dated `now`, or the last event when that is later.
void record_classification(Archive& ar, Complaint& c, const Classification& cl, const RuleSet& rules,
                           const Timestamp& now) {
    Facets f = cl.facets;
    f.tags.clear();  // the classify command takes coded facets; tags stay in the evidence
    // Read, check and append in one transaction: the history is the archive's at that moment.
    c = ar.update(c.id, [&](Complaint& x) {
        Command cmd;
        cmd.type = CommandType::classify;
        cmd.at = std::max(now, x.events.empty() ? x.received_at : x.events.back().at);
        cmd.actor = "rules:" + rules.name();
        cmd.payload = "{\"facets\":" + to_json(f) + "}";
        try {
            workflow().apply(x, cmd);
        } catch (const Error&) {
            Event e;
            e.at = cmd.at;
            e.type = EventType::classified;
            e.actor = cmd.actor;
            e.payload = cmd.payload;
            x.append(e);
        }
    });
}

RuleSet rules_arg(const Args& a) {
    if (!a.has("--rules")) return RuleSet::default_rules();
    return RuleSet::compile(read_text_file(a.get("--rules")));
}

json::value classification_json(const std::string& id, const Classification& c) {
    return json::object{{"id", id}, {"classification", json::parse(to_json(c))}};
}

int cmd_classify(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--rules"}, {"--archive", "--store", "--json", "--explain"});
    if (a.has("--store") && !a.has("--archive")) throw Usage("--store needs --archive");
    if (a.positional.size() > 1) throw Usage("classify takes at most one FILE");
    const RuleSet rules = rules_arg(a);
    ClassifyOptions co;
    co.explain = a.has("--explain");
    if (a.has("--archive")) {
        if (!a.positional.empty()) throw Usage("give a FILE or --archive, not both");
        auto ar = open_archive(db, a.has("--store"));
        std::vector<Complaint> all;
        ar.for_each(Query{}, [&](const Complaint& c) { all.push_back(c); });
        std::size_t stored = 0;
        const Timestamp now = now_utc();
        for (auto& c : all) {
            const auto cl = rules.classify(c, co);
            std::cout << json::serialize(classification_json(c.id, cl)) << "\n";
            if (a.has("--store") && !cl.facets.empty()) {
                record_classification(ar, c, cl, rules, now);
                ++stored;
            }
        }
        if (a.has("--store")) std::fprintf(stderr, "%zu classifications recorded in %s\n", stored, db.c_str());
        return exit_ok;
    }
    const std::string src = a.positional.empty() ? "-" : a.positional[0];
    const std::string text = read_text_file(src);
    std::size_t line_no = 0, pos = 0, bad = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        try {
            if (line[0] == '{') {
                const Complaint c = complaint_from_json(line);
                std::cout << json::serialize(classification_json(c.id, rules.classify(c, co))) << "\n";
            } else {
                std::cout << json::serialize(classification_json(src + ":" + std::to_string(line_no),
                                                                 rules.classify(line, co)))
                          << "\n";
            }
        } catch (const Error& e) {
            ++bad;
            std::fprintf(stderr, "%s:%zu: %s\n", src.c_str(), line_no, e.what());
        }
    }
    return bad ? exit_bad_input : exit_ok;
}

int cmd_rules(const std::string& db, const std::vector<std::string>& argv) {
    if (argv.empty()) throw Usage("rules needs lint or explain");
    const std::string sub = argv[0];
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (sub == "lint") {
        const Args a = parse_args(rest, {}, {"--json"});
        if (a.positional.size() > 1) throw Usage("rules lint takes at most one PACK");
        const std::string pack =
            a.positional.empty() ? std::string(RuleSet::default_pack_json()) : read_text_file(a.positional[0]);
        const auto diags = RuleSet::lint(pack);
        std::size_t errors = 0;
        for (const auto& d : diags) errors += d.level == RuleDiagnostic::Level::error;
        if (a.has("--json")) {
            std::cout << to_json(diags) << "\n";
        } else {
            for (const auto& d : diags) std::cout << d.to_string() << "\n";
            std::fprintf(stderr, "%zu errors, %zu warnings\n", errors, diags.size() - errors);
        }
        return errors ? exit_bad_input : exit_ok;
    }
    if (sub == "explain") {
        const Args a = parse_args(rest, {"--rules", "--id"}, {"--json"});
        const RuleSet rules = rules_arg(a);
        ClassifyOptions co;
        co.explain = true;
        Classification cl;
        std::string text;
        if (a.has("--id")) {
            if (!a.positional.empty()) throw Usage("give --id ID or TEXT, not both");
            auto ar = open_archive(db, false);
            const auto c = ar.get(a.get("--id"));
            if (!c) throw Error(ErrorCode::not_found, "no complaint \"" + a.get("--id") + "\" in " + db);
            cl = rules.classify(*c, co);
            text = c->text;
        } else {
            if (a.positional.empty()) throw Usage("rules explain needs --id ID or a TEXT");
            for (const auto& p : a.positional) text += (text.empty() ? "" : " ") + p;
            cl = rules.classify(text, co);
        }
        if (a.has("--json")) {
            std::cout << to_json(cl) << "\n";
            return exit_ok;
        }
        std::printf("facets: %s (score %.2f)\n\nfired:\n", to_json(cl.facets).c_str(), cl.score);
        for (const auto& e : cl.evidence) {
            std::printf("  %-32s score %.2f", std::string(e.rule_id).c_str(), e.score);
            for (auto f : e.decided_facets()) std::printf("  decided %s", std::string(facet_name(f)).c_str());
            std::printf("\n");
            for (const auto& h : e.hits)
                std::printf("      \"%s\" at %s chars %u–%u\n", std::string(h.keyword).c_str(), h.field == TextField::title ? "title" : "text",
                            h.char_begin, h.char_end);
            for (const auto& o : e.overridden) std::printf("      not used: %s\n", o.c_str());
        }
        std::printf("\nnot fired: %zu rules\n", cl.misses.size());
        for (const auto& m : cl.misses) std::printf("  %-32s %s\n", m.rule_id.c_str(), m.reason.c_str());
        return exit_ok;
    }
    throw Usage("unknown rules subcommand \"" + sub + "\" (lint, explain)");
}

int cmd_export(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, with(filter_options, {"--format", "-o", "--output"}), {"--open"},
                              {"--overdue", "--at-risk"});
    if (!a.positional.empty()) throw Usage("export takes no arguments (filters are options)");
    const std::string out_path = a.has("-o") ? a.get("-o") : a.get("--output");
    std::string fmt = a.get("--format", out_path.empty() ? "jsonl" : (format_from_path(out_path) == RecordFormat::csv ? "csv" : "jsonl"));
    if (fmt != "jsonl" && fmt != "csv") throw Usage("--format must be jsonl or csv");
    const auto q = query_from(a);
    auto ar = open_archive(db, false);
    std::ofstream file;
    if (!out_path.empty()) {
        file.open(out_path, std::ios::binary);
        if (!file) throw Error(ErrorCode::io, "cannot write " + out_path);
    }
    std::ostream& out = out_path.empty() ? std::cout : file;
    const auto n = fmt == "csv" ? export_csv(ar, q, out) : export_jsonl(ar, q, out);
    out.flush();
    if (!out) throw Error(ErrorCode::io, "writing " + (out_path.empty() ? std::string("stdout") : out_path) + " failed");
    std::fprintf(stderr, "%zu complaints exported\n", n);
    return exit_ok;
}

int cmd_report(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--html", "--as-of", "--complaint-rate"}, {"--json"});
    if (!a.positional.empty()) throw Usage("report takes no arguments");
    double rate = 0.05;
    if (a.has("--complaint-rate")) {
        try {
            rate = std::stod(a.get("--complaint-rate"));
        } catch (...) {
            rate = -1;
        }
        if (!(rate > 0 && rate <= 1)) throw Usage("--complaint-rate must be in (0, 1]");
    }
    auto ar = open_archive(db, false);
    const auto now = a.has("--as-of") ? time_arg(a.get("--as-of"), "--as-of") : now_utc();
    const auto r = ckcli::compute_report(ar, now, rate);
    if (a.has("--json"))
        std::cout << ckcli::render_json(r) << "\n";
    else
        std::cout << ckcli::render_text(r);
    if (a.has("--html")) {
        std::ofstream h(a.get("--html"), std::ios::binary);
        h << ckcli::render_html(r);
        if (!h) throw Error(ErrorCode::io, "cannot write " + a.get("--html"));
        std::fprintf(stderr, "HTML report written to %s\n", a.get("--html").c_str());
    }
    return exit_ok;
}

int cmd_rebuild(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {}, {"--check", "--json"});
    if (!a.positional.empty()) throw Usage("rebuild takes no arguments");
    auto ar = open_archive(db, !a.has("--check"));
    if (a.has("--check")) {
        const auto n = ar.verify_snapshots();
        if (a.has("--json"))
            std::cout << json::serialize(json::object{{"complaints", ar.count()}, {"differing", n}}) << "\n";
        else
            std::printf("%zu of %zu snapshots differ from the event history\n", n, ar.count());
        return n ? exit_failure : exit_ok;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto n = ar.rebuild();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.has("--json"))
        std::cout << json::serialize(json::object{{"rebuilt", n}, {"seconds", secs}}) << "\n";
    else
        std::printf("rebuilt %zu snapshots from the event history in %.2f s\n", n, secs);
    return exit_ok;
}

int cmd_mapping(const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {}, {});
    if (a.positional.size() != 1) throw Usage("mapping needs a NAME (cfpb, helpdesk)");
    std::cout << Mapping::builtin_json(a.positional[0]) << "\n";
    return exit_ok;
}

int cmd_info(const std::string& db, const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {}, {"--json"});
    auto ar = open_archive(db, false);
    json::object o{{"path", db},
                   {"schema_version", ar.schema_version()},
                   {"complaints", ar.count()},
                   {"events", ar.event_count()},
                   {"integrity", ar.integrity_check()}};
    if (a.has("--json")) {
        std::cout << json::serialize(o) << "\n";
    } else {
        std::printf("archive     %s\nschema      %d\ncomplaints  %zu\nevents      %zu\nintegrity   %s\n", db.c_str(),
                    ar.schema_version(), ar.count(), ar.event_count(), ar.integrity_check().c_str());
    }
    return exit_ok;
}

std::string find_sample_data() {
    std::vector<fs::path> candidates;
    if (const char* e = std::getenv("COMPLAINTKIT_DATA"); e && *e) candidates.emplace_back(fs::path(e) / "complaints.jsonl");
    candidates.emplace_back(fs::path(CK_SOURCE_DATA_DIR) / "complaints.jsonl");
    std::error_code ec;
    const auto self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.emplace_back(self.parent_path().parent_path() / "share/complaintkit/data/complaints.jsonl");
    candidates.emplace_back("/usr/local/share/complaintkit/data/complaints.jsonl");
    candidates.emplace_back("/usr/share/complaintkit/data/complaints.jsonl");
    for (const auto& c : candidates)
        if (fs::exists(c, ec)) return c.string();
    throw Error(ErrorCode::not_found, "cannot find the bundled sample complaints (complaints.jsonl); give --data FILE");
}

int cmd_demo(const std::vector<std::string>& argv) {
    const Args a = parse_args(argv, {"--out", "--data"}, {"--json"});
    if (!a.positional.empty()) throw Usage("demo takes no arguments");
    const fs::path out = a.get("--out", "complaintkit-demo");
    const std::string data = a.has("--data") ? a.get("--data") : find_sample_data();
    fs::create_directories(out);
    const std::string db = (out / "complaints.db").string();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
    const auto t0 = std::chrono::steady_clock::now();
    auto ar = open_archive(db, true, true);

    std::fprintf(stderr, "== 1. archive %s from %s\n", db.c_str(), data.c_str());
    IngestOptions o;
    o.stop_on_error = false;
    o.on_reject = [](const RowError& e) { std::fprintf(stderr, "%s\n", e.describe().c_str()); };
    Progress bar(true, "ingest");
    o.on_progress = [&](const IngestProgress& p) { bar.update(p.rows, p.bytes, p.total_bytes); };
    const auto rep = import_file(ar, data, RecordFormat::jsonl, nullptr, o);
    bar.finish();
    std::fprintf(stderr, "   %zu complaints stored with %zu history events (%zu rejected)\n", rep.inserted,
                 ar.event_count(), rep.rejected);

    // The demo's clock: just after the last thing that happened in the sample, so that the
    // SLA picture is the one the sample describes (not years later).
    std::vector<Complaint> all;
    ar.for_each(Query{}, [&](const Complaint& c) { all.push_back(c); });
    Timestamp now = Timestamp::from_unix_seconds(0);
    for (const auto& c : all) {
        if (now < c.received_at) now = c.received_at;
        if (!c.events.empty() && now < c.events.back().at) now = c.events.back().at;
    }
    now = Timestamp(now.utc + std::chrono::hours(1));

    const RuleSet& rules = RuleSet::default_rules();
    std::size_t classified = 0, labelled = 0, agree = 0;
    for (auto& c : all) {
        const auto cl = rules.classify(c);
        if (c.facets.category != Category::unknown && cl.facets.category != Category::unknown) {
            ++labelled;
            agree += c.facets.category == cl.facets.category;
        }
        if (cl.facets.empty()) continue;
        record_classification(ar, c, cl, rules, now);
        ++classified;
    }
    std::fprintf(stderr,
                 "== 2. classified with the default rule pack \"%s\" (%zu rules): %zu complaints; the category "
                 "agrees with the sample's own label on %zu of %zu\n",
                 rules.name().c_str(), rules.rule_count(), classified, agree, labelled);
    std::fprintf(stderr, "== 3. default SLA policy applied: snapshots rebuilt from the event history: %zu; consistent: %s\n",
                 ar.rebuild(), ar.verify_snapshots() == 0 ? "yes" : "NO");
    const auto r = ckcli::compute_report(ar, now);
    const std::string html = (out / "report.html").string();
    {
        std::ofstream h(html, std::ios::binary);
        h << ckcli::render_html(r);
        if (!h) throw Error(ErrorCode::io, "cannot write " + html);
    }
    if (a.has("--json"))
        std::cout << ckcli::render_json(r) << "\n";
    else
        std::cout << "\n" << ckcli::render_text(r);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr,
                 "\n== done in %.1f s. Visual report: %s\n"
                 "   Next: complaintkit --db %s sla --as-of %s\n"
                 "         complaintkit --db %s show CK-2024-0037\n"
                 "         complaintkit --db %s rules explain --id CK-2024-0037\n",
                 secs, html.c_str(), db.c_str(), format_timestamp(now).c_str(), db.c_str(), db.c_str());
    return rep.rejected ? exit_bad_input : exit_ok;
}

int exit_code_of(const Error& e) {
    switch (e.code()) {
    case ErrorCode::not_found: return exit_not_found;
    case ErrorCode::unsupported: return exit_refused;
    case ErrorCode::io:
        return std::string(e.what()).find("read-only") != std::string::npos ? exit_refused : exit_failure;
    case ErrorCode::internal: return exit_failure;
    default: return exit_bad_input;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string db;
    std::string command;
    std::vector<std::string> rest;
    try {
        // Global options come before the command.
        std::size_t i = 0;
        Args global;
        for (; i < args.size(); ++i) {
            const auto& s = args[i];
            if (s == "-h" || s == "--help") {
                std::cout << main_help;
                return exit_ok;
            }
            if (s == "--version") {
                std::cout << "complaintkit " << version_string << "\n";
                return exit_ok;
            }
            if (s == "--db") {
                if (i + 1 >= args.size()) throw Usage("--db needs a FILE");
                global.options["--db"].push_back(args[++i]);
            } else if (s.rfind("--db=", 0) == 0) {
                global.options["--db"].push_back(s.substr(5));
            } else if (s == "--workflow") {
                if (i + 1 >= args.size()) throw Usage("--workflow needs a FILE");
                global.options["--workflow"].push_back(args[++i]);
            } else if (s == "--no-sla") {
                global.options["--no-sla"].push_back("");
            } else if (!s.empty() && s[0] == '-') {
                throw Usage("unknown option " + s);
            } else {
                break;
            }
        }
        if (i == args.size()) {
            std::cerr << main_help;
            return exit_usage;
        }
        command = args[i];
        rest.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
        if (command == "help") {
            if (!rest.empty() && command_help.count(rest[0])) std::cout << command_help.at(rest[0]);
            else std::cout << main_help;
            return exit_ok;
        }
        if (!command_help.count(command)) throw Usage("unknown command \"" + command + "\"");
        for (const auto& r : rest)
            if (r == "-h" || r == "--help") {
                std::cout << command_help.at(command);
                return exit_ok;
            }
        db = db_path(global);
        if (global.has("--workflow") && global.has("--no-sla")) throw Usage("--workflow and --no-sla exclude each other");
        if (global.has("--workflow")) {
            try {
                g_workflow = std::make_shared<const Workflow>(Workflow::from_json(read_text_file(global.get("--workflow"))));
            } catch (const Error& e) {
                throw e.with_context("workflow " + global.get("--workflow"));
            }
        } else if (!global.has("--no-sla")) {
            g_workflow = std::make_shared<const Workflow>();
        }
        if (command == "demo") return cmd_demo(rest);
        if (command == "ingest") return cmd_ingest(db, rest);
        if (command == "list") return cmd_list(db, rest);
        if (command == "show") return cmd_show(db, rest);
        if (command == "append") return cmd_append(db, rest);
        if (command == "apply") return cmd_apply(db, rest);
        if (command == "sla") return cmd_sla(db, rest);
        if (command == "classify") return cmd_classify(db, rest);
        if (command == "rules") return cmd_rules(db, rest);
        if (command == "export") return cmd_export(db, rest);
        if (command == "report") return cmd_report(db, rest);
        if (command == "rebuild") return cmd_rebuild(db, rest);
        if (command == "mapping") return cmd_mapping(rest);
        if (command == "info") return cmd_info(db, rest);
        throw Usage("unknown command \"" + command + "\"");
    } catch (const Usage& u) {
        std::cerr << "complaintkit: " << u.what() << "\n"
                  << (command.empty() || !command_help.count(command) ? "run 'complaintkit --help' for usage\n"
                                                                       : "run 'complaintkit " + command + " --help' for usage\n");
        return exit_usage;
    } catch (const Error& e) {
        std::cerr << "complaintkit: " << e.what() << "\n";
        return exit_code_of(e);
    } catch (const std::exception& e) {
        std::cerr << "complaintkit: " << e.what() << "\n";
        return exit_failure;
    }
}
