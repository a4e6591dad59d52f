// Bindings of the complaint archive: a native _Archive that speaks JSON and Complaint
// objects; the Pythonic layer (keyword queries, DataFrames) is complaintkit/archive.py.
#include "bindings.hpp"

#include <complaintkit/archive.hpp>
#include <complaintkit/exchange.hpp>
#include <complaintkit/workflow.hpp>

#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

namespace ckpy {
namespace {

ck::DuplicatePolicy duplicates_of(const std::string& d) {
    if (d == "reject") return ck::DuplicatePolicy::reject;
    if (d == "upsert") return ck::DuplicatePolicy::upsert;
    if (d == "skip") return ck::DuplicatePolicy::skip;
    throw ck::Error(ck::ErrorCode::invalid_argument, "duplicates must be \"reject\", \"upsert\" or \"skip\", not \"" + d + "\"");
}

ck::IngestOptions ingest_options(const std::string& duplicates, std::size_t batch_size, bool keep_going) {
    ck::IngestOptions o;
    o.duplicates = duplicates_of(duplicates);
    o.batch_size = batch_size;
    o.stop_on_error = !keep_going;
    return o;
}

/// An Archive is one SQLite connection, to be used by one thread at a time. Python code
/// may share one object between threads, and every method below runs without the GIL, so
/// each takes the handle's lock first (GIL released, then lock: a thread waiting for the
/// lock never holds the GIL the owner might need). close() takes it too, so a connection is
/// never closed under a running ingest.
struct PyArchive {
    std::optional<ck::Archive> a;
    std::unique_ptr<std::mutex> m = std::make_unique<std::mutex>();

    /// Runs f(archive) with the GIL released and the lock held.
    template <class F> auto with(F&& f) {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(*m);
        if (!a) throw ck::Error(ck::ErrorCode::invalid_argument, "the archive is closed");
        return f(*a);
    }
};

}  // namespace

void init_archive(py::module_& m) {
    py::class_<PyArchive>(m, "_Archive", R"pbdoc(Native archive handle; use complaintkit.Archive.)pbdoc")
        .def(py::init([](const std::string& path, bool read_only, bool create, bool sync_full, bool sla) {
                 ck::ArchiveOptions o;
                 o.read_only = read_only;
                 o.create = create;
                 o.synchronous_full = sync_full;
                 if (sla) o.workflow = std::make_shared<const ck::Workflow>();
                 py::gil_scoped_release release;
                 return PyArchive{ck::Archive::open(path, o)};
             }),
             py::arg("path"), py::arg("read_only") = false, py::arg("create") = true, py::arg("sync_full") = false,
             py::arg("sla") = true)
        .def("close",
             [](PyArchive& p) {
                 py::gil_scoped_release release;
                 std::lock_guard<std::mutex> lock(*p.m);
                 p.a.reset();
             })
        .def_property_readonly("closed", [](PyArchive& p) {
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(*p.m);
            return !p.a;
        })
        .def_property_readonly("path", [](PyArchive& p) { return p.with([](ck::Archive& a) { return a.path(); }); })
        .def_property_readonly("schema_version",
                               [](PyArchive& p) { return p.with([](ck::Archive& a) { return a.schema_version(); }); })
        .def("count",
             [](PyArchive& p, const std::string& q) {
                 const auto query = ck::query_from_json(q);
                 return p.with([&](ck::Archive& a) { return a.count(query); });
             })
        .def("event_count", [](PyArchive& p) { return p.with([](ck::Archive& a) { return a.event_count(); }); })
        .def("ingest",
             [](PyArchive& p, const std::vector<ck::Complaint>& cs, const std::string& duplicates, std::size_t batch,
                bool keep_going) {
                 const auto o = ingest_options(duplicates, batch, keep_going);
                 return p.with([&](ck::Archive& a) { return ck::to_json(a.ingest(cs, o)); });
             })
        .def("ingest_jsonl",
             [](PyArchive& p, const py::object& text, const std::string& source, const std::string& duplicates,
                std::size_t batch, bool keep_going) {
                 const std::string t = text_of(text, "text");
                 const auto o = ingest_options(duplicates, batch, keep_going);
                 return p.with([&](ck::Archive& a) { return ck::to_json(a.ingest_jsonl(t, source, o)); });
             })
        .def("ingest_file",
             [](PyArchive& p, const std::string& path, const std::string& format, const std::string& mapping,
                const std::string& duplicates, std::size_t batch, bool keep_going) {
                 std::optional<ck::Mapping> map;
                 if (!mapping.empty()) {
                     const auto names = ck::Mapping::builtin_names();
                     map = std::find(names.begin(), names.end(), mapping) != names.end() ? ck::Mapping::builtin(mapping)
                                                                                        : ck::Mapping::from_json(mapping);
                 }
                 ck::RecordFormat fmt = map ? map->format() : ck::format_from_path(path);
                 if (format == "csv") fmt = ck::RecordFormat::csv;
                 else if (format == "jsonl") fmt = ck::RecordFormat::jsonl;
                 else if (!format.empty())
                     throw ck::Error(ck::ErrorCode::invalid_argument, "format must be \"jsonl\" or \"csv\"");
                 const auto o = ingest_options(duplicates, batch, keep_going);
                 return p.with(
                     [&](ck::Archive& a) { return ck::to_json(ck::import_file(a, path, fmt, map ? &*map : nullptr, o)); });
             })
        .def("get",
             [](PyArchive& p, const std::string& id) -> std::optional<ck::Complaint> {
                 return p.with([&](ck::Archive& a) { return a.get(id); });
             })
        .def("query_json",
             [](PyArchive& p, const std::string& q) {
                 const auto query = ck::query_from_json(q);
                 return p.with([&](ck::Archive& a) {
                     std::string s = "[";
                     for (const auto& r : a.query(query)) {
                         if (s.size() > 1) s += ',';
                         s += ck::to_json(r);
                     }
                     return s + "]";
                 });
             })
        .def("explain",
             [](PyArchive& p, const std::string& q) {
                 const auto query = ck::query_from_json(q);
                 return p.with([&](ck::Archive& a) { return a.explain(query); });
             })
        .def("append_event",
             [](PyArchive& p, const std::string& id, const py::object& event) {
                 const ck::Event e = ck::event_from_json(json_text_of(event, "event"));
                 p.with([&](ck::Archive& a) { a.append_event(id, e); });
             })
        .def("rebuild", [](PyArchive& p) { return p.with([](ck::Archive& a) { return a.rebuild(); }); })
        .def("verify_snapshots",
             [](PyArchive& p) { return p.with([](ck::Archive& a) { return a.verify_snapshots(); }); })
        .def("export", [](PyArchive& p, const std::string& path, const std::string& format, const std::string& q) {
            const auto query = ck::query_from_json(q);
            return p.with([&](ck::Archive& a) {
                std::ofstream out(path, std::ios::binary);
                if (!out) throw ck::Error(ck::ErrorCode::io, "cannot write " + path);
                const auto n = format == "csv" ? ck::export_csv(a, query, out) : ck::export_jsonl(a, query, out);
                out.flush();
                if (!out) throw ck::Error(ck::ErrorCode::io, "writing " + path + " failed");
                return n;
            });
        });
    m.def("_builtin_mapping", [](const std::string& name) { return ck::Mapping::builtin_json(name); });
}

}  // namespace ckpy
