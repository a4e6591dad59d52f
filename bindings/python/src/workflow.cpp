// Bindings of business calendars and the handling workflow.
#include "bindings.hpp"

#include <complaintkit/calendar.hpp>
#include <complaintkit/workflow.hpp>

#include <pybind11/chrono.h>

namespace ckpy {
namespace {

ck::Lang lang_of(const std::string& tag) {
    auto l = ck::lang_from_tag(tag);
    if (!l) throw ck::Error(ck::ErrorCode::invalid_argument, "unknown language \"" + tag + "\" (en, zh-Hans, zh-Hant)");
    return *l;
}

/// A business duration from a datetime.timedelta or a number of minutes.
std::chrono::microseconds duration_of(const py::handle& obj) {
    if (py::isinstance<py::int_>(obj) || py::isinstance<py::float_>(obj)) {
        const double minutes = obj.cast<double>();
        return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(minutes * 60e6)));
    }
    return obj.cast<std::chrono::microseconds>();
}

}  // namespace

void init_workflow(py::module_& m) {
    py::class_<ck::Calendar>(m, "Calendar", R"pbdoc(A business calendar: opening hours, time zone (IANA, POSIX TZ
or fixed offset), holidays (one-off, recurring, partial) and make-up working days. Immutable.
Instants are timezone-aware datetimes; durations are timedelta or minutes.)pbdoc")
        .def(py::init<>(), R"pbdoc(The default calendar: Mon–Fri 09:00–12:00, 13:00–18:00, China Standard Time.)pbdoc")
        .def_static("from_json", [](const py::object& j) { return ck::Calendar::from_json(json_text_of(j, "calendar")); },
                    py::arg("json"), R"pbdoc(Calendar from JSON text or a dict.)pbdoc")
        .def("is_open", [](const ck::Calendar& c, const py::object& t) { return c.is_open(from_datetime(t, "t")); }, py::arg("t"))
        .def("next_open", [](const ck::Calendar& c, const py::object& t) { return to_datetime(c.next_open(from_datetime(t, "t"))); },
             py::arg("t"))
        .def("add",
             [](const ck::Calendar& c, const py::object& t, const py::object& d) {
                 return to_datetime(c.add(from_datetime(t, "t"), duration_of(d)));
             },
             py::arg("t"), py::arg("duration"), R"pbdoc(The earliest instant at which `duration` of business time has passed.)pbdoc")
        .def("business_between",
             [](const ck::Calendar& c, const py::object& a, const py::object& b) {
                 return c.business_between(from_datetime(a, "a"), from_datetime(b, "b"));
             },
             py::arg("a"), py::arg("b"), R"pbdoc(Business time in [a, b) as a timedelta.)pbdoc")
        .def("end_of_business_day",
             [](const ck::Calendar& c, const py::object& t, int days_after) {
                 return to_datetime(c.end_of_business_day(from_datetime(t, "t"), days_after));
             },
             py::arg("t"), py::arg("days_after") = 0)
        .def("explain_add",
             [](const ck::Calendar& c, const py::object& t, const py::object& d) {
                 return c.explain_add(from_datetime(t, "t"), duration_of(d));
             },
             py::arg("t"), py::arg("duration"), R"pbdoc(A readable timeline of add(), one line per step.)pbdoc")
        .def_property_readonly("zone", [](const ck::Calendar& c) { return c.zone().spec(); })
        .def("__repr__", [](const ck::Calendar& c) {
            return "<complaintkit.Calendar zone=" + c.zone().spec() + " years=" + std::to_string(c.first_year()) + "-" +
                   std::to_string(c.last_year()) + ">";
        });

    py::class_<ck::Workflow>(m, "Workflow", R"pbdoc(The handling workflow: SLA policies on business calendars,
escalation chain and remedy table. Commands append events to a Complaint; state() replays the log.)pbdoc")
        .def(py::init<>(), R"pbdoc(The defaults (see Workflow.default_json()).)pbdoc")
        .def_static("from_json", [](const py::object& j) { return ck::Workflow::from_json(json_text_of(j, "workflow")); },
                    py::arg("json"))
        .def_static("default_json", [] { return std::string(ck::Workflow::default_json()); })
        .def("apply",
             [](const ck::Workflow& w, ck::Complaint& c, const py::object& command) {
                 w.apply(c, ck::Command::from_json(json_text_of(command, "command")));
             },
             py::arg("complaint"), py::arg("command"),
             R"pbdoc(Applies a command ({"command": "acknowledge", "at": "…", …}); raises and changes nothing if illegal.)pbdoc")
        .def("state_json",
             [](const ck::Workflow& w, const ck::Complaint& c, const py::object& now) {
                 const auto t = from_datetime(now, "now");
                 py::gil_scoped_release release;
                 return w.state_json(c, t);
             },
             py::arg("complaint"), py::arg("now"))
        .def("record_sla_events",
             [](const ck::Workflow& w, ck::Complaint& c, const py::object& now) {
                 return w.record_sla_events(c, from_datetime(now, "now"));
             },
             py::arg("complaint"), py::arg("now"),
             R"pbdoc(Appends sla_warning / sla_breached audit events due by now that the log lacks; returns how many.)pbdoc")
        .def("next_wakeup",
             [](const ck::Workflow& w, const ck::Complaint& c, const py::object& now) -> py::object {
                 const auto t = w.next_wakeup(c, from_datetime(now, "now"));
                 return t ? to_datetime(*t) : py::none();
             },
             py::arg("complaint"), py::arg("now"))
        .def("explain",
             [](const ck::Workflow& w, const ck::Complaint& c, const py::object& now, const std::string& target) {
                 const auto t = ck::target_from_code(target);
                 if (!t) throw ck::Error(ck::ErrorCode::unknown_code, "unknown SLA target \"" + target + "\"");
                 return w.explain(c, from_datetime(now, "now"), *t);
             },
             py::arg("complaint"), py::arg("now"), py::arg("target"),
             R"pbdoc(A readable timeline of one clock (acknowledge, first_response, update, resolution, follow_up).)pbdoc")
        .def("recommend",
             [](const ck::Workflow& w, const ck::Complaint& c, const std::string& lang) {
                 py::list out;
                 for (const auto& r : w.recommend(c, lang_of(lang))) {
                     py::dict d;
                     d["type"] = std::string(ck::to_code(r.type));
                     d["rules"] = r.rules;
                     d["note"] = r.note;
                     out.append(d);
                 }
                 return out;
             },
             py::arg("complaint"), py::arg("lang") = "en")
        .def("calendar", &ck::Workflow::calendar, py::arg("name") = "default")
        .def_property_readonly("policy_ids", &ck::Workflow::policy_ids);

    m.def("personality_strategy",
          [](const std::string& personality, const std::string& lang) {
              auto p = ck::from_code<ck::Personality>(personality);
              if (!p) throw ck::Error(ck::ErrorCode::unknown_code, "unknown personality code \"" + personality + "\"");
              return std::string(ck::personality_strategy(*p, lang_of(lang)));
          },
          py::arg("personality"), py::arg("lang") = "en",
          R"pbdoc(The handling strategy for a personality type (seed 001) in en / zh-Hans / zh-Hant.)pbdoc");
}

}  // namespace ckpy
