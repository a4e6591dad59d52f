// complaintkit C API: rule sets and classifications.
#include "capi_internal.hpp"

#include <complaintkit/rules.hpp>

#include <memory>
#include <vector>

struct ck_classification {
    ck::Classification c;
};

using namespace ck;
using namespace ck::capi;

namespace {

constexpr unsigned kClassifyFlags = CK_CLASSIFY_EXPLAIN | CK_CLASSIFY_LENIENT_UTF8 | CK_CLASSIFY_NO_HITS;

ClassifyOptions options_of(unsigned flags) {
    if (flags & ~kClassifyFlags) throw Error(ErrorCode::invalid_argument, "unknown classify flags");
    ClassifyOptions o;
    o.explain = (flags & CK_CLASSIFY_EXPLAIN) != 0;
    o.strict_utf8 = (flags & CK_CLASSIFY_LENIENT_UTF8) == 0;
    if (flags & CK_CLASSIFY_NO_HITS) o.evidence = EvidenceLevel::rules;
    return o;
}

const RuleSet& rules_arg(const ck_ruleset* rs) { return need(rs, "rule set")->rs; }
const Classification& result_arg(const ck_classification* c) { return need(c, "classification")->c; }

const RuleEvidence& evidence_at(const Classification& c, std::size_t index) {
    if (index >= c.evidence.size())
        throw Error(ErrorCode::invalid_argument, "evidence index " + std::to_string(index) + " out of range (" +
                                                     std::to_string(c.evidence.size()) + " rules fired)");
    return c.evidence[index];
}

void put_json(const std::string& s, char** out, size_t* out_len) {
    *out = dup_string(s);
    if (out_len) *out_len = s.size();
}

/// A batch's texts as views (checked: NULL array, invalid UTF-8 as "item N: …").
std::vector<std::string_view> batch_texts(const char* const* texts, const size_t* lens, size_t n) {
    if (n > 0) need(texts, "texts");
    std::vector<std::string_view> views;
    views.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        try {
            views.push_back(text_arg(texts[i], lens ? lens[i] : CK_NUL_TERMINATED, "text"));
        } catch (const Error& e) {
            throw e.with_context("item " + std::to_string(i));
        }
    }
    return views;
}

}  // namespace

extern "C" {

int ck_ruleset_compile(ck_context* ctx, ck_ruleset** out, const char* json, size_t len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_ruleset{RuleSet::compile(text_arg(json, len, "json"))};
        return CK_OK;
    });
}

int ck_ruleset_default(ck_context* ctx, ck_ruleset** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        *out = new ck_ruleset{RuleSet::default_rules()};
        return CK_OK;
    });
}

int ck_ruleset_default_json(ck_context* ctx, const char** out, size_t* out_len) {
    return guard(ctx, [&] {
        need(out, "out");
        const std::string_view j = RuleSet::default_pack_json();
        *out = j.data();
        if (out_len) *out_len = j.size();
        return CK_OK;
    });
}

void ck_ruleset_free(ck_ruleset* rs) { delete rs; }

int ck_ruleset_lint(ck_context* ctx, const char* json, size_t len, char** out, size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        put_json(to_json(RuleSet::lint(text_arg(json, len, "json"))), out, out_len);
        return CK_OK;
    });
}

int ck_ruleset_counts(ck_context* ctx, const ck_ruleset* rs, size_t* out_rules, size_t* out_keywords) {
    return guard(ctx, [&] {
        const RuleSet& r = rules_arg(rs);
        if (out_rules) *out_rules = r.rule_count();
        if (out_keywords) *out_keywords = r.keyword_count();
        return CK_OK;
    });
}

int ck_ruleset_warnings_json(ck_context* ctx, const ck_ruleset* rs, char** out, size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        put_json(to_json(rules_arg(rs).warnings()), out, out_len);
        return CK_OK;
    });
}

int ck_ruleset_model_count(ck_context* ctx, const ck_ruleset* rs, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = rules_arg(rs).model_bindings().size();
        return CK_OK;
    });
}

int ck_ruleset_model_binding(ck_context* ctx, const ck_ruleset* rs, size_t index, const char** out_name, int* out_facet,
                             double* out_threshold) {
    return guard(ctx, [&] {
        const auto& b = rules_arg(rs).model_bindings();
        if (index >= b.size())
            throw Error(ErrorCode::invalid_argument, "model index " + std::to_string(index) + " out of range (" +
                                                         std::to_string(b.size()) + " models)");
        if (out_name) *out_name = b[index].model.c_str();
        if (out_facet) *out_facet = static_cast<int>(b[index].facet);
        if (out_threshold) *out_threshold = b[index].threshold;
        return CK_OK;
    });
}

int ck_ruleset_classify_text(ck_context* ctx, const ck_ruleset* rs, const char* text, size_t len, unsigned flags,
                             ck_classification** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const RuleSet& r = rules_arg(rs);
        const auto opt = options_of(flags);
        *out = new ck_classification{r.classify(text_arg(text, len, "text"), opt)};
        return CK_OK;
    });
}

int ck_ruleset_classify_complaint(ck_context* ctx, const ck_ruleset* rs, const ck_complaint* c, int prior_complaints,
                                  unsigned flags, ck_classification** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const RuleSet& r = rules_arg(rs);
        const Complaint& cp = need(c, "complaint")->c;
        if (prior_complaints < -1) throw Error(ErrorCode::invalid_argument, "prior_complaints must be -1 or more");
        ClassifyContext cc;
        if (prior_complaints >= 0) cc.prior_complaints = prior_complaints;
        *out = new ck_classification{r.classify(cp, options_of(flags), cc)};
        return CK_OK;
    });
}

int ck_ruleset_classify_batch(ck_context* ctx, const ck_ruleset* rs, const char* const* texts, const size_t* lens,
                              size_t n, unsigned threads, unsigned flags, ck_classification** out) {
    return guard(ctx, [&] {
        need(out, "out");
        for (size_t i = 0; i < n; ++i) out[i] = nullptr;
        const RuleSet& r = rules_arg(rs);
        const std::vector<std::string_view> views = batch_texts(texts, lens, n);
        BatchOptions bo;
        bo.threads = threads;
        bo.classify = options_of(flags);
        std::vector<Classification> results = r.classify_many(views, bo);
        std::vector<std::unique_ptr<ck_classification>> owned;
        owned.reserve(n);
        for (auto& c : results) owned.push_back(std::make_unique<ck_classification>(ck_classification{std::move(c)}));
        for (size_t i = 0; i < n; ++i) out[i] = owned[i].release();
        return CK_OK;
    });
}

int ck_ruleset_classify_each(ck_context* ctx, const ck_ruleset* rs, const char* const* texts, const size_t* lens,
                             size_t n, unsigned threads, unsigned flags, ck_classification_sink sink, void* user) {
    int stopped = 0;
    const int rc = guard(ctx, [&] {
        const RuleSet& r = rules_arg(rs);
        if (!sink) throw Error(ErrorCode::invalid_argument, "sink is NULL");
        const std::vector<std::string_view> views = batch_texts(texts, lens, n);
        BatchOptions bo;
        bo.threads = threads;
        bo.classify = options_of(flags);
        struct Stop {};  // the sink's non-zero return, carried out of the pool
        try {
            r.classify_each(views, [&](std::size_t i, Classification& c) {
                ck_classification holder{std::move(c)};
                const int v = sink(user, i, &holder);
                c = std::move(holder.c);  // (the engine reuses the storage)
                if (v != 0) {
                    stopped = v;
                    throw Stop{};
                }
            }, bo);
        } catch (const Stop&) {  // not an error: `stopped` is returned, the context left as it was
        }
        return CK_OK;
    });
    return stopped != 0 ? stopped : rc;
}

void ck_classification_free(ck_classification* c) { delete c; }

int ck_classification_facet(ck_context* ctx, const ck_classification* c, int facet, int* out_value) {
    return guard(ctx, [&] {
        need(out_value, "out_value");
        const Facets& f = result_arg(c).facets;
        switch (facet) {
        case CK_FACET_KIND: *out_value = static_cast<int>(f.kind); break;
        case CK_FACET_CATEGORY: *out_value = static_cast<int>(f.category); break;
        case CK_FACET_SUBCATEGORY: *out_value = static_cast<int>(f.subcategory); break;
        case CK_FACET_CAUSE: *out_value = static_cast<int>(f.cause); break;
        case CK_FACET_SUB_CAUSE: *out_value = static_cast<int>(f.sub_cause); break;
        case CK_FACET_ATTRIBUTION: *out_value = static_cast<int>(f.attribution); break;
        case CK_FACET_DIMENSION: *out_value = static_cast<int>(f.dimension); break;
        case CK_FACET_SEVERITY: *out_value = static_cast<int>(f.severity); break;
        case CK_FACET_PERSONALITY: *out_value = static_cast<int>(f.personality); break;
        case CK_FACET_MOTIVE: *out_value = static_cast<int>(f.motive); break;
        case CK_FACET_REASONABLE: *out_value = f.reasonable ? (*f.reasonable ? 1 : 0) : -1; break;
        case CK_FACET_TAGS:
            throw Error(ErrorCode::invalid_argument, "tags are not a single value: use ck_classification_tag_at");
        default: throw Error(ErrorCode::invalid_argument, "no facet numbered " + std::to_string(facet));
        }
        return CK_OK;
    });
}

int ck_classification_score(ck_context* ctx, const ck_classification* c, double* out_score) {
    return guard(ctx, [&] {
        need(out_score, "out_score");
        *out_score = result_arg(c).score;
        return CK_OK;
    });
}

int ck_classification_tag_count(ck_context* ctx, const ck_classification* c, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = result_arg(c).facets.tags.size();
        return CK_OK;
    });
}

int ck_classification_tag_at(ck_context* ctx, const ck_classification* c, size_t index, const char** out) {
    return guard(ctx, [&] {
        need(out, "out");
        const auto& tags = result_arg(c).facets.tags;
        if (index >= tags.size())
            throw Error(ErrorCode::invalid_argument, "tag index " + std::to_string(index) + " out of range (" +
                                                         std::to_string(tags.size()) + " tags)");
        *out = tags[index].c_str();
        return CK_OK;
    });
}

int ck_classification_evidence_count(ck_context* ctx, const ck_classification* c, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = result_arg(c).evidence.size();
        return CK_OK;
    });
}

int ck_classification_evidence_at(ck_context* ctx, const ck_classification* c, size_t index, const char** out_rule_id,
                                  double* out_score, size_t* out_hit_count) {
    return guard(ctx, [&] {
        const RuleEvidence& e = evidence_at(result_arg(c), index);
        if (out_rule_id) *out_rule_id = e.rule_id.data();  // NUL-terminated: the pack owns a std::string
        if (out_score) *out_score = e.score;
        if (out_hit_count) *out_hit_count = e.hits.size();
        return CK_OK;
    });
}

int ck_classification_hit_at(ck_context* ctx, const ck_classification* c, size_t index, size_t hit,
                             const char** out_keyword, size_t* out_begin, size_t* out_end, int* out_in_title) {
    return guard(ctx, [&] {
        const RuleEvidence& e = evidence_at(result_arg(c), index);
        if (hit >= e.hits.size())
            throw Error(ErrorCode::invalid_argument, "hit index " + std::to_string(hit) + " out of range (" +
                                                         std::to_string(e.hits.size()) + " hits)");
        const KeywordHit& h = e.hits[hit];
        if (out_keyword) *out_keyword = h.keyword.data();  // NUL-terminated, owned by the pack
        if (out_begin) *out_begin = h.begin;
        if (out_end) *out_end = h.end;
        if (out_in_title) *out_in_title = h.field == TextField::title ? 1 : 0;
        return CK_OK;
    });
}

int ck_classification_to_json(ck_context* ctx, const ck_classification* c, unsigned flags, char** out,
                              size_t* out_len) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        if (flags & ~CK_JSON_PRETTY) throw Error(ErrorCode::invalid_argument, "unknown serialisation flags");
        put_json(to_json(result_arg(c), (flags & CK_JSON_PRETTY) != 0), out, out_len);
        return CK_OK;
    });
}

}  // extern "C"
