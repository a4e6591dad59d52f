// complaintkit C API: the trainable text classifier.
#include "capi_internal.hpp"

#include "../src/json_internal.hpp"

#include <complaintkit/textmodel.hpp>

#include <memory>
#include <vector>

// The handle holds a shared, immutable model (the rule engine may share the same object).
struct ck_textmodel {
    std::shared_ptr<const ck::TextModel> m;
};

using namespace ck;
using namespace ck::capi;

namespace {

const TextModel& model_arg(const ck_textmodel* h) { return *need(h, "model")->m; }

TextModelOptions options_arg(const char* const* options) {
    TextModelOptions o;
    if (options)
        for (const char* const* p = options; *p; ++p) set_textmodel_option(o, *p);
    return o;
}

std::vector<LabelledText> labelled_arg(const char* jsonl, std::size_t len, const char* text_field, const char* label_field) {
    return read_labelled_jsonl(text_arg(jsonl, len, "jsonl"), text_field ? text_field : "text",
                               label_field ? label_field : "label");
}

ck_textmodel* wrap(TextModel&& m) { return new ck_textmodel{std::make_shared<const TextModel>(std::move(m))}; }

}  // namespace

extern "C" {

int ck_textmodel_train_jsonl(ck_context* ctx, ck_textmodel** out, const char* jsonl, size_t len, const char* text_field,
                             const char* label_field, const char* const* options) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const TextModelOptions opt = options_arg(options);
        const auto rows = labelled_arg(jsonl, len, text_field, label_field);
        *out = wrap(TextModel::train(rows, opt));
        return CK_OK;
    });
}

int ck_textmodel_cross_validate_jsonl(ck_context* ctx, const char* jsonl, size_t len, const char* text_field,
                                      const char* label_field, size_t folds, const char* const* options, char** out_json,
                                      size_t* out_len) {
    if (out_json) *out_json = nullptr;
    return guard(ctx, [&] {
        need(out_json, "out_json");
        const TextModelOptions opt = options_arg(options);
        const auto rows = labelled_arg(jsonl, len, text_field, label_field);
        std::vector<std::string> texts, labels;
        for (const auto& r : rows) {
            texts.push_back(r.text);
            labels.push_back(r.label);
        }
        const std::string json = TextModel::cross_validate(texts, labels, folds, opt).to_json();
        *out_json = dup_string(json);
        if (out_len) *out_len = json.size();
        return CK_OK;
    });
}

int ck_textmodel_load(ck_context* ctx, ck_textmodel** out, const char* path) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        need(path, "path");
        *out = wrap(TextModel::load(path));
        return CK_OK;
    });
}

int ck_textmodel_from_bytes(ck_context* ctx, ck_textmodel** out, const void* data, size_t len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        if (!data && len) throw Error(ErrorCode::invalid_argument, "data must not be NULL");
        *out = wrap(TextModel::from_bytes(std::string_view(static_cast<const char*>(data), data ? len : 0)));
        return CK_OK;
    });
}

int ck_textmodel_save(ck_context* ctx, const ck_textmodel* model, const char* path) {
    return guard(ctx, [&] {
        const TextModel& m = model_arg(model);
        need(path, "path");
        m.save(path);
        return CK_OK;
    });
}

void ck_textmodel_free(ck_textmodel* model) { delete model; }

int ck_textmodel_class_count(ck_context* ctx, const ck_textmodel* model, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = model_arg(model).classes().size();
        return CK_OK;
    });
}

int ck_textmodel_class_label(ck_context* ctx, const ck_textmodel* model, size_t index, const char** out_label) {
    return guard(ctx, [&] {
        need(out_label, "out_label");
        const auto& cls = model_arg(model).classes();
        if (index >= cls.size())
            throw Error(ErrorCode::invalid_argument, "class index " + std::to_string(index) + " out of range (" +
                                                         std::to_string(cls.size()) + " classes)");
        *out_label = cls[index].c_str();
        return CK_OK;
    });
}

int ck_textmodel_predict(ck_context* ctx, const ck_textmodel* model, const char* text, size_t len, size_t* out_class,
                         double* out_probability) {
    return guard(ctx, [&] {
        const ClassScore s = model_arg(model).predict(text_arg(text, len, "text"));
        if (out_class) *out_class = s.cls;
        if (out_probability) *out_probability = s.probability;
        return CK_OK;
    });
}

int ck_textmodel_predict_proba(ck_context* ctx, const ck_textmodel* model, const char* text, size_t len, double* out_probs,
                               size_t capacity) {
    return guard(ctx, [&] {
        const TextModel& m = model_arg(model);
        need(out_probs, "out_probs");
        if (capacity < m.classes().size())
            throw Error(ErrorCode::invalid_argument, "out_probs holds " + std::to_string(capacity) + " values, the model has " +
                                                         std::to_string(m.classes().size()) + " classes");
        const auto p = m.predict_proba(text_arg(text, len, "text"));
        std::copy(p.begin(), p.end(), out_probs);
        return CK_OK;
    });
}

int ck_textmodel_predict_batch(ck_context* ctx, const ck_textmodel* model, const char* const* texts, const size_t* lens,
                               size_t n, unsigned threads, size_t* out_classes, double* out_probabilities) {
    return guard(ctx, [&] {
        const TextModel& m = model_arg(model);
        need(out_classes, "out_classes");
        if (n && !texts) throw Error(ErrorCode::invalid_argument, "texts must not be NULL");
        std::vector<std::string_view> views;
        views.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const std::string what = "texts[" + std::to_string(i) + "]";
            views.push_back(text_arg(texts[i], lens ? lens[i] : CK_NUL_TERMINATED, what.c_str()));
        }
        const auto r = m.predict_batch(views, threads);
        for (size_t i = 0; i < n; ++i) {
            out_classes[i] = r[i].cls;
            if (out_probabilities) out_probabilities[i] = r[i].probability;
        }
        return CK_OK;
    });
}

int ck_textmodel_explain_json(ck_context* ctx, const ck_textmodel* model, const char* text, size_t len, size_t k,
                              size_t features, char** out_json, size_t* out_len) {
    if (out_json) *out_json = nullptr;
    return guard(ctx, [&] {
        const TextModel& m = model_arg(model);
        need(out_json, "out_json");
        const Explanation e = m.explain(text_arg(text, len, "text"), k, features);
        boost::json::object o;
        boost::json::array top;
        for (const auto& t : e.top)
            top.push_back(boost::json::object{{"label", m.classes()[t.cls]}, {"probability", t.probability}, {"score", t.score}});
        o["top"] = std::move(top);
        o["bias"] = e.bias;
        boost::json::array fs;
        for (const auto& f : e.contributions) fs.push_back(boost::json::object{{"feature", f.feature}, {"weight", f.weight}});
        o["features"] = std::move(fs);
        const std::string json = detail::serialize(o);
        *out_json = dup_string(json);
        if (out_len) *out_len = json.size();
        return CK_OK;
    });
}

int ck_ruleset_with_models(ck_context* ctx, const ck_ruleset* rs, const char* const* names, const ck_textmodel* const* models,
                           size_t n, ck_ruleset** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const RuleSet& r = need(rs, "rule set")->rs;
        if (n > 0) {
            need(names, "names");
            need(models, "models");
        }
        FacetModels fm;
        for (size_t i = 0; i < n; ++i) {
            const std::string index = std::to_string(i);
            std::string at = "/";  // (appended, not "/" + index: GCC 12's -Wrestrict misfires on that)
            at += index;
            if (!names[i]) throw Error(ErrorCode::invalid_argument, "model name " + index + " is NULL", at);
            if (!models[i]) throw Error(ErrorCode::invalid_argument, "model " + index + " is NULL", at);
            const std::string name(text_arg(names[i], CK_NUL_TERMINATED, "name"));
            if (!fm.emplace(name, std::make_shared<TextModelFacetPredictor>(models[i]->m, name)).second)
                throw Error(ErrorCode::invalid_argument, "model name \"" + name + "\" is given twice", at);
        }
        *out = new ck_ruleset{r.with_models(std::move(fm))};
        return CK_OK;
    });
}

}  // extern "C"
