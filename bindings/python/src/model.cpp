// Bindings of the complaint model and the taxonomies.
#include "bindings.hpp"

#include "json_internal.hpp"

namespace ckpy {
namespace {

template <ck::TaxonomyEnum E> std::string code_str(E v) { return std::string(ck::to_code(v)); }

template <ck::TaxonomyEnum E> E parse_code(const std::string& s, const char* what) {
    auto v = ck::from_code<E>(s);
    if (!v)
        throw ck::Error(ck::ErrorCode::unknown_code, "unknown " + std::string(ck::taxonomy_name(ck::taxonomy_traits<E>::id)) +
                                                         " code \"" + s + "\"",
                        what);
    return *v;
}

py::object attribute_to_py(const ck::AttributeValue& a) {
    return std::visit(
        [](const auto& x) -> py::object {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ck::Timestamp>) return to_datetime(x);
            else if constexpr (std::is_same_v<T, ck::Money>) return py::cast(x);
            else return py::cast(x);
        },
        a);
}

py::object value_of(const boost::json::value& v) { return json_loads(boost::json::serialize(v)); }

}  // namespace

void init_model(py::module_& m) {
    // ---- taxonomies: the tables; the package builds IntEnum classes from them.
    m.def("_taxonomy_tables", [] {
        py::dict out;
        for (int i = 0; i < ck::taxonomy_count; ++i) {
            const auto id = static_cast<ck::TaxonomyId>(i);
            py::list rows;
            for (const auto& e : ck::taxonomy_entries(id))
                rows.append(py::make_tuple(e.value, std::string(e.code), std::string(e.en), std::string(e.zh_hans),
                                           std::string(e.zh_hant), e.parent));
            out[py::str(std::string(ck::taxonomy_name(id)))] = rows;
        }
        return out;
    });

    py::class_<ck::Money>(m, "Money", R"pbdoc(Money in integer minor units of an ISO 4217 currency.)pbdoc")
        .def(py::init([](std::int64_t minor, const std::string& currency) {
                 ck::Complaint probe;  // validate through the same rules as JSON input
                 std::string j = R"({"minor":)" + std::to_string(minor) + R"(,"currency":)" +
                                 boost::json::serialize(boost::json::value(currency)) + "}";
                 auto v = ck::detail::parse_json(j);
                 return ck::detail::Node{&v, ""}.money();
             }),
             py::arg("minor"), py::arg("currency"))
        .def_readonly("minor", &ck::Money::minor)
        .def_readonly("currency", &ck::Money::currency)
        .def("__eq__", [](const ck::Money& a, const ck::Money& b) { return a == b; })
        .def("__hash__", [](const ck::Money& a) { return py::hash(py::make_tuple(a.minor, a.currency)); })
        .def("__repr__", [](const ck::Money& a) {
            return "Money(minor=" + std::to_string(a.minor) + ", currency='" + a.currency + "')";
        });

    py::class_<ck::Event>(m, "Event", R"pbdoc(One entry of a complaint's append-only history.)pbdoc")
        .def_property_readonly("at", [](const ck::Event& e) { return to_datetime(e.at); })
        .def_property_readonly("type", [](const ck::Event& e) { return code_str(e.type); })
        .def_readonly("actor", &ck::Event::actor)
        .def_readonly("text", &ck::Event::text)
        .def_property_readonly("payload", [](const ck::Event& e) { return json_loads(e.payload.empty() ? "{}" : e.payload); })
        .def("to_dict", [](const ck::Event& e) { return value_of(ck::detail::to_value(e)); })
        .def("__repr__", [](const ck::Event& e) {
            return "<Event " + ck::format_timestamp(e.at) + " " + code_str(e.type) +
                   (e.actor.empty() ? "" : " by " + e.actor) + ">";
        });

    py::class_<ck::Complaint>(m, "Complaint", R"pbdoc(A complaint record (the complaint archive entry).

Build one with Complaint.from_json(text_or_dict); read fields as attributes; write it
back with to_json() / to_dict(). Coded fields are their stable string codes.)pbdoc")
        .def_static(
            "from_json",
            [](const py::object& src, bool preserve_unknown) {
                const std::string text = json_text_of(src, "json");
                ck::ParseOptions opt;
                opt.preserve_unknown = preserve_unknown;
                py::gil_scoped_release release;
                return ck::complaint_from_json(text, opt);
            },
            py::arg("json"), py::arg("preserve_unknown") = false,
            R"pbdoc(Parse a complaint from JSON text (str/bytes) or a dict. Raises complaintkit.InputError
subclasses with .path set to the JSON pointer of the offending value.)pbdoc")
        .def(
            "to_json",
            [](const ck::Complaint& c, bool pretty) { return ck::to_json(c, pretty); }, py::arg("pretty") = false)
        .def("to_dict", [](const ck::Complaint& c) { return value_of(ck::detail::to_value(c)); })
        .def_readwrite("id", &ck::Complaint::id)
        .def_property_readonly("received_at", [](const ck::Complaint& c) { return to_datetime(c.received_at); })
        .def_property(
            "channel", [](const ck::Complaint& c) { return code_str(c.channel); },
            [](ck::Complaint& c, const std::string& s) { c.channel = parse_code<ck::Channel>(s, "/channel"); })
        .def_property_readonly("customer", [](const ck::Complaint& c) {
            py::dict d;
            d["id"] = c.customer.id;
            d["name"] = c.customer.name;
            d["contact"] = c.customer.contact;
            d["tier"] = code_str(c.customer.tier);
            d["personality"] = code_str(c.customer.personality);
            d["owner"] = c.customer.owner;
            return d;
        })
        .def_property_readonly("customer_id", [](const ck::Complaint& c) { return c.customer.id; })
        .def_property_readonly("tier", [](const ck::Complaint& c) { return code_str(c.customer.tier); })
        .def_readwrite("complainant", &ck::Complaint::complainant)
        .def_readwrite("branch", &ck::Complaint::branch)
        .def_readwrite("region", &ck::Complaint::region)
        .def_readwrite("product", &ck::Complaint::product)
        .def_readwrite("order", &ck::Complaint::order)
        .def_property_readonly("amounts", [](const ck::Complaint& c) {
            py::dict d;
            for (const auto& [k, v] : c.amounts) d[py::str(k)] = py::cast(v);
            return d;
        })
        .def_readwrite("language", &ck::Complaint::language)
        .def_readwrite("title", &ck::Complaint::title)
        .def_readwrite("text", &ck::Complaint::text)
        .def_property_readonly("remedy_sought", [](const ck::Complaint& c) {
            py::dict d;
            py::list types;
            for (auto t : c.remedy_sought.types) types.append(code_str(t));
            d["types"] = types;
            d["text"] = c.remedy_sought.text;
            d["amount"] = c.remedy_sought.amount ? py::cast(*c.remedy_sought.amount) : py::none();
            return d;
        })
        .def_property_readonly("attributes", [](const ck::Complaint& c) {
            py::dict d;
            for (const auto& [k, v] : c.attributes) d[py::str(k)] = attribute_to_py(v);
            return d;
        })
        .def_property_readonly("facets", [](const ck::Complaint& c) { return value_of(ck::detail::to_value(c.facets)); })
        .def_property_readonly("events", [](const ck::Complaint& c) { return c.events; })
        .def(
            "append_event",
            [](ck::Complaint& c, const py::object& ev) {
                const std::string text = json_text_of(ev, "event");
                auto v = ck::detail::parse_json(text);
                c.append(ck::detail::event_from_node(ck::detail::Node{&v, ""}));
            },
            py::arg("event"),
            R"pbdoc(Append one history event (dict or JSON). An event earlier than the last raises OutOfOrderError.)pbdoc")
        .def("copy", [](const ck::Complaint& c) { return c; })
        .def("__eq__", [](const ck::Complaint& a, const ck::Complaint& b) { return a == b; })
        .def("__repr__", [](const ck::Complaint& c) {
            std::string t = c.text.substr(0, 60);
            while (!t.empty() && !ck::is_valid_utf8(t)) t.pop_back();  // do not cut a character
            return "<Complaint " + c.id + " " + ck::format_timestamp(c.received_at) + " " + code_str(c.channel) +
                   " \"" + t + (c.text.size() > t.size() ? "…" : "") + "\">";
        });

    m.def(
        "_complaints_from_jsonl",
        [](const py::object& src, bool preserve_unknown) {
            const std::string text = text_of(src, "text");
            ck::ParseOptions opt;
            opt.preserve_unknown = preserve_unknown;
            py::gil_scoped_release release;
            return ck::complaints_from_jsonl(text, opt);
        },
        py::arg("text"), py::arg("preserve_unknown") = false);
    m.def("parse_timestamp", [](const std::string& s) { return to_datetime(ck::parse_timestamp(s)); });
}

}  // namespace ckpy
