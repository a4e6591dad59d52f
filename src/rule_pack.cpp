// complaintkit — rule pack compiler and linter: JSON → RuleSet::Impl, with every problem
// reported at once (rule id + JSON pointer). The language is described in docs/rules.md.
#include "json_internal.hpp"
#include "rules_internal.hpp"

#include <complaintkit/normalize.hpp>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

namespace ck::detail {
namespace {

constexpr std::string_view kCombinators[] = {"all", "any", "none"};
constexpr std::pair<std::string_view, PredKind> kPredicates[] = {
    {"text_any", PredKind::text_any}, {"text_all", PredKind::text_all}, {"regex", PredKind::regex},
    {"channel", PredKind::channel}, {"tier", PredKind::tier}, {"amount", PredKind::amount},
    {"branch_prefix", PredKind::branch_prefix}, {"region_prefix", PredKind::region_prefix},
    {"product", PredKind::product}, {"attribute", PredKind::attribute},
    {"prior_complaints", PredKind::prior_complaints}, {"hour", PredKind::hour},
    {"weekday", PredKind::weekday}, {"language", PredKind::language}, {"facet", PredKind::facet},
};

std::string condition_keys() {
    std::string s;
    for (auto c : kCombinators) s += std::string(s.empty() ? "" : ", ") + std::string(c);
    for (auto& [k, v] : kPredicates) s += ", " + std::string(k);
    return s;
}

std::string facet_names() {
    std::string s;
    for (int i = 0; i < facet_count; ++i) s += std::string(i ? ", " : "") + std::string(facet_name(FacetId(i)));
    return s;
}

std::optional<TaxonomyId> facet_taxonomy(FacetId f) {
    switch (f) {
    case FacetId::kind: return TaxonomyId::kind;
    case FacetId::category: return TaxonomyId::category;
    case FacetId::subcategory: return TaxonomyId::subcategory;
    case FacetId::cause: return TaxonomyId::cause;
    case FacetId::sub_cause: return TaxonomyId::sub_cause;
    case FacetId::attribution: return TaxonomyId::attribution;
    case FacetId::dimension: return TaxonomyId::dimension;
    case FacetId::severity: return TaxonomyId::severity;
    case FacetId::personality: return TaxonomyId::personality;
    case FacetId::motive: return TaxonomyId::motive;
    default: return std::nullopt;
    }
}

/// Folds the non-ASCII characters of a regex (never creating ASCII metacharacters).
std::string fold_regex(std::string_view re) {
    std::string out;
    for (std::size_t i = 0; i < re.size();) {
        std::size_t len = 1;
        const char32_t c = decode_utf8(re, i, &len);
        if (c < 0x80) {
            out += re[i];
        } else {
            const char32_t f = fold_codepoint(c);
            append_utf8(out, f < 0x80 ? c : f);
        }
        i += len;
    }
    return out;
}

class PackCompiler {
public:
    PackCompiler(std::vector<RuleDiagnostic>& diags) : diags_(diags) {}

    std::shared_ptr<RuleSet::Impl> run(std::string_view text) {
        json::value root;
        try {
            root = parse_json(text);
        } catch (const Error& e) {
            error("", e.path(), e.message());
            return nullptr;
        }
        impl_ = std::make_shared<RuleSet::Impl>();
        Node rn{&root, ""};
        if (!root.is_object()) {
            error("", "", "a rule pack is a JSON object");
            return nullptr;
        }
        ObjectIn o(rn);
        attempt("", [&] {
            Node v = o.req("version");
            if (v.int64() != 1)
                throw Error(ErrorCode::unsupported, "unsupported rule pack version " + std::to_string(v.int64()) +
                                                        " (this library reads version 1)", v.path);
        });
        attempt("", [&] { impl_->name = o.req("name").str_nonempty(); });
        attempt("", [&] {
            if (auto d = o.opt("description")) impl_->description = d->str();
        });
        attempt("", [&] {
            if (auto opts = o.opt("options")) {
                ObjectIn oo(*opts);
                if (auto wb = oo.opt("word_boundaries")) word_boundaries_ = wb->boolean();
                report_unknown(oo, "");
            }
        });
        std::optional<Node> rules;
        attempt("", [&] { rules = o.req("rules"); });
        attempt("", [&] {
            if (auto ms = o.opt("models")) impl_->models = parse_model_bindings(*ms);
        });
        report_unknown(o, "");
        if (rules) {
            if (!rules->v->is_array()) {
                error("", rules->path, "expected an array of rules");
            } else {
                const auto& a = rules->v->get_array();
                if (a.empty()) error("", rules->path, "a rule pack needs at least one rule");
                for (std::size_t i = 0; i < a.size(); ++i) parse_rule(rules->at(i), i);
            }
        }
        if (has_errors()) {
            report_regex_build_errors();  // every problem at once, those of the build included
            return nullptr;
        }
        finish();
        if (has_errors()) return nullptr;
        return impl_;
    }

private:
    std::vector<RuleDiagnostic>& diags_;
    std::shared_ptr<RuleSet::Impl> impl_;
    bool word_boundaries_ = true;
    std::unordered_map<std::string, std::uint32_t> pattern_index_;
    struct RegexUse {
        std::string rule, path, written, folded;
    };
    std::vector<RegexUse> regex_uses_;  ///< every regex predicate whose regex parses
    std::map<std::string, std::string> id_paths_;
    std::unordered_map<std::string, std::string> canon_by_path_;

    bool has_errors() const {
        return std::any_of(diags_.begin(), diags_.end(),
                           [](const RuleDiagnostic& d) { return d.level == RuleDiagnostic::Level::error; });
    }
    void error(const std::string& rule, const std::string& path, const std::string& msg) {
        diags_.push_back({RuleDiagnostic::Level::error, rule, path, msg});
    }
    void warn(const std::string& rule, const std::string& path, const std::string& msg) {
        diags_.push_back({RuleDiagnostic::Level::warning, rule, path, msg});
    }
    /// Regexes that parse (regex_error) but cannot be built into a database (an engine limit
    /// such as "Pattern is too large"), each reported where it is used; false when there are
    /// none. Building each regex alone is slow, so this runs only when the pack already has
    /// errors or its database did not build (which a regex that builds alone never causes).
    bool report_regex_build_errors() {
        bool found = false;
        std::unordered_map<std::string, std::optional<std::string>> built;
        for (const auto& u : regex_uses_) {
            auto it = built.find(u.folded);
            if (it == built.end()) it = built.emplace(u.folded, Scanner::regex_build_error(u.folded)).first;
            if (!it->second) continue;
            error(u.rule, u.path, "bad regex \"" + u.written + "\": " + *it->second);
            found = true;
        }
        return found;
    }
    template <class F> bool attempt(const std::string& rule, F&& f) {
        try {
            f();
            return true;
        } catch (const Error& e) {
            error(rule, e.path(), e.message());
            return false;
        }
    }
    void report_unknown(const ObjectIn& o, const std::string& rule) {
        for (const auto& kv : o.unknown())
            error(rule, o.path() + "/" + pointer_escape(kv.key()), "unknown field \"" + std::string(kv.key()) + "\"");
    }

    std::uint32_t pattern_for(const std::string& text, bool regex) {
        const std::string key = (regex ? "r:" : "l:") + text;
        auto it = pattern_index_.find(key);
        if (it != pattern_index_.end()) return it->second;
        const auto id = static_cast<std::uint32_t>(impl_->patterns.size());
        impl_->patterns.push_back(ScanPattern{text, regex});
        std::uint8_t edges = 0;
        if (!regex && !text.empty()) {
            std::size_t len = 1;
            if (script_class(decode_utf8(text, 0, &len)) == ScriptClass::word) edges |= 1;
            std::size_t last = text.size() - 1;
            while (last > 0 && (static_cast<unsigned char>(text[last]) & 0xC0) == 0x80) --last;
            if (script_class(decode_utf8(text, last, &len)) == ScriptClass::word) edges |= 2;
        }
        impl_->pattern_word_edges.push_back(edges);
        pattern_index_.emplace(key, id);
        return id;
    }

    // ------------------------------------------------------------ keywords
    std::optional<KeywordUse> keyword(const Node& n, const std::string& rule) {
        std::string written;
        std::optional<bool> whole_word;
        if (n.v->is_object()) {
            ObjectIn o(n);
            written = o.req("keyword").str();
            if (auto w = o.opt("whole_word")) whole_word = w->boolean();
            report_unknown(o, rule);
        } else if (n.v->is_string()) {
            written = n.str();
        } else {
            n.fail(ErrorCode::invalid_value, "a keyword is a string or {\"keyword\": …, \"whole_word\": …}");
        }
        std::string body = written;
        bool open_left = false, open_right = false;
        if (!body.empty() && body.front() == '*') {
            open_left = true;
            body.erase(0, 1);
        }
        if (!body.empty() && body.back() == '*') {
            open_right = true;
            body.pop_back();
        }
        const std::string folded = normalize_text(body);
        if (folded.find_first_not_of(" \t") == std::string::npos)
            n.fail(ErrorCode::invalid_value, "empty keyword");
        if (std::any_of(folded.begin(), folded.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
            n.fail(ErrorCode::invalid_value, "keyword \"" + written + "\" contains a control character");
        const bool boundaries = whole_word.value_or(word_boundaries_);
        KeywordUse k;
        k.written = written;
        k.pattern = pattern_for(folded, false);
        if (boundaries) {
            const std::uint8_t edges = impl_->pattern_word_edges[k.pattern];
            if (!open_left && (edges & 1)) k.combo |= 1;
            if (!open_right && (edges & 2)) k.combo |= 2;
        }
        return k;
    }

    // ------------------------------------------------------------ conditions
    std::optional<Condition> condition(const Node& n, const std::string& rule) {
        if (!n.v->is_object()) {
            error(rule, n.path, "a condition is an object with one of: " + condition_keys());
            return std::nullopt;
        }
        const auto& obj = n.v->get_object();
        if (obj.size() != 1) {
            std::string found;
            for (const auto& kv : obj) found += std::string(found.empty() ? "" : ", ") + std::string(kv.key());
            error(rule, n.path,
                  "a condition has exactly one key (one of: " + condition_keys() + "); found " +
                      (found.empty() ? "none" : found));
            return std::nullopt;
        }
        const std::string key(obj.begin()->key());
        Node v{&obj.begin()->value(), n.path + "/" + pointer_escape(key)};
        canon_by_path_[n.path] = detail::serialize(*n.v);
        Condition c;
        c.path = n.path;
        for (std::size_t i = 0; i < 3; ++i) {
            if (key != kCombinators[i]) continue;
            c.type = i == 0 ? Condition::Type::all : i == 1 ? Condition::Type::any : Condition::Type::none;
            if (!v.v->is_array()) {
                error(rule, v.path, "expected an array of conditions");
                return std::nullopt;
            }
            const auto& a = v.v->get_array();
            if (a.empty()) {
                error(rule, v.path, "\"" + key + "\" needs at least one condition");
                return std::nullopt;
            }
            bool ok = true;
            for (std::size_t k = 0; k < a.size(); ++k) {
                auto child = condition(v.at(k), rule);
                if (child) c.children.push_back(std::move(*child));
                else ok = false;
            }
            if (!ok) return std::nullopt;
            return c;
        }
        auto it = std::find_if(std::begin(kPredicates), std::end(kPredicates),
                               [&](const auto& p) { return p.first == key; });
        if (it == std::end(kPredicates)) {
            error(rule, v.path, "unknown condition \"" + key + "\" (known: " + condition_keys() + ")");
            return std::nullopt;
        }
        Predicate p;
        p.kind = it->second;
        p.path = v.path;
        if (!attempt(rule, [&] { predicate(p, v, rule); })) return std::nullopt;
        c.type = Condition::Type::pred;
        c.pred = static_cast<int>(impl_->preds.size());
        impl_->preds.push_back(std::move(p));
        return c;
    }

    template <TaxonomyEnum E> std::vector<int> codes(const Node& v) {
        std::vector<int> out;
        const auto& a = v.array();
        if (a.empty()) v.fail(ErrorCode::invalid_value, "empty list");
        for (std::size_t i = 0; i < a.size(); ++i) out.push_back(static_cast<int>(v.at(i).code<E>()));
        return out;
    }

    void predicate(Predicate& p, const Node& v, const std::string& rule) {
        switch (p.kind) {
        case PredKind::text_any:
        case PredKind::text_all: {
            const auto& a = v.array();
            if (a.empty()) v.fail(ErrorCode::invalid_value, "empty keyword list");
            std::set<std::pair<std::uint32_t, std::uint8_t>> seen;
            bool ok = true;
            for (std::size_t i = 0; i < a.size(); ++i) {
                Node kn = v.at(i);
                ok &= attempt(rule, [&] {
                    auto k = keyword(kn, rule);
                    if (!seen.insert({k->pattern, k->combo}).second)
                        warn(rule, kn.path, "duplicate keyword \"" + k->written + "\" (same after folding)");
                    else
                        p.keywords.push_back(std::move(*k));
                });
            }
            if (!ok) throw Error(ErrorCode::invalid_value, "keyword list has errors", v.path);
            break;
        }
        case PredKind::regex: {
            const std::string re = v.str_nonempty();
            const std::string folded = fold_regex(re);
            if (auto err = Scanner::regex_error(folded)) v.fail(ErrorCode::compile, "bad regex \"" + re + "\": " + *err);
            regex_uses_.push_back({rule, v.path, re, folded});
            p.keywords.push_back(KeywordUse{re, pattern_for(folded, true), 0});
            break;
        }
        case PredKind::channel: p.values = codes<Channel>(v); break;
        case PredKind::tier: p.values = codes<Tier>(v); break;
        case PredKind::amount: {
            ObjectIn o(v);
            p.name = o.req("kind").str_nonempty();
            if (auto m = o.opt("min_minor")) p.min = static_cast<double>(m->int64());
            if (auto m = o.opt("max_minor")) p.max = static_cast<double>(m->int64());
            if (auto c = o.opt("currency")) p.currency = c->str_nonempty();
            o.reject_unknown();
            if (!p.min && !p.max) v.fail(ErrorCode::missing_field, "amount needs min_minor and/or max_minor");
            if (p.min && p.max && *p.min > *p.max) v.fail(ErrorCode::invalid_value, "min_minor is above max_minor");
            break;
        }
        case PredKind::branch_prefix:
        case PredKind::product:
        case PredKind::language: {
            p.strings = v.strings();
            if (p.strings.empty()) v.fail(ErrorCode::invalid_value, "empty list");
            for (auto& s : p.strings) {
                if (s.empty()) v.fail(ErrorCode::invalid_value, "empty string in list");
                s = normalize_text(s);
            }
            break;
        }
        case PredKind::region_prefix: {
            p.strings = v.strings();
            if (p.strings.empty()) v.fail(ErrorCode::invalid_value, "empty region path");
            for (auto& s : p.strings) s = normalize_text(s);
            break;
        }
        case PredKind::attribute: {
            ObjectIn o(v);
            p.name = o.req("name").str_nonempty();
            if (auto e = o.opt("equals")) {
                const auto& j = *e->v;
                if (j.is_bool()) p.equals = j.get_bool();
                else if (j.is_int64()) p.equals = j.get_int64();
                else if (j.is_double()) p.equals = j.get_double();
                else if (j.is_string()) p.equals = normalize_text(e->str());
                else e->fail(ErrorCode::invalid_value, "equals takes a boolean, number or string");
            }
            if (auto m = o.opt("min")) p.min = m->number();
            if (auto m = o.opt("max")) p.max = m->number();
            if (auto x = o.opt("exists")) {
                if (!x->boolean()) x->fail(ErrorCode::invalid_value, "use \"none\" to test that an attribute is absent");
                p.exists_only = true;
            }
            o.reject_unknown();
            if (!p.equals && !p.min && !p.max && !p.exists_only)
                v.fail(ErrorCode::missing_field, "attribute needs one of equals, min, max, exists");
            break;
        }
        case PredKind::prior_complaints: {
            ObjectIn o(v);
            if (auto m = o.opt("min")) p.min = static_cast<double>(m->int64());
            if (auto m = o.opt("max")) p.max = static_cast<double>(m->int64());
            o.reject_unknown();
            if (!p.min && !p.max) v.fail(ErrorCode::missing_field, "prior_complaints needs min and/or max");
            break;
        }
        case PredKind::hour: {
            ObjectIn o(v);
            Node f = o.req("from"), t = o.req("to");
            p.hour_from = static_cast<int>(f.int64());
            p.hour_to = static_cast<int>(t.int64());
            o.reject_unknown();
            if (p.hour_from < 0 || p.hour_from > 23) f.fail(ErrorCode::invalid_value, "hour must be 0–23");
            if (p.hour_to < 0 || p.hour_to > 24) t.fail(ErrorCode::invalid_value, "hour must be 0–24");
            if (p.hour_from == p.hour_to) t.fail(ErrorCode::invalid_value, "empty hour range");
            break;
        }
        case PredKind::weekday: {
            static constexpr std::string_view days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
            const auto& a = v.array();
            if (a.empty()) v.fail(ErrorCode::invalid_value, "empty list");
            for (std::size_t i = 0; i < a.size(); ++i) {
                const std::string d = v.at(i).str();
                auto it = std::find(std::begin(days), std::end(days), d);
                if (it == std::end(days))
                    v.at(i).fail(ErrorCode::invalid_value, "unknown weekday \"" + d + "\" (mon, tue, …, sun)");
                p.values.push_back(static_cast<int>(it - std::begin(days)) + 1);
            }
            break;
        }
        case PredKind::facet: {
            ObjectIn o(v);
            auto members = o.members();
            if (members.size() != 1) v.fail(ErrorCode::invalid_value, "facet test names exactly one facet");
            auto& [name, val] = members.front();
            auto f = facet_from_name(name);
            if (!f) val.fail(ErrorCode::invalid_value, "unknown facet \"" + name + "\" (known: " + facet_names() + ")");
            p.facet = *f;
            std::vector<std::string> wanted;
            if (val.v->is_string()) wanted.push_back(val.str());
            else wanted = val.strings();
            if (wanted.empty()) val.fail(ErrorCode::invalid_value, "empty list");
            if (*f == FacetId::tags) {
                p.strings = wanted;
            } else if (*f == FacetId::reasonable) {
                for (auto& w : wanted) {
                    if (w != "true" && w != "false" && w != "unknown")
                        val.fail(ErrorCode::invalid_value, "reasonable is \"true\", \"false\" or \"unknown\"");
                    p.values.push_back(w == "true" ? 1 : w == "false" ? 0 : -1);
                }
            } else {
                const TaxonomyId t = *facet_taxonomy(*f);
                for (auto& w : wanted) {
                    const TaxonomyEntry* e = taxonomy_find(t, w);
                    if (!e) val.fail(ErrorCode::unknown_code, "unknown " + std::string(taxonomy_name(t)) + " code \"" + w + "\"");
                    p.values.push_back(e->value == 0 ? -1 : e->value);
                }
            }
            break;
        }
        }
    }

    // ------------------------------------------------------------ rules
    void parse_rule(const Node& n, std::size_t index) {
        CompiledRule r;
        r.position = index;
        r.path = n.path;
        r.set.fill(-1);
        if (!n.v->is_object()) {
            error("", n.path, "a rule is a JSON object");
            return;
        }
        ObjectIn o(n);
        std::string rid;
        attempt("", [&] {
            Node id = o.req("id");
            rid = id.str_nonempty();
            if (rid.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") !=
                std::string::npos)
                id.fail(ErrorCode::invalid_value, "rule id \"" + rid + "\" may only hold letters, digits and _ . : -");
            auto [it, fresh] = id_paths_.emplace(rid, n.path);
            if (!fresh) id.fail(ErrorCode::invalid_value, "duplicate rule id \"" + rid + "\" (first at " + it->second + ")");
        });
        r.id = rid;
        bool ok = true;
        ok &= attempt(rid, [&] {
            if (auto d = o.opt("description")) r.description = d->str();
        });
        ok &= attempt(rid, [&] {
            if (auto x = o.opt("order")) r.order = static_cast<int>(x->int64());
        });
        ok &= attempt(rid, [&] {
            if (auto x = o.opt("priority")) r.priority = static_cast<int>(x->int64());
        });
        ok &= attempt(rid, [&] {
            if (auto x = o.opt("weight")) {
                r.weight = x->number();
                if (!(r.weight > 0)) x->fail(ErrorCode::invalid_value, "weight must be positive");
            }
        });
        ok &= attempt(rid, [&] {
            if (auto x = o.opt("stop")) r.stop = x->boolean();
        });
        if (auto w = o.opt("when")) {
            r.when = condition(*w, rid);
            if (!r.when) ok = false;
        }
        std::optional<Node> set;
        ok &= attempt(rid, [&] { set = o.req("set"); });
        if (set) ok &= parse_set(*set, r);
        report_unknown(o, rid);
        if (!ok || rid.empty()) return;
        impl_->rules.push_back(std::move(r));
    }

    bool parse_set(const Node& n, CompiledRule& r) {
        if (!n.v->is_object()) {
            error(r.id, n.path, "\"set\" is an object of facet: code");
            return false;
        }
        ObjectIn o(n);
        bool ok = true;
        auto members = o.members();
        if (members.empty()) {
            error(r.id, n.path, "\"set\" sets no facet");
            return false;
        }
        for (auto& [name, v] : members) {
            ok &= attempt(r.id, [&] {
                auto f = facet_from_name(name);
                if (!f) v.fail(ErrorCode::invalid_value, "unknown facet \"" + name + "\" (known: " + facet_names() + ")");
                if (*f == FacetId::tags) {
                    r.tags = v.strings();
                    if (r.tags.empty()) v.fail(ErrorCode::invalid_value, "empty tag list");
                    for (auto& t : r.tags)
                        if (t.empty()) v.fail(ErrorCode::invalid_value, "empty tag");
                    r.set[static_cast<int>(FacetId::tags)] = 1;
                } else if (*f == FacetId::reasonable) {
                    r.set[static_cast<int>(*f)] = v.boolean() ? 1 : 0;
                } else {
                    const TaxonomyId t = *facet_taxonomy(*f);
                    const std::string code = v.str();
                    const TaxonomyEntry* e = taxonomy_find(t, code);
                    if (!e)
                        v.fail(ErrorCode::unknown_code,
                               "unknown " + std::string(taxonomy_name(t)) + " code \"" + code + "\"");
                    if (e->value == 0) v.fail(ErrorCode::invalid_value, "a rule cannot set " + name + " to \"unknown\"");
                    r.set[static_cast<int>(*f)] = e->value;
                }
            });
        }
        // A sub-value must belong to the value set beside it.
        auto check_parent = [&](FacetId child, FacetId parent, TaxonomyId ct, TaxonomyId pt) {
            const int cv = r.set[static_cast<int>(child)], pv = r.set[static_cast<int>(parent)];
            if (cv < 0 || pv < 0) return;
            const TaxonomyEntry* e = taxonomy_find(ct, cv);
            if (e && e->parent != pv) {
                error(r.id, n.path + "/" + std::string(facet_name(child)),
                      std::string(facet_name(child)) + " \"" + std::string(e->code) + "\" belongs to " +
                          std::string(facet_name(parent)) + " \"" + std::string(taxonomy_find(pt, e->parent)->code) +
                          "\", but the rule sets " + std::string(facet_name(parent)) + " \"" +
                          std::string(taxonomy_find(pt, pv)->code) + "\"");
                ok = false;
            }
        };
        check_parent(FacetId::subcategory, FacetId::category, TaxonomyId::subcategory, TaxonomyId::category);
        check_parent(FacetId::sub_cause, FacetId::cause, TaxonomyId::sub_cause, TaxonomyId::cause);
        return ok;
    }

    // ------------------------------------------------------------ after parsing
    /// The fast path's form of a rule's condition (facet value masks must be set).
    FastRule fast_rule(const CompiledRule& r) {
        FastRule f;
        f.order = r.order;
        if (!r.when) {
            f.kind = FastRule::Kind::always;
            return f;
        }
        const auto& preds = impl_->preds;
        auto facet_test = [&](const Condition& c) {
            if (c.type != Condition::Type::pred) return false;
            const Predicate& p = preds[static_cast<std::size_t>(c.pred)];
            return p.kind == PredKind::facet && p.facet != FacetId::tags;
        };
        auto add_leaf = [&](const Condition& c) {
            const Predicate& p = preds[static_cast<std::size_t>(c.pred)];
            impl_->facet_leaves.push_back({p.value_mask, static_cast<std::uint8_t>(p.facet)});
        };
        const Condition& c = *r.when;
        if (c.type == Condition::Type::pred) {
            const PredKind k = preds[static_cast<std::size_t>(c.pred)].kind;
            if (k == PredKind::text_any || k == PredKind::regex) {
                f.kind = FastRule::Kind::keywords;
                f.arg = static_cast<std::uint32_t>(c.pred);
            } else if (facet_test(c)) {
                f.kind = FastRule::Kind::facets_all;
                f.leaves = 1;
                f.arg = static_cast<std::uint32_t>(impl_->facet_leaves.size());
                add_leaf(c);
            }
            return f;
        }
        if ((c.type == Condition::Type::all || c.type == Condition::Type::any) && !c.children.empty() &&
            c.children.size() <= 8 && std::all_of(c.children.begin(), c.children.end(), facet_test)) {
            f.kind = c.type == Condition::Type::all ? FastRule::Kind::facets_all : FastRule::Kind::facets_any;
            f.leaves = static_cast<std::uint8_t>(c.children.size());
            f.arg = static_cast<std::uint32_t>(impl_->facet_leaves.size());
            for (const auto& ch : c.children) add_leaf(ch);
        }
        return f;
    }

    /// What condition c cannot hold without, from what `leaf(predicate)` says of its
    /// predicates (nullopt: nothing): for `all`, the requirement of a child that `size` finds
    /// smallest; for `any`, every child's together (nullopt when a child has none); nothing
    /// for `none`.
    template <class T, class Leaf, class Size>
    static std::optional<std::vector<T>> requirement(const Condition& c, const Leaf& leaf, const Size& size) {
        switch (c.type) {
        case Condition::Type::pred: return leaf(c.pred);
        case Condition::Type::all: {
            std::optional<std::vector<T>> best;
            for (const auto& ch : c.children)
                if (auto r = requirement<T>(ch, leaf, size); r && (!best || size(*r) < size(*best))) best = std::move(r);
            return best;
        }
        case Condition::Type::any: {
            std::vector<T> out;
            for (const auto& ch : c.children) {
                auto r = requirement<T>(ch, leaf, size);
                if (!r) return std::nullopt;
                out.insert(out.end(), r->begin(), r->end());
            }
            return out;
        }
        case Condition::Type::none: return std::nullopt;
        }
        return std::nullopt;
    }

    /// Facet tests one of which must hold for c to hold, none of them while its facet is
    /// unknown (a rule of that condition can only fire once a lower tier set one of those
    /// values): facet tests (not of tags) that reject "unknown", combined by requirement()
    /// (for `all`, the child key with the fewest values).
    using FacetKey = std::vector<FacetLeaf>;
    std::optional<FacetKey> facet_key(const Condition& c) const {
        auto leaf = [&](int pred) -> std::optional<FacetKey> {
            const Predicate& p = impl_->preds[static_cast<std::size_t>(pred)];
            if (p.kind != PredKind::facet || p.facet == FacetId::tags || (p.value_mask[0] & 1)) return std::nullopt;
            return FacetKey{FacetLeaf{p.value_mask, static_cast<std::uint8_t>(p.facet)}};
        };
        auto values = [](const FacetKey& k) {
            std::size_t n = 0;
            for (const FacetLeaf& l : k)
                for (const std::uint64_t w : l.mask) n += static_cast<std::size_t>(std::popcount(w));
            return n;
        };
        return requirement<FacetLeaf>(c, leaf, values);
    }

    /// RuleSet::Impl's key_start / key_ranks / tier_end; keyed rules leave always_words.
    void key_facet_rules() {
        const auto& rules = impl_->rules;
        const std::size_t n = rules.size();
        impl_->tier_end.assign(n, 0);
        for (std::size_t rank = n; rank-- > 0;)
            impl_->tier_end[rank] = rank + 1 < n && rules[rank + 1].order == rules[rank].order
                                        ? impl_->tier_end[rank + 1]
                                        : static_cast<std::uint32_t>(rank + 1);
        impl_->keyed_facets = 0;
        constexpr std::size_t values = 256;
        std::vector<std::vector<std::uint32_t>> keyed(static_cast<std::size_t>(facet_count) * values);
        auto key_on = [&](std::size_t rank, const FacetKey& key) {
            for (const FacetLeaf& l : key) {
                for (std::size_t v = 0; v + 1 < values; ++v)
                    if ((l.mask[(v + 1) / 64] >> ((v + 1) % 64)) & 1) keyed[l.facet * values + v].push_back(static_cast<std::uint32_t>(rank));
                impl_->keyed_facets |= static_cast<std::uint16_t>(1u << l.facet);
            }
            impl_->always_words[rank / 64] &= ~(1ULL << (rank % 64));
        };
        // (any shape: one facet test that rejects "unknown", all with one, any of them, all
        // with such an any among its parts, as the default pack's derived motives)
        for (std::size_t rank = 0; rank < n; ++rank)
            if (((impl_->always_words[rank / 64] >> (rank % 64)) & 1) && rules[rank].when)
                if (auto key = facet_key(*rules[rank].when)) key_on(rank, *key);
        impl_->key_start.assign(keyed.size() + 1, 0);
        impl_->key_ranks.clear();
        for (std::size_t i = 0; i < keyed.size(); ++i) {
            impl_->key_start[i] = static_cast<std::uint32_t>(impl_->key_ranks.size());
            impl_->key_ranks.insert(impl_->key_ranks.end(), keyed[i].begin(), keyed[i].end());
        }
        impl_->key_start[keyed.size()] = static_cast<std::uint32_t>(impl_->key_ranks.size());
    }

    /// Keyword / regex patterns one of which must match for c to hold (requirement(): for
    /// `all`, the child list with the fewest patterns).
    std::optional<std::vector<std::uint32_t>> required_patterns(const Condition& c) const {
        auto leaf = [&](int pred) -> std::optional<std::vector<std::uint32_t>> {
            const Predicate& p = impl_->preds[static_cast<std::size_t>(pred)];
            if (p.kind != PredKind::text_any && p.kind != PredKind::text_all && p.kind != PredKind::regex)
                return std::nullopt;
            std::vector<std::uint32_t> out;
            for (const auto& k : p.keywords) out.push_back(k.pattern);
            return out;
        };
        return requirement<std::uint32_t>(c, leaf, [](const std::vector<std::uint32_t>& v) { return v.size(); });
    }

    // Whether `l` holding guarantees `s` holds (conservative: false when unsure).
    bool implies(const Condition& l, const Condition& s) const {
        auto cl = canon_by_path_.find(l.path), cs = canon_by_path_.find(s.path);
        if (cl != canon_by_path_.end() && cs != canon_by_path_.end() && cl->second == cs->second) return true;
        if (l.type == Condition::Type::any)
            return std::all_of(l.children.begin(), l.children.end(), [&](const Condition& c) { return implies(c, s); });
        if (l.type == Condition::Type::all &&
            std::any_of(l.children.begin(), l.children.end(), [&](const Condition& c) { return implies(c, s); }))
            return true;
        if (s.type == Condition::Type::any &&
            std::any_of(s.children.begin(), s.children.end(), [&](const Condition& c) { return implies(l, c); }))
            return true;
        if (s.type == Condition::Type::all)
            return std::all_of(s.children.begin(), s.children.end(), [&](const Condition& c) { return implies(l, c); });
        if (l.type == Condition::Type::pred && s.type == Condition::Type::pred) {
            const Predicate& lp = impl_->preds[static_cast<std::size_t>(l.pred)];
            const Predicate& sp = impl_->preds[static_cast<std::size_t>(s.pred)];
            if (sp.kind != PredKind::text_any) return false;
            auto in_s = [&](const KeywordUse& k) {
                return std::any_of(sp.keywords.begin(), sp.keywords.end(), [&](const KeywordUse& x) {
                    return x.pattern == k.pattern && (x.combo & ~k.combo) == 0;
                });
            };
            if (lp.kind == PredKind::text_any) return std::all_of(lp.keywords.begin(), lp.keywords.end(), in_s);
            if (lp.kind == PredKind::text_all) return std::any_of(lp.keywords.begin(), lp.keywords.end(), in_s);
        }
        return false;
    }

    void lint_shadowed() {
        const auto& rules = impl_->rules;  // already in evaluation order
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const CompiledRule& s = rules[i];
            if (!s.stop) continue;
            for (std::size_t j = i + 1; j < rules.size(); ++j) {
                const CompiledRule& l = rules[j];
                bool covered = true;
                std::string facets;
                for (int f = 0; f < facet_count; ++f) {
                    if (l.set[f] < 0) continue;
                    if (s.set[f] < 0) covered = false;
                    facets += std::string(facets.empty() ? "" : ", ") + std::string(facet_name(FacetId(f)));
                }
                if (!covered) continue;
                const bool fires_with = !s.when || (l.when && implies(*l.when, *s.when));
                if (!fires_with) continue;
                warn(l.id, l.path,
                     "rule \"" + l.id + "\" can never change anything: the earlier stop rule \"" + s.id + "\" (" +
                         s.path + ") fires whenever it does and fixes " + facets);
            }
        }
    }

    /// The fast path's flat per-pattern records (RuleSet::Impl::PatternInfo) and per-rank
    /// rule records (RuleHot).
    void flatten_patterns() {
        auto& im = *impl_;
        im.pred_keyword_begin.clear();
        std::uint32_t keywords = 0;
        for (const auto& p : im.preds) {
            im.pred_keyword_begin.push_back(keywords);
            keywords += static_cast<std::uint32_t>(p.keywords.size());
        }
        im.pattern_info.assign(im.patterns.size(), {});
        im.pattern_rank_list.clear();
        im.pattern_use_list.clear();
        for (std::size_t p = 0; p < im.patterns.size(); ++p) {
            auto& info = im.pattern_info[p];
            const auto& ranks = im.pattern_rules[p];
            if (ranks.size() > UINT16_MAX || im.pattern_uses[p].size() > UINT16_MAX)
                throw Error(ErrorCode::compile, "a keyword is used by more than 65535 rules or predicates");
            info.ranks = static_cast<std::uint16_t>(ranks.size());
            const bool inline_ranks = ranks.size() <= info.inline_ranks.size() &&
                                      std::all_of(ranks.begin(), ranks.end(), [](std::uint32_t r) { return r <= UINT16_MAX; });
            if (inline_ranks) {
                for (std::size_t k = 0; k < ranks.size(); ++k) info.inline_ranks[k] = static_cast<std::uint16_t>(ranks[k]);
            } else {
                info.ranks_begin = static_cast<std::uint32_t>(im.pattern_rank_list.size());
                im.pattern_rank_list.insert(im.pattern_rank_list.end(), ranks.begin(), ranks.end());
            }
            info.uses_begin = static_cast<std::uint32_t>(im.pattern_use_list.size());
            info.uses = static_cast<std::uint16_t>(im.pattern_uses[p].size());
            for (const auto& u : im.pattern_uses[p])
                im.pattern_use_list.push_back({im.preds[u.pred].keywords[u.keyword].written, u.pred,
                                               im.pred_keyword_begin[u.pred] + u.keyword, u.combo});
            info.edges = im.pattern_word_edges[p];
            info.regex = im.patterns[p].regex ? 1 : 0;
        }
        im.rule_hot.assign(im.rules.size(), {});
        for (std::size_t rank = 0; rank < im.rules.size(); ++rank) {
            const auto& r = im.rules[rank];
            auto& h = im.rule_hot[rank];
            h.weight = r.weight;
            h.order = r.order;
            h.priority = r.priority;
            if (r.id.size() > UINT16_MAX) throw Error(ErrorCode::compile, "a rule id is longer than 65535 bytes");
            h.id = r.id.data();
            h.id_len = static_cast<std::uint16_t>(r.id.size());
            for (std::size_t f = 0; f < facet_count; ++f) {
                if (r.set[f] < -1 || r.set[f] > INT16_MAX) throw Error(ErrorCode::internal, "facet value out of range");
                h.set[f] = static_cast<std::int16_t>(r.set[f]);
            }
            h.tier_end = im.tier_end[rank];
            h.arg = im.fast_rules[rank].arg;
            h.set_mask = r.set_mask;
            h.stop = r.stop;
            h.kind = im.fast_rules[rank].kind;
            h.leaves = im.fast_rules[rank].leaves;
        }
        im.fast_leaves.clear();
        for (const auto& l : im.facet_leaves)
            im.fast_leaves.push_back({l.mask[0], l.facet, static_cast<std::uint8_t>((l.mask[1] | l.mask[2] | l.mask[3]) != 0)});
        im.always_words_text_only = without_complaint(im);
    }

    void finish() {
        auto& rules = impl_->rules;
        std::stable_sort(rules.begin(), rules.end(), [](const CompiledRule& a, const CompiledRule& b) {
            return a.order != b.order ? a.order < b.order : a.position < b.position;
        });
        lint_shadowed();
        impl_->pattern_rules.assign(impl_->patterns.size(), {});
        impl_->pattern_uses.assign(impl_->patterns.size(), {});
        for (std::size_t pi = 0; pi < impl_->preds.size(); ++pi) {
            const auto& kws = impl_->preds[pi].keywords;
            for (std::size_t k = 0; k < kws.size(); ++k)
                impl_->pattern_uses[kws[k].pattern].push_back(
                    {static_cast<std::uint32_t>(pi), static_cast<std::uint32_t>(k), kws[k].combo});
        }
        for (auto& uses : impl_->pattern_uses)
            std::sort(uses.begin(), uses.end(), [](const RuleSet::Impl::Use& a, const RuleSet::Impl::Use& b) {
                return a.pred != b.pred ? a.pred < b.pred : a.keyword < b.keyword;
            });
        // Interned tags: rules set them by id, facet tests on tags check ids.
        auto tag_id = [&](const std::string& t) {
            auto& names = impl_->tag_names;
            auto it = std::find(names.begin(), names.end(), t);
            if (it != names.end()) return static_cast<std::uint16_t>(it - names.begin());
            names.push_back(t);
            return static_cast<std::uint16_t>(names.size() - 1);
        };
        for (auto& r : rules) {
            r.tag_ids.clear();
            for (const auto& t : r.tags) r.tag_ids.push_back(tag_id(t));
        }
        for (auto& p : impl_->preds) {
            if (p.kind != PredKind::facet) continue;
            p.value_mask = {};
            for (int v : p.values) {
                const int bit = v + 1;  // unknown (-1) is bit 0
                if (bit >= 0 && bit < 256) p.value_mask[static_cast<std::size_t>(bit) / 64] |= 1ULL << (bit % 64);
            }
            p.tag_ids.clear();
            for (const auto& t : p.strings) {
                auto it = std::find(impl_->tag_names.begin(), impl_->tag_names.end(), t);
                if (it != impl_->tag_names.end()) p.tag_ids.push_back(static_cast<std::uint16_t>(it - impl_->tag_names.begin()));
            }
        }
        impl_->always_words.assign((rules.size() + 63) / 64, 0);
        impl_->fast_rules.clear();
        impl_->facet_leaves.clear();
        for (const auto& r : rules) impl_->fast_rules.push_back(fast_rule(r));
        for (std::size_t rank = 0; rank < rules.size(); ++rank) {
            auto& r = rules[rank];
            r.set_mask = 0;
            for (int f = 0; f < facet_count; ++f)
                if (r.set[static_cast<std::size_t>(f)] >= 0) r.set_mask |= static_cast<std::uint16_t>(1u << f);
            std::optional<std::vector<std::uint32_t>> req;
            if (r.when) req = required_patterns(*r.when);
            r.always_evaluate = !req.has_value();
            if (r.always_evaluate) {
                impl_->always_rules.push_back(static_cast<std::uint32_t>(rank));
                impl_->always_words[rank / 64] |= 1ULL << (rank % 64);
                continue;
            }
            std::sort(req->begin(), req->end());
            req->erase(std::unique(req->begin(), req->end()), req->end());
            for (auto p : *req) impl_->pattern_rules[p].push_back(static_cast<std::uint32_t>(rank));
        }
        key_facet_rules();
        flatten_patterns();
        std::size_t literal = 0;
        for (const auto& p : impl_->patterns) literal += p.regex ? 0 : 1;
        impl_->keyword_count = literal;
        try {
            impl_->scanner = std::make_unique<Scanner>(impl_->patterns);
        } catch (const Error& e) {
            if (!report_regex_build_errors()) error("", "/rules", e.message());
        }
    }
};

}  // namespace

std::shared_ptr<RuleSet::Impl> compile_pack(std::string_view json, std::vector<RuleDiagnostic>& diagnostics) {
    PackCompiler c(diagnostics);
    auto impl = c.run(json);
    // Report in pack order: by rule index, then as found.
    auto rule_index = [](const std::string& path) -> long {
        if (!path.starts_with("/rules/")) return -1;
        return std::strtol(path.c_str() + 7, nullptr, 10);
    };
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [&](const RuleDiagnostic& a, const RuleDiagnostic& b) {
        return rule_index(a.path) < rule_index(b.path);
    });
    if (impl) {
        impl->warnings.clear();
        for (const auto& d : diagnostics)
            if (d.level == RuleDiagnostic::Level::warning) impl->warnings.push_back(d);
    }
    return impl;
}

}  // namespace ck::detail
