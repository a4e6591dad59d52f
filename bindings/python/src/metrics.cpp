// Bindings of the metrics (reports, statistics) and the CSV reader.
#include "bindings.hpp"

#include <complaintkit/csv.hpp>
#include <complaintkit/metrics.hpp>

namespace ckpy {
namespace {

namespace m = ck::metrics;

std::optional<m::HostFacts> host_of(const py::object& host) {
    if (host.is_none()) return std::nullopt;
    return m::host_facts_from_json(json_text_of(host, "host"));
}

py::tuple table_of(const ck::CsvTable& t) {
    py::list rows;
    for (const auto& r : t.rows()) rows.append(py::cast(r));
    return py::make_tuple(py::cast(t.header()), rows);
}

ck::CsvOptions csv_options(const std::string& delimiter) {
    if (delimiter.size() != 1) throw py::value_error("delimiter must be one character");
    ck::CsvOptions o;
    o.delimiter = delimiter[0];
    return o;
}

}  // namespace

void init_metrics(py::module_& mod) {
    py::class_<m::Report>(mod, "_Report", R"pbdoc(Native metrics report; use complaintkit.metrics.Report.)pbdoc")
        .def(py::init([](const py::object& config) {
                 if (config.is_none()) return m::Report();
                 return m::Report(m::report_config_from_json(json_text_of(config, "config")));
             }),
             py::arg("config") = py::none())
        .def(
            "add",
            [](m::Report& r, const ck::Complaint& c, const py::object& host) {
                const auto h = host_of(host);
                r.add(c, h ? &*h : nullptr);
            },
            py::arg("complaint"), py::arg("host") = py::none())
        .def(
            "add_batch",
            [](m::Report& r, const std::vector<ck::Complaint>& cs, const py::object& hosts) {
                std::vector<m::HostFacts> hs;
                if (!hosts.is_none()) {
                    for (const auto& h : hosts) hs.push_back(m::host_facts_from_json(json_text_of(h, "host")));
                }
                py::gil_scoped_release release;
                r.add_batch(cs, hs);
            },
            py::arg("complaints"), py::arg("hosts") = py::none())
        .def("merge", [](m::Report& r, const m::Report& o) { r.merge(o); })
        .def_property_readonly("count", &m::Report::count)
        .def("result_json", [](const m::Report& r, bool pretty) {
                std::string s;
                {
                    py::gil_scoped_release release;
                    s = r.result_json(pretty);
                }
                return s;
            }, py::arg("pretty") = false)
        .def("state_json", [](const m::Report& r) {
            std::string s;
            {
                py::gil_scoped_release release;
                s = r.state_json();
            }
            return py::bytes(s);
        })
        .def_static("from_state_json", [](const py::object& s) {
            const std::string text = text_of(s, "state");
            py::gil_scoped_release release;
            return m::Report::from_state_json(text);
        })
        .def("config_json", [](const m::Report& r) { return m::to_json(r.config()); });

    mod.def("_wilson_interval", [](std::uint64_t k, std::uint64_t n, double conf) -> py::object {
        auto i = m::wilson_interval(k, n, conf);
        if (!i) return py::none();
        return py::make_tuple(i->low, i->high);
    });
    mod.def("_iceberg", [](std::uint64_t complaints, double rate, double conf) {
        auto r = m::iceberg(complaints, rate, conf);
        py::dict d;
        d["complaints"] = r.complaints;
        d["complaint_rate"] = r.rate;
        d["silent_dissatisfied"] = r.silent;
        d["dissatisfied"] = r.dissatisfied;
        d["ci"] = py::make_tuple(r.interval.low, r.interval.high);
        return d;
    });
    mod.def("_t_quantile", &m::t_quantile);
    mod.def("_normal_quantile", &m::normal_quantile);

    mod.def(
        "_read_csv",
        [](const py::object& text, const std::string& delimiter) {
            const std::string s = text_of(text, "text");
            const ck::CsvOptions o = csv_options(delimiter);
            ck::CsvTable t;
            {
                py::gil_scoped_release release;
                t = ck::read_csv_table(s, o);
            }
            return table_of(t);
        },
        py::arg("text"), py::arg("delimiter") = ",");
    mod.def(
        "_read_csv_file",
        [](const std::string& path, const std::string& delimiter) {
            const ck::CsvOptions o = csv_options(delimiter);
            ck::CsvTable t;
            {
                py::gil_scoped_release release;
                t = ck::read_csv_file(path, o);
            }
            return table_of(t);
        },
        py::arg("path"), py::arg("delimiter") = ",");
}

}  // namespace ckpy
