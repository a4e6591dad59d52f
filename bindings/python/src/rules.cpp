// Bindings of the rule engine (RuleSet, Classification) and the text normaliser.
#include "bindings.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

namespace ckpy {
namespace {

template <ck::TaxonomyEnum E> py::object code_or_none(E v) {
    if (v == E{}) return py::none();
    return py::str(std::string(ck::to_code(v)));
}

py::dict facets_dict(const ck::Facets& f) {
    py::dict d;
    d["kind"] = code_or_none(f.kind);
    d["category"] = code_or_none(f.category);
    d["subcategory"] = code_or_none(f.subcategory);
    d["cause"] = code_or_none(f.cause);
    d["sub_cause"] = code_or_none(f.sub_cause);
    d["attribution"] = code_or_none(f.attribution);
    d["dimension"] = code_or_none(f.dimension);
    d["severity"] = code_or_none(f.severity);
    d["personality"] = code_or_none(f.personality);
    d["motive"] = code_or_none(f.motive);
    d["reasonable"] = f.reasonable ? py::object(py::bool_(*f.reasonable)) : py::object(py::none());
    py::list tags;
    for (const auto& t : f.tags) tags.append(t);
    d["tags"] = tags;
    return d;
}

py::list evidence_list(const ck::Classification& c) {
    py::list out;
    for (const auto& e : c.evidence) {
        py::dict d;
        d["rule"] = std::string(e.rule_id);
        d["score"] = e.score;
        py::list decided;
        for (auto f : e.decided_facets()) decided.append(std::string(ck::facet_name(f)));
        d["decided"] = decided;
        d["overridden"] = py::cast(e.overridden);
        py::list hits;
        for (const auto& h : e.hits) {
            py::dict hd;
            hd["keyword"] = std::string(h.keyword);
            hd["field"] = h.field == ck::TextField::title ? "title" : "text";
            hd["start"] = h.char_begin;  // Python string indices (code points)
            hd["end"] = h.char_end;
            hd["byte_start"] = h.begin;
            hd["byte_end"] = h.end;
            hits.append(hd);
        }
        d["hits"] = hits;
        out.append(d);
    }
    return out;
}

ck::ClassifyOptions options(bool explain, bool lenient, std::string_view evidence = "full") {
    ck::ClassifyOptions o;
    o.explain = explain;
    o.strict_utf8 = !lenient;
    if (evidence == "rules") o.evidence = ck::EvidenceLevel::rules;
    else if (evidence != "full")
        throw py::value_error("evidence must be \"full\" or \"rules\", not \"" + std::string(evidence) + "\"");
    return o;
}

/// The inputs of a batch, converted while holding the GIL.
struct BatchInput {
    std::vector<std::string> texts;
    std::vector<ck::Complaint> complaints;
    std::vector<std::int8_t> is_complaint;
};

BatchInput convert_batch(const py::iterable& items) {
    BatchInput in;
    for (const py::handle& item : items) {
        if (py::isinstance<ck::Complaint>(item)) {
            in.complaints.push_back(item.cast<const ck::Complaint&>());
            in.is_complaint.push_back(1);
        } else if (item.is_none()) {
            in.texts.emplace_back();
            in.is_complaint.push_back(0);
        } else {
            in.texts.push_back(text_of(item, "text"));
            in.is_complaint.push_back(0);
        }
    }
    return in;
}

}  // namespace

void init_rules(py::module_& m) {
    py::class_<ck::Classification>(m, "Classification", R"pbdoc(The result of classifying one complaint.

Facet values are stable codes (None when no rule decided the facet); `evidence` lists
every rule that fired with the keywords it matched and their offsets in the original
text (`start`/`end` are Python string indices).)pbdoc")
        .def_property_readonly("facets", [](const ck::Classification& c) { return facets_dict(c.facets); })
        .def_property_readonly("kind", [](const ck::Classification& c) { return code_or_none(c.facets.kind); })
        .def_property_readonly("category", [](const ck::Classification& c) { return code_or_none(c.facets.category); })
        .def_property_readonly("subcategory", [](const ck::Classification& c) { return code_or_none(c.facets.subcategory); })
        .def_property_readonly("cause", [](const ck::Classification& c) { return code_or_none(c.facets.cause); })
        .def_property_readonly("sub_cause", [](const ck::Classification& c) { return code_or_none(c.facets.sub_cause); })
        .def_property_readonly("attribution", [](const ck::Classification& c) { return code_or_none(c.facets.attribution); })
        .def_property_readonly("dimension", [](const ck::Classification& c) { return code_or_none(c.facets.dimension); })
        .def_property_readonly("severity", [](const ck::Classification& c) { return code_or_none(c.facets.severity); })
        .def_property_readonly("personality", [](const ck::Classification& c) { return code_or_none(c.facets.personality); })
        .def_property_readonly("motive", [](const ck::Classification& c) { return code_or_none(c.facets.motive); })
        .def_property_readonly("tags", [](const ck::Classification& c) { return c.facets.tags; })
        .def_readonly("score", &ck::Classification::score)
        .def_readonly("empty_text", &ck::Classification::empty_text)
        .def_readonly("replaced_invalid_utf8", &ck::Classification::replaced_invalid_utf8)
        .def_property_readonly("evidence", &evidence_list)
        .def_property_readonly("rules", [](const ck::Classification& c) {
            std::vector<std::string> ids;
            for (const auto& e : c.evidence) ids.emplace_back(e.rule_id);
            return ids;
        }, "Ids of the rules that fired, in evaluation order.")
        .def_property_readonly("misses", [](const ck::Classification& c) {
            py::list out;
            for (const auto& x : c.misses) out.append(py::dict(py::arg("rule") = x.rule_id, py::arg("reason") = x.reason));
            return out;
        }, "Explain mode: rules that did not fire, with the reason.")
        .def("fired", &ck::Classification::fired, py::arg("rule_id"))
        .def("to_json", [](const ck::Classification& c, bool pretty) { return ck::to_json(c, pretty); },
             py::arg("pretty") = false)
        .def("to_dict", [](const ck::Classification& c) { return json_loads(ck::to_json(c)); })
        .def("__eq__", [](const ck::Classification& a, const ck::Classification& b) { return a == b; })
        .def("__repr__", [](const ck::Classification& c) {
            std::string s = "<Classification";
            auto add = [&](const char* k, std::string_view v) {
                if (!v.empty() && v != "unknown") s += std::string(" ") + k + "=" + std::string(v);
            };
            add("category", ck::to_code(c.facets.category));
            add("cause", ck::to_code(c.facets.cause));
            add("sub_cause", ck::to_code(c.facets.sub_cause));
            add("severity", ck::to_code(c.facets.severity));
            char buf[32];
            std::snprintf(buf, sizeof buf, " score=%g>", c.score);
            return s + buf;
        });

    py::class_<ck::RuleSet>(m, "RuleSet", R"pbdoc(A compiled, immutable rule pack (see docs/rules.md).

RuleSet.default() is the built-in trilingual pack; RuleSet.compile(json_or_dict) compiles
your own and raises CompileError listing every problem with rule ids and JSON paths.)pbdoc")
        .def_static("compile", [](const py::object& pack) { return ck::RuleSet::compile(json_text_of(pack, "pack")); },
                    py::arg("pack"))
        .def_static("default", [] { return ck::RuleSet::default_rules(); }, "The built-in trilingual rule pack.")
        .def_static("default_pack_json", [] { return std::string(ck::RuleSet::default_pack_json()); },
                    "The built-in pack as JSON text (copy and edit it).")
        .def_static("lint", [](const py::object& pack) {
            return json_loads(ck::to_json(ck::RuleSet::lint(json_text_of(pack, "pack"))));
        }, py::arg("pack"), "Every error and warning of a pack as a list of dicts (level, rule, path, message).")
        .def_property_readonly("name", &ck::RuleSet::name)
        .def_property_readonly("rule_count", &ck::RuleSet::rule_count)
        .def_property_readonly("keyword_count", &ck::RuleSet::keyword_count)
        .def_property_readonly("rule_ids", &ck::RuleSet::rule_ids)
        .def_property_readonly("warnings", [](const ck::RuleSet& rs) { return json_loads(ck::to_json(rs.warnings())); })
        .def("classify", [](const ck::RuleSet& rs, const py::object& item, bool explain, bool lenient,
                            std::optional<int> prior_complaints) {
            const auto opt = options(explain, lenient);
            if (py::isinstance<ck::Complaint>(item)) {
                const auto& c = item.cast<const ck::Complaint&>();
                ck::ClassifyContext ctx;
                ctx.prior_complaints = prior_complaints;
                py::gil_scoped_release release;
                return rs.classify(c, opt, ctx);
            }
            const std::string text = item.is_none() ? std::string() : text_of(item, "text");
            py::gil_scoped_release release;
            return rs.classify(std::string_view(text), opt);
        }, py::arg("item"), py::arg("explain") = false, py::arg("lenient") = false,
           py::arg("prior_complaints") = py::none(),
           "Classifies a text (str / bytes) or a Complaint.")
        .def("classify_many", [](const ck::RuleSet& rs, const py::iterable& items, unsigned threads, bool explain,
                                 bool lenient, const std::string& evidence) {
            const auto opt = options(explain, lenient, evidence);
            BatchInput in = convert_batch(items);
            std::vector<ck::Classification> out;
            {
                py::gil_scoped_release release;
                ck::BatchOptions bo;
                bo.threads = threads;
                bo.classify = opt;
                if (in.complaints.empty()) {
                    std::vector<std::string_view> views(in.texts.begin(), in.texts.end());
                    out = rs.classify_many(views, bo);
                } else {
                    // Mixed input: texts become complaints with only a text.
                    std::vector<ck::Complaint> all;
                    all.reserve(in.is_complaint.size());
                    std::size_t t = 0, c = 0;
                    for (auto k : in.is_complaint) {
                        if (k) {
                            all.push_back(std::move(in.complaints[c++]));
                        } else {
                            ck::Complaint x;
                            x.text = std::move(in.texts[t++]);
                            all.push_back(std::move(x));
                        }
                    }
                    out = rs.classify_many(std::span<const ck::Complaint>(all), bo);
                }
            }
            return out;
        }, py::arg("items"), py::arg("threads") = 0, py::arg("explain") = false, py::arg("lenient") = false,
           py::arg("evidence") = "full",
           "Classifies many texts / Complaints on native threads (GIL released); results in input order. "
           "evidence=\"rules\" skips the keyword hits (same facets, scores and fired rules; faster).")
        .def("__repr__", [](const ck::RuleSet& rs) {
            return "<RuleSet " + rs.name() + ": " + std::to_string(rs.rule_count()) + " rules, " +
                   std::to_string(rs.keyword_count()) + " keywords>";
        });

    m.def("normalize", [](const py::object& text) {
        const std::string s = text_of(text, "text");
        ck::NormalizedText n;
        {
            py::gil_scoped_release release;
            n = ck::normalize(s);
        }
        return py::make_tuple(py::bytes(n.text).attr("decode")("utf-8", "replace"), n.source_offset);
    }, py::arg("text"), "Folded text and, per byte of its UTF-8, the source byte offset.");
    m.def("normalize_text", [](const py::object& text) {
        return py::bytes(ck::normalize_text(text_of(text, "text"))).attr("decode")("utf-8", "replace");
    }, py::arg("text"), "Text folded for matching: Latin case, full-width forms, Traditional → Simplified.");
}

}  // namespace ckpy
