// Bindings of the trainable text classifier (the pure-Python TextModel wraps _TextModel).
#include "bindings.hpp"

#include <complaintkit/rules.hpp>
#include <complaintkit/textmodel.hpp>

#include <pybind11/numpy.h>

#include <memory>

namespace ckpy {
namespace {

using Model = std::shared_ptr<ck::TextModel>;  // immutable: only const members are bound

/// A missing text (None, or NaN in a frame): it has no features.
bool missing_text(const py::handle& h) {
    return h.is_none() || (py::isinstance<py::float_>(h) && std::isnan(h.cast<double>()));
}

std::vector<std::string> texts_of(const py::iterable& items, const char* what) {
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const py::handle& h : items) {
        const std::string name = std::string(what) + "[" + std::to_string(i++) + "]";
        out.push_back(missing_text(h) ? std::string() : text_of(h, name.c_str()));
    }
    return out;
}

std::vector<std::string> labels_of(const py::iterable& items) {
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const py::handle& h : items) {
        const std::string name = "labels[" + std::to_string(i++) + "]";
        if (py::isinstance<py::str>(h) || py::isinstance<py::bytes>(h)) out.push_back(text_of(h, name.c_str()));
        else if (h.is_none()) throw ck::Error(ck::ErrorCode::invalid_value, name + " is missing");
        else out.push_back(py::str(h).cast<std::string>());  // ints, enums: their text
    }
    return out;
}

ck::TextModelOptions options_of(const py::dict& options) {
    ck::TextModelOptions o;
    for (const auto& [k, v] : options) {
        std::string value;
        if (py::isinstance<py::bool_>(v)) value = v.cast<bool>() ? "true" : "false";
        else value = py::str(v).cast<std::string>();
        ck::set_textmodel_option(o, py::str(k).cast<std::string>() + "=" + value);
    }
    o.validate();
    return o;
}

py::dict options_dict(const ck::TextModelOptions& o) {
    py::dict d;
    d["word_ngram_max"] = o.word_ngram_max;
    d["latin_char_min"] = o.latin_char_min;
    d["latin_char_max"] = o.latin_char_max;
    d["cjk_char_min"] = o.cjk_char_min;
    d["cjk_char_max"] = o.cjk_char_max;
    d["sublinear_tf"] = o.sublinear_tf;
    d["use_idf"] = o.use_idf;
    d["min_df"] = o.min_df;
    d["c"] = o.c;
    d["class_weight"] = o.class_weight == ck::ClassWeighting::balanced ? "balanced" : "none";
    d["max_epochs"] = o.max_epochs;
    d["tolerance"] = o.tolerance;
    d["seed"] = o.seed;
    d["calibration_folds"] = o.calibration_folds;
    d["prune"] = o.prune;
    d["threads"] = o.threads;
    return d;
}

}  // namespace

void init_textmodel(py::module_& m) {
    py::class_<ck::TextModel, Model>(m, "_TextModel", R"pbdoc(Native text model; use complaintkit.TextModel.)pbdoc")
        .def_static(
            "_train",
            [](const py::iterable& texts, const py::iterable& labels, const py::dict& options) {
                auto t = texts_of(texts, "texts");
                auto l = labels_of(labels);
                const auto o = options_of(options);
                py::gil_scoped_release release;
                return std::make_shared<ck::TextModel>(ck::TextModel::train(t, l, o));
            },
            py::arg("texts"), py::arg("labels"), py::arg("options"))
        .def_static(
            "_cross_validate",
            [](const py::iterable& texts, const py::iterable& labels, std::size_t folds, const py::dict& options) {
                auto t = texts_of(texts, "texts");
                auto l = labels_of(labels);
                const auto o = options_of(options);
                std::string json;
                {
                    py::gil_scoped_release release;
                    json = ck::TextModel::cross_validate(t, l, folds, o).to_json();
                }
                return json_loads(json);
            },
            py::arg("texts"), py::arg("labels"), py::arg("folds"), py::arg("options"))
        .def_static(
            "_read_jsonl",
            [](const py::bytes& data, const std::string& text_field, const std::string& label_field) {
                const auto rows = ck::read_labelled_jsonl(std::string(data), text_field, label_field);
                py::list texts, labels;
                for (const auto& r : rows) {
                    texts.append(py::str(r.text));
                    labels.append(py::str(r.label));
                }
                return py::make_tuple(texts, labels);
            })
        .def_static("_read_csv",
                    [](const py::bytes& data, const std::vector<std::string>& text_columns, const std::string& label) {
                        const auto rows = ck::read_labelled_csv(std::string(data), text_columns, label);
                        py::list texts, labels;
                        for (const auto& r : rows) {
                            texts.append(py::str(r.text));
                            labels.append(py::str(r.label));
                        }
                        return py::make_tuple(texts, labels);
                    })
        .def_static("_from_complaints",
                    [](const std::vector<ck::Complaint>& complaints, const std::string& facet) {
                        const auto rows = ck::labelled_from_complaints(complaints, facet);
                        py::list texts, labels;
                        for (const auto& r : rows) {
                            texts.append(py::str(r.text));
                            labels.append(py::str(r.label));
                        }
                        return py::make_tuple(texts, labels);
                    })
        .def_static("load",
                    [](const std::string& path) {
                        py::gil_scoped_release release;
                        return std::make_shared<ck::TextModel>(ck::TextModel::load(path));
                    })
        .def_static("from_bytes",
                    [](const py::bytes& data) {
                        std::string b(data);
                        py::gil_scoped_release release;
                        return std::make_shared<ck::TextModel>(ck::TextModel::from_bytes(b));
                    })
        .def("save",
             [](const ck::TextModel& self, const std::string& path) {
                 py::gil_scoped_release release;
                 self.save(path);
             })
        .def("to_bytes", [](const ck::TextModel& self) { return py::bytes(self.to_bytes()); })
        .def_property_readonly("classes", [](const ck::TextModel& self) { return self.classes(); })
        .def_property_readonly("temperature", &ck::TextModel::temperature)
        .def_property_readonly("feature_count", &ck::TextModel::feature_count)
        .def_property_readonly("memory_bytes", &ck::TextModel::memory_bytes)
        .def_property_readonly("options", [](const ck::TextModel& self) { return options_dict(self.options()); })
        .def(
            "_predict",
            [](const ck::TextModel& self, const py::iterable& texts, unsigned threads) {
                const auto t = texts_of(texts, "texts");
                std::vector<ck::ClassScore> r;
                {
                    py::gil_scoped_release release;
                    std::vector<std::string_view> v(t.begin(), t.end());
                    r = self.predict_batch(v, threads);
                }
                py::array_t<std::int64_t> cls(static_cast<py::ssize_t>(r.size()));
                py::array_t<double> prob(static_cast<py::ssize_t>(r.size()));
                auto c = cls.mutable_unchecked<1>();
                auto p = prob.mutable_unchecked<1>();
                for (std::size_t i = 0; i < r.size(); ++i) {
                    c(static_cast<py::ssize_t>(i)) = static_cast<std::int64_t>(r[i].cls);
                    p(static_cast<py::ssize_t>(i)) = r[i].probability;
                }
                return py::make_tuple(cls, prob);
            },
            py::arg("texts"), py::arg("threads") = 0)
        .def(
            "_predict_proba",
            [](const ck::TextModel& self, const py::iterable& texts, unsigned threads) {
                const auto t = texts_of(texts, "texts");
                const std::size_t nc = self.classes().size();
                py::array_t<double> out({static_cast<py::ssize_t>(t.size()), static_cast<py::ssize_t>(nc)});
                double* data = out.mutable_data();
                {
                    py::gil_scoped_release release;
                    std::vector<std::string_view> v(t.begin(), t.end());
                    self.predict_proba_batch(v, data, threads);
                }
                return out;
            },
            py::arg("texts"), py::arg("threads") = 0)
        .def(
            "_predict_one",
            [](const ck::TextModel& self, const py::handle& text) {
                const std::string t = missing_text(text) ? std::string() : text_of(text, "text");
                ck::ClassScore r;
                {
                    py::gil_scoped_release release;
                    r = self.predict(t);
                }
                return py::make_tuple(r.cls, r.probability);
            },
            py::arg("text"))
        .def("decision_function",
             [](const ck::TextModel& self, const py::handle& text) {
                 return self.decision_function(text_of(text, "text"));
             })
        .def(
            "_explain",
            [](const ck::TextModel& self, const py::handle& text, std::size_t k, std::size_t features) {
                const auto e = self.explain(text_of(text, "text"), k, features);
                py::list top, feats;
                for (const auto& t : e.top)
                    top.append(py::make_tuple(self.classes()[t.cls], t.probability, t.score));
                for (const auto& f : e.contributions) feats.append(py::make_tuple(f.feature, f.weight));
                py::dict d;
                d["top"] = top;
                d["features"] = feats;
                d["bias"] = e.bias;
                return d;
            },
            py::arg("text"), py::arg("k") = 3, py::arg("features") = 10);
    m.attr("textmodel_feature_version") = ck::textmodel_feature_version;

    // RuleSet.with_models({"name": TextModel}): the rule-engine integration (init_rules ran first).
    if (py::hasattr(m, "RuleSet")) {
        py::object rs = m.attr("RuleSet");
        rs.attr("with_models") = py::cpp_function(
            [](const ck::RuleSet& self, const py::dict& models) {
                ck::FacetModels fm;
                for (const auto& [k, v] : models) {
                    const std::string name = py::str(k).cast<std::string>();
                    py::object native = py::reinterpret_borrow<py::object>(v);
                    if (py::hasattr(native, "_native")) native = native.attr("_native");
                    if (native.is_none()) throw py::value_error("model \"" + name + "\" is not trained");
                    auto model = native.cast<Model>();
                    fm.emplace(name, std::make_shared<ck::TextModelFacetPredictor>(model, name));
                }
                return self.with_models(std::move(fm));
            },
            py::is_method(rs), py::arg("models"),
            R"pbdoc(A copy whose classify() fills the facets the pack's "models" entries bind, from these
TextModels (by name), when no rule decided them and the model is confident enough; the evidence
then has an entry "model:<name>". Raises NotFoundError for a model the pack names but the dict
lacks, UnknownCodeError when a model's labels are not codes of its facet.)pbdoc");
    }
}

}  // namespace ckpy
