// complaintkit — rule packs that name text models to fill facets no rule decided
// (the rule-engine side of issue 7; docs/textmodel.md "Rule-engine integration").
#include "json_internal.hpp"
#include "rules_internal.hpp"

#include <complaintkit/error.hpp>
#include <complaintkit/rules.hpp>
#include <complaintkit/taxonomy.hpp>
#include <complaintkit/textmodel.hpp>

#include <cmath>
#include <cstdio>

namespace ck {

namespace {

/// The taxonomy of a facet a model may fill (top-level coded facets only).
std::optional<TaxonomyId> model_taxonomy(FacetId f) {
    switch (f) {
    case FacetId::kind: return TaxonomyId::kind;
    case FacetId::category: return TaxonomyId::category;
    case FacetId::cause: return TaxonomyId::cause;
    case FacetId::attribution: return TaxonomyId::attribution;
    case FacetId::dimension: return TaxonomyId::dimension;
    case FacetId::severity: return TaxonomyId::severity;
    case FacetId::personality: return TaxonomyId::personality;
    case FacetId::motive: return TaxonomyId::motive;
    default: return std::nullopt;
    }
}

std::optional<int> code_value(TaxonomyId t, std::string_view code) {
    for (const auto& e : taxonomy_entries(t))
        if (e.code == code) return e.value;
    return std::nullopt;
}

/// Current value of a coded facet (0 = unknown), and setting it.
int facet_value(const Facets& f, FacetId id) {
    switch (id) {
    case FacetId::kind: return static_cast<int>(f.kind);
    case FacetId::category: return static_cast<int>(f.category);
    case FacetId::cause: return static_cast<int>(f.cause);
    case FacetId::attribution: return static_cast<int>(f.attribution);
    case FacetId::dimension: return static_cast<int>(f.dimension);
    case FacetId::severity: return static_cast<int>(f.severity);
    case FacetId::personality: return static_cast<int>(f.personality);
    case FacetId::motive: return static_cast<int>(f.motive);
    default: return 0;
    }
}

void set_facet(Facets& f, FacetId id, int v) {
    switch (id) {
    case FacetId::kind: f.kind = static_cast<Kind>(v); break;
    case FacetId::category: f.category = static_cast<Category>(v); break;
    case FacetId::cause: f.cause = static_cast<Cause>(v); break;
    case FacetId::attribution: f.attribution = static_cast<Attribution>(v); break;
    case FacetId::dimension: f.dimension = static_cast<Dimension>(v); break;
    case FacetId::severity: f.severity = static_cast<Severity>(v); break;
    case FacetId::personality: f.personality = static_cast<Personality>(v); break;
    case FacetId::motive: f.motive = static_cast<Motive>(v); break;
    default: break;
    }
}

std::string fixed2(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", x);
    return buf;
}

}  // namespace

namespace detail {

std::vector<FacetModelBinding> parse_model_bindings(const Node& models) {
    std::vector<FacetModelBinding> out;
    const auto& a = models.array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Node n = models.at(i);
        if (!n.v->is_object()) n.fail(ErrorCode::invalid_value, "a model binding is an object {\"facet\", \"model\", \"threshold\"}");
        ObjectIn o(n);
        FacetModelBinding b;
        const Node fn = o.req("facet");
        const std::string facet = fn.str();
        const auto id = facet_from_name(facet);
        if (!id) fn.fail(ErrorCode::unknown_code, "unknown facet \"" + facet + "\"");
        if (!model_taxonomy(*id))
            fn.fail(ErrorCode::invalid_value, "a model can fill kind, category, cause, attribution, dimension, severity, "
                                              "personality or motive, not \"" + facet + "\"");
        for (const auto& prev : out)
            if (prev.facet == *id) fn.fail(ErrorCode::invalid_value, "facet \"" + facet + "\" is bound to a model twice");
        b.facet = *id;
        b.model = o.req("model").str_nonempty();
        if (auto t = o.opt("threshold")) {
            b.threshold = t->number();
            if (!(b.threshold >= 0 && b.threshold <= 1)) t->fail(ErrorCode::invalid_value, "threshold must be within 0…1");
        }
        o.reject_unknown();
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace detail

const std::vector<FacetModelBinding>& RuleSet::model_bindings() const noexcept { return impl_->models; }

RuleSet RuleSet::with_models(FacetModels models) const {
    for (std::size_t i = 0; i < impl_->models.size(); ++i) {
        const FacetModelBinding& b = impl_->models[i];
        const auto it = models.find(b.model);
        if (it == models.end() || !it->second)
            throw Error(ErrorCode::not_found, "the pack names model \"" + b.model + "\", which was not supplied",
                        "/models/" + std::to_string(i) + "/model");
        const TaxonomyId t = *model_taxonomy(b.facet);
        for (const auto& label : it->second->labels())
            if (!code_value(t, label))
                throw Error(ErrorCode::unknown_code, "model \"" + b.model + "\" predicts \"" + label + "\", which is not a " +
                                                         std::string(taxonomy_name(t)) + " code",
                            "/models/" + std::to_string(i) + "/model");
    }
    RuleSet copy(*this);
    copy.models_ = std::make_shared<const FacetModels>(std::move(models));
    return copy;
}

void apply_facet_models(const RuleSet& rs, const Complaint* complaint, std::string_view title, std::string_view text,
                        const ClassifyOptions& options, Classification& out) {
    if (out.empty_text) return;
    Complaint probe;
    const Complaint* c = complaint;
    if (!c) {
        probe.title = std::string(title);
        probe.text = std::string(text);
        c = &probe;
    }
    for (const FacetModelBinding& b : rs.impl_->models) {
        if (facet_value(out.facets, b.facet) != 0) continue;  // a rule decided it
        const std::string id = "model:" + b.model;
        const std::string facet(facet_name(b.facet));
        const FacetPredictor* p = nullptr;
        if (rs.models_) {
            const auto it = rs.models_->find(b.model);
            if (it != rs.models_->end()) p = it->second.get();
        }
        if (!p) {
            if (options.explain)
                out.misses.push_back({id, facet + ": model \"" + b.model + "\" not supplied (RuleSet::with_models)"});
            continue;
        }
        const auto g = p->guess(*c, 0.0);
        if (!g) continue;
        if (g->confidence < b.threshold) {
            if (options.explain)
                out.misses.push_back({id, facet + ": best \"" + g->value + "\" at " + fixed2(g->confidence) +
                                              " is below the threshold " + fixed2(b.threshold)});
            continue;
        }
        const auto v = code_value(*model_taxonomy(b.facet), g->value);
        if (!v || *v == 0) continue;  // with_models checked the labels; "unknown" leaves it unknown
        set_facet(out.facets, b.facet, *v);
        RuleEvidence ev;
        ev.rule_id = id;
        ev.score = g->confidence;
        ev.decided.push_back(b.facet);
        out.evidence.push_back(std::move(ev));
        out.facet_score[static_cast<std::size_t>(b.facet)] = g->confidence;
    }
}

}  // namespace ck
