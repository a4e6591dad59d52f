// complaintkit — the rule evaluator: fold, scan once, evaluate the rules a hit can
// affect, resolve facets, and say why (docs/rules.md).
#include "json_internal.hpp"
#include "rules_internal.hpp"
#include "thread_pool.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/utf8.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>

namespace ck {

namespace detail {
extern const char kDefaultRulePack[];
extern const std::size_t kDefaultRulePackSize;

// A shared hit block: slot 0 holds the count of slices still alive, slots 1… the hits.
// Slice `index` starts at slot index + 1, so its block is found from its first hit.
static_assert(std::is_trivially_destructible_v<KeywordHit> && std::is_trivially_copyable_v<KeywordHit>);
namespace {
struct HitBlockHeader {
    std::atomic<std::uint32_t> slices;
};
static_assert(sizeof(HitBlockHeader) <= sizeof(KeywordHit) && alignof(HitBlockHeader) <= alignof(KeywordHit));
HitBlockHeader* block_of(KeywordHit* slice, std::uint32_t index) noexcept {
    return std::launder(reinterpret_cast<HitBlockHeader*>(reinterpret_cast<char*>(slice) -
                                                          (std::size_t{index} + 1) * sizeof(KeywordHit)));
}
}  // namespace

void release_hit_block(KeywordHit* slice, std::uint32_t index) noexcept {
    HitBlockHeader* b = block_of(slice, index);
    if (b->slices.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    b->~HitBlockHeader();
    ::operator delete(static_cast<void*>(b));
}

struct HitsAccess {
    /// Gives evidence k the hits store[ends[k-1], ends[k]) (k < ends.size()) as its slice of
    /// one new block; evidence without hits keeps an empty KeywordHits.
    static void attach(std::span<RuleEvidence> evidence, const std::vector<KeywordHit>& store,
                       const std::vector<std::uint32_t>& ends) {
        if (store.size() >= KeywordHits::kShared) throw std::length_error("too many keyword hits in one result");
        void* raw = ::operator new((store.size() + 1) * sizeof(KeywordHit));
        auto* header = ::new (raw) HitBlockHeader{};
        auto* hits = reinterpret_cast<KeywordHit*>(static_cast<char*>(raw) + sizeof(KeywordHit));
        std::memcpy(static_cast<void*>(hits), store.data(), store.size() * sizeof(KeywordHit));
        hits = std::launder(hits);
        std::uint32_t slices = 0, begin = 0;
        for (std::size_t k = 0; k < ends.size(); ++k) {
            const std::uint32_t end = ends[k];
            if (end == begin) continue;
            KeywordHits& h = evidence[k].hits;
            h.data_ = hits + begin;
            h.size_ = end - begin;
            h.cap_ = KeywordHits::kShared | begin;
            ++slices;
            begin = end;
        }
        header->slices.store(slices, std::memory_order_relaxed);
        if (slices == 0) ::operator delete(raw);  // (every stored hit belongs to a fired rule)
    }
};
}  // namespace detail

namespace {

using detail::Condition;
using detail::CompiledRule;
using detail::KeywordUse;
using detail::Predicate;
using detail::PredKind;
using detail::ScanMatch;

constexpr std::string_view kFacetNames[facet_count] = {
    "kind", "category", "subcategory", "cause", "sub_cause", "attribution", "dimension",
    "severity", "personality", "motive", "reasonable", "tags",
};

constexpr std::size_t kMaxHitsPerKeyword = 16;

/// Per-thread scratch reused across calls (no allocation in the steady state).
struct Workspace {
    detail::FoldedText title, text;
    std::string joined;
    std::vector<ScanMatch> matches;
    /// Per pattern, what one text's matches left (`stamp` == gen: set for this text), in one
    /// record: a match touches one cache line, not one per array.
    struct PatternState {
        std::uint32_t stamp = 0;
        std::uint32_t first = 0;  ///< first match
        std::uint32_t count = 0;  ///< matches
        std::uint32_t last = 0;   ///< fast path: last match (list tail)
        std::uint8_t mask = 0;    ///< bit c set: some match satisfies boundary combo c
    };
    std::vector<PatternState> pattern_state;
    std::vector<std::uint32_t> rule_stamp;
    std::vector<std::uint32_t> candidates;
    std::vector<std::pair<int, int>> collected;  ///< (predicate, keyword index) that held
    std::vector<std::pair<std::uint32_t, std::uint32_t>> uses_hit;  ///< (predicate, keyword) whose keyword matched
    /// Per predicate, its keywords hit in one text (`stamp` == gen: set for this text).
    struct PredState {
        std::uint32_t stamp = 0;
        std::uint32_t first = 0;     ///< explain: first in uses_hit
        std::uint32_t count = 0;     ///< keyword uses hit
        std::uint32_t patterns = 0;  ///< fast path: distinct patterns among them
        std::uint32_t head = 0, tail = 0;  ///< fast path: the predicate's list in `entries`
    };
    std::vector<PredState> pred_state;
    std::vector<std::uint32_t> patterns_seen;
    // The fast path (everything but explain mode).
    std::vector<std::uint64_t> rule_words;          ///< candidate rules, a bitset over ranks
    std::vector<std::uint32_t> match_next;          ///< next match of the same pattern, in end order
    std::vector<std::uint8_t> match_mask;           ///< boundary combos a match satisfies
    struct Entry {
        std::uint32_t keyword, pattern, next;
        std::uint32_t use;  ///< in RuleSet::Impl::pattern_use_list
    };
    std::vector<Entry> entries;                     ///< keywords hit, one list per predicate
    std::vector<std::uint32_t> order_scratch;       ///< a predicate's keywords hit, in keyword order
    std::vector<std::uint32_t> regex_scratch;       ///< a regex's matches, in start order
    std::vector<std::uint32_t> char_blocks[2];      ///< code points before each 64-byte block of title / text
    bool char_blocks_ready[2] = {false, false};
    std::vector<std::pair<std::uint16_t, int>> tags;
    std::vector<std::pair<std::uint32_t, std::size_t>> fired;
    /// The fast path's fired rules, in evaluation order: the result's evidence is made from
    /// them at its exact size once every tier is done.
    struct Fired {
        std::uint32_t rank;
        double score;
        std::uint16_t decided_mask;
    };
    std::vector<Fired> fired_rules;
    std::vector<KeywordHit> hit_store;   ///< the fast path's hits of every fired rule, in evidence order
    std::vector<std::uint32_t> hit_ends; ///< end of fired rule k's hits in hit_store
    std::uint32_t gen = 0;

    void begin(std::size_t patterns, std::size_t rules, std::size_t preds) {
        if (++gen == 0) {  // wrapped: forget every stamp
            for (auto& p : pattern_state) p.stamp = 0;
            std::fill(rule_stamp.begin(), rule_stamp.end(), 0);
            for (auto& p : pred_state) p.stamp = 0;
            gen = 1;
        }
        if (pred_state.size() < preds) pred_state.resize(preds);
        uses_hit.clear();
        entries.clear();
        tags.clear();
        fired.clear();
        char_blocks_ready[0] = char_blocks_ready[1] = false;

        if (pattern_state.size() < patterns) pattern_state.resize(patterns);
        if (rule_stamp.size() < rules) rule_stamp.resize(rules, 0);
        matches.clear();
        candidates.clear();
    }
};

Workspace& workspace() {
    thread_local Workspace w;
    return w;
}

/// script_class(c) == word for the ASCII code points (the common neighbours: answered here
/// without decoding).
constexpr std::array<bool, 128> make_ascii_word() {
    std::array<bool, 128> t{};
    for (int c = 0; c < 128; ++c)
        t[static_cast<std::size_t>(c)] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    return t;
}
constexpr auto kAsciiWord = make_ascii_word();

bool is_word_before(std::string_view s, std::size_t at) {
    if (at == 0) return false;
    std::size_t i = at - 1;
    if (const auto c = static_cast<unsigned char>(s[i]); c < 0x80) return kAsciiWord[c];
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return script_class(decode_utf8(s, i, nullptr)) == ScriptClass::word;
}
bool is_word_at(std::string_view s, std::size_t at) {
    if (at >= s.size()) return false;
    if (const auto c = static_cast<unsigned char>(s[at]); c < 0x80) return kAsciiWord[c];
    return script_class(decode_utf8(s, at, nullptr)) == ScriptClass::word;
}


struct FacetState {
    int value = -1;
    int winner = -1;      ///< evidence index
    int order = 0;        ///< order of the winner
    int priority = 0;
    double score = 0;
    int locked_by = -1;   ///< evidence index of the stop rule that fixed it
};

std::string code_of(FacetId f, int v) {
    if (f == FacetId::reasonable) return v ? "true" : "false";
    static constexpr TaxonomyId ids[] = {TaxonomyId::kind, TaxonomyId::category, TaxonomyId::subcategory,
                                         TaxonomyId::cause, TaxonomyId::sub_cause, TaxonomyId::attribution,
                                         TaxonomyId::dimension, TaxonomyId::severity, TaxonomyId::personality,
                                         TaxonomyId::motive};
    const TaxonomyEntry* e = taxonomy_find(ids[static_cast<int>(f)], v);
    return e ? std::string(e->code) : std::to_string(v);
}

/// One classification in progress.
class Evaluation {
public:
    Evaluation(const RuleSet::Impl& rs, Workspace& ws, const Complaint* complaint, std::optional<int> prior,
               const ClassifyOptions& opt)
        : rs_(rs), ws_(ws), c_(complaint), prior_(prior), opt_(opt),
          full_(opt.explain || opt.evidence == EvidenceLevel::full) {}

    /// Classifies into `out`, which must be fresh or reset (reset_for_reuse).
    void run(std::string_view title, std::string_view text, Classification& out) {
        const bool blank_text = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
        const bool blank_title = title.find_first_not_of(" \t\r\n") == std::string_view::npos;
        if (blank_text && blank_title) {  // blank text holds no invalid UTF-8
            out.empty_text = true;
            return;
        }
        ws_.begin(rs_.patterns.size(), rs_.rules.size(), rs_.preds.size());
        // One pass validates and folds (invalid bytes become U+FFFD): title first, as errors go.
        has_title_ = !title.empty();
        if (has_title_) fold_checked(title, ws_.title, "/title", out);
        fold_checked(text, ws_.text, "/text", out);
        if (has_title_) {
            ws_.joined.assign(ws_.title.text);
            ws_.joined += '\n';
            ws_.joined += ws_.text.text;
            scanned_ = ws_.joined;
            title_len_ = ws_.title.text.size();
        } else {
            scanned_ = ws_.text.text;
        }
        title_src_ = title;
        text_src_ = text;
        if (opt_.explain) {  // the reference evaluation: every rule, keyword uses sorted
            scan();
            out.evidence.reserve(32);
            evaluate(out);
        } else {
            fast_ = true;
            scan_fast();
            evaluate_fast(out);
        }
    }

    /// A condition's outcome on this evaluation's complaint whatever the text and facets:
    /// 0 false, 1 true, 2 depends on them.
    int outcome_without_text(const Condition& c) {
        switch (c.type) {
        case Condition::Type::pred: {
            const Predicate& p = rs_.preds[static_cast<std::size_t>(c.pred)];
            switch (p.kind) {
            case PredKind::text_any: case PredKind::text_all: case PredKind::regex: case PredKind::facet: return 2;
            default: return pred(p, c.pred, false) ? 1 : 0;
            }
        }
        case Condition::Type::all: {
            int r = 1;
            for (const auto& ch : c.children) {
                const int o = outcome_without_text(ch);
                if (o == 0) return 0;
                if (o == 2) r = 2;
            }
            return r;
        }
        case Condition::Type::any:
        case Condition::Type::none: {
            int r = 0;
            for (const auto& ch : c.children) {
                const int o = outcome_without_text(ch);
                if (o == 1) { r = 1; break; }
                if (o == 2) r = 2;
            }
            return c.type == Condition::Type::any || r == 2 ? r : 1 - r;
        }
        }
        return 2;
    }

private:
    const RuleSet::Impl& rs_;
    Workspace& ws_;
    const Complaint* c_;
    std::optional<int> prior_;
    const ClassifyOptions& opt_;
    const bool full_;  ///< hits are wanted (full evidence or explain mode)
    std::string_view scanned_, title_src_, text_src_;
    bool has_title_ = false;
    std::size_t title_len_ = 0;
    std::array<FacetState, facet_count> st_{};
    std::vector<std::pair<std::uint16_t, int>>& tags_{ws_.tags};  ///< tag (RuleSet::Impl::tag_names), evidence index
    std::vector<std::pair<std::uint32_t, std::size_t>>& fired_{ws_.fired};
    bool fast_ = false;  ///< collected entries are whole predicates (the fast path)

    void fold_checked(std::string_view src, detail::FoldedText& dst, const char* field, Classification& out) {
        std::size_t first_bad = 0;
        const std::size_t bad = detail::fold_checked(src, dst, &first_bad, full_);  // offsets for hits only
        if (bad == 0) return;
        if (opt_.strict_utf8)
            throw Error(ErrorCode::invalid_utf8, "invalid UTF-8 at byte " + std::to_string(first_bad), field);
        out.replaced_invalid_utf8 += bad;
    }

    // ------------------------------------------------------------ fast path
    // No sorting: matches are linked per pattern in end order, keyword uses per predicate;
    // candidate rules are a bitset over evaluation ranks.
    void scan_fast() {
        auto& m = ws_.matches;
        rs_.scanner->scan(scanned_, m);
        const std::uint32_t gen = ws_.gen;
        auto& seen = ws_.patterns_seen;
        seen.clear();
        const auto& always = c_ || prior_ ? rs_.always_words : rs_.always_words_text_only;
        ws_.rule_words.assign(always.begin(), always.end());
        if (m.empty()) return;
        const bool hits = full_evidence();
        if (hits) {
            if (ws_.match_next.size() < m.size()) {
                ws_.match_next.resize(m.size());
                ws_.match_mask.resize(m.size());
            }
        }
        const auto n = static_cast<std::uint32_t>(m.size());
        const RuleSet::Impl::PatternInfo* const info = rs_.pattern_info.data();
        for (std::uint32_t i = 0; i < n; ++i) {
            const ScanMatch& x = m[i];
            if (has_title_ && x.from <= title_len_ && x.to > title_len_) continue;  // spans title and text
            const std::uint8_t edges = info[x.id].edges;
            std::uint8_t mask = 15;
            if (edges) {
                const bool left_ok = !(edges & 1) || !is_word_before(scanned_, x.from);
                const bool right_ok = !(edges & 2) || !is_word_at(scanned_, x.to);
                mask = static_cast<std::uint8_t>(1 | (left_ok ? 2 : 0) | (right_ok ? 4 : 0) | (left_ok && right_ok ? 8 : 0));
            }
            if (ws_.pattern_state[x.id].stamp != gen) {
                ws_.pattern_state[x.id].stamp = gen;
                ws_.pattern_state[x.id].mask = 0;
                ws_.pattern_state[x.id].count = 0;
                ws_.pattern_state[x.id].first = i;
                seen.push_back(x.id);
            } else if (hits) {
                ws_.match_next[ws_.pattern_state[x.id].last] = i;
            }
            if (hits) {
                ws_.pattern_state[x.id].last = i;
                ws_.match_next[i] = UINT32_MAX;
                ws_.match_mask[i] = mask;
            }
            ++ws_.pattern_state[x.id].count;
            ws_.pattern_state[x.id].mask |= mask;
        }
        std::uint64_t* words = ws_.rule_words.data();
        auto& entries = ws_.entries;
        const std::uint32_t* const rank_list = rs_.pattern_rank_list.data();
        const RuleSet::Impl::FlatUse* const use_list = rs_.pattern_use_list.data();
        for (const std::uint32_t p : seen) {
            const auto& pi = info[p];
            if (pi.ranks <= pi.inline_ranks.size()) {
                for (std::size_t k = 0; k < pi.ranks; ++k) words[pi.inline_ranks[k] >> 6] |= 1ULL << (pi.inline_ranks[k] & 63);
            } else {
                for (const std::uint32_t* r = rank_list + pi.ranks_begin, *re = r + pi.ranks; r != re; ++r)
                    words[*r >> 6] |= 1ULL << (*r & 63);
            }
            const std::uint8_t mask = ws_.pattern_state[p].mask;
            std::uint32_t last_pred = UINT32_MAX;
            for (const auto& u : std::span(use_list + pi.uses_begin, pi.uses)) {  // sorted by predicate
                if (!(mask & (1u << u.combo))) continue;
                const std::uint32_t pr = u.pred;
                const auto e = static_cast<std::uint32_t>(entries.size());
                entries.push_back({u.keyword, p, UINT32_MAX, static_cast<std::uint32_t>(&u - use_list)});
                if (ws_.pred_state[pr].stamp != gen) {
                    ws_.pred_state[pr].stamp = gen;
                    ws_.pred_state[pr].count = 0;
                    ws_.pred_state[pr].patterns = 0;
                    ws_.pred_state[pr].head = e;
                } else {
                    entries[ws_.pred_state[pr].tail].next = e;
                }
                ws_.pred_state[pr].tail = e;
                ++ws_.pred_state[pr].count;
                if (pr != last_pred) {
                    ++ws_.pred_state[pr].patterns;
                    last_pred = pr;
                }
            }
        }
    }

    void evaluate_fast(Classification& out) {
        ws_.fired_rules.clear();
        ws_.hit_store.clear();
        ws_.hit_ends.clear();
        const auto& rules = rs_.rules;
        auto& fired = fired_;
        auto& collected = ws_.collected;
        // Candidates in rank order straight from the bitset, which firing extends with the
        // keyed facet rules of later tiers.
        std::uint64_t* const words = ws_.rule_words.data();
        const std::size_t nw = ws_.rule_words.size();
        constexpr std::uint32_t none = UINT32_MAX;
        auto next_rank = [&](std::uint32_t from) -> std::uint32_t {
            std::size_t w = from / 64;
            if (w >= nw) return none;
            std::uint64_t bits = words[w] & (~0ULL << (from % 64));
            while (!bits) {
                if (++w >= nw) return none;
                bits = words[w];
            }
            return static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
        };
        const detail::RuleHot* const hot = rs_.rule_hot.data();
        const detail::FastLeaf* const leaves = rs_.fast_leaves.data();
        const detail::FacetLeaf* const wide_leaves = rs_.facet_leaves.data();
        const std::uint32_t* const key_start = rs_.key_start.data();
        const std::uint32_t* const key_ranks = rs_.key_ranks.data();
        auto leaf_holds = [&](const detail::FastLeaf& l) {
            const auto bit = static_cast<unsigned>(st_[l.facet].value + 1);  // unknown (-1) is bit 0
            if (bit < 64) return ((l.mask >> bit) & 1) != 0;
            if (!l.wide) return false;
            const auto& w = wide_leaves[&l - leaves];
            return bit < 256 && ((w.mask[bit / 64] >> (bit % 64)) & 1);
        };
        std::uint32_t rank = next_rank(0);
        while (rank != none) {  // tier by tier (same order), as evaluate()
            const std::uint32_t tier_end = hot[rank].tier_end;
            fired.clear();
            collected.clear();
            for (; rank != none && rank < tier_end; rank = next_rank(rank + 1)) {
                const detail::RuleHot& f = hot[rank];
                const std::size_t mark = collected.size();
                bool ok = false;
                switch (f.kind) {  // as eval() on the rule's condition, without the walk
                case detail::FastRule::Kind::always: ok = true; break;
                case detail::FastRule::Kind::keywords:
                    ok = pred_hits(static_cast<int>(f.arg)) != 0;
                    if (ok) collected.emplace_back(static_cast<int>(f.arg), -1);
                    break;
                case detail::FastRule::Kind::facets_all:  // (plain loops: the lists are 1–3 long)
                    ok = true;
                    for (const auto* l = leaves + f.arg; l != leaves + f.arg + f.leaves && ok; ++l) ok = leaf_holds(*l);
                    break;
                case detail::FastRule::Kind::facets_any:
                    for (const auto* l = leaves + f.arg; l != leaves + f.arg + f.leaves && !ok; ++l) ok = leaf_holds(*l);
                    break;
                case detail::FastRule::Kind::general:
                    ok = eval(*rules[rank].when, true);
                    if (!ok) collected.resize(mark);
                    break;
                }
                if (ok) fired.emplace_back(rank, mark);
            }
            const std::size_t nf = fired.size();
            for (std::size_t k = 0; k < nf; ++k) {
                const std::size_t begin = fired[k].second;
                const std::size_t end = k + 1 < nf ? fired[k + 1].second : collected.size();
                const detail::RuleHot& r = hot[fired[k].first];
                fire_fast(out, r, fired[k].first, begin, end);
                ws_.hit_ends.push_back(static_cast<std::uint32_t>(ws_.hit_store.size()));
                // The facet values it left make the rules keyed on them candidates (later tiers only).
                for (unsigned bits = r.set_mask & rs_.keyed_facets; bits; bits &= bits - 1) {  // (never tags)
                    const int fi = std::countr_zero(bits);
                    const int v = st_[fi].value;
                    if (v < 0 || v > 254) continue;
                    const std::size_t key = static_cast<std::size_t>(fi) * 256 + static_cast<std::size_t>(v);
                    for (std::uint32_t q = key_start[key]; q < key_start[key + 1]; ++q)
                        if (const std::uint32_t kr = key_ranks[q]; kr >= tier_end) words[kr / 64] |= 1ULL << (kr % 64);
                }
            }
            rank = next_rank(tier_end);
        }
        // The evidence at its exact size, made in place (one allocation, no copy).
        out.evidence.reserve(ws_.fired_rules.size());
        for (const auto& f : ws_.fired_rules) {
            RuleEvidence& ev = out.evidence.emplace_back();
            const detail::RuleHot& h = rs_.rule_hot[f.rank];
            ev.rule_id = std::string_view(h.id, h.id_len);
            ev.score = f.score;
            ev.decided_mask = f.decided_mask;
        }
        if (!ws_.hit_store.empty()) detail::HitsAccess::attach(out.evidence, ws_.hit_store, ws_.hit_ends);
        finish(out);
    }

    /// The keywords hit of predicate `pi`, in keyword order, into ws_.order_scratch (entry indices).
    void pred_entries(int pi) {
        auto& o = ws_.order_scratch;
        o.clear();
        for (std::uint32_t e = ws_.pred_state[static_cast<std::size_t>(pi)].head; e != UINT32_MAX; e = ws_.entries[e].next) {
            // insertion by keyword index (lists are short)
            std::size_t at = o.size();
            o.push_back(e);
            while (at > 0 && ws_.entries[o[at - 1]].keyword > ws_.entries[e].keyword) {
                o[at] = o[at - 1];
                --at;
            }
            o[at] = e;
        }
    }

    void fire_fast(Classification& out, const detail::RuleHot& r, std::uint32_t rank, std::size_t begin, std::size_t end) {
        std::size_t distinct = 0;
        const bool hits = full_evidence();
        if (!hits && end - begin == 1) {
            distinct = ws_.pred_state[static_cast<std::size_t>(ws_.collected[begin].first)].patterns;
        } else if (const auto pi = static_cast<std::size_t>(end - begin == 1 ? ws_.collected[begin].first : 0);
                   end - begin == 1 && ws_.pred_state[pi].count == 1) {  // one predicate, one keyword hit: the common case
            const auto& en = ws_.entries[ws_.pred_state[pi].head];
            distinct = 1;
            add_pattern_hits(en.use, en.pattern);
        } else if (end > begin) {
            auto& patterns = ws_.patterns_seen;  // free again after scan_fast
            patterns.clear();
            for (std::size_t c = begin; c < end; ++c) {
                const int pi = ws_.collected[c].first;
                pred_entries(pi);
                for (const std::uint32_t e : ws_.order_scratch) {
                    const auto& en = ws_.entries[e];
                    if (std::find(patterns.begin(), patterns.end(), en.pattern) != patterns.end()) continue;
                    patterns.push_back(en.pattern);
                    if (hits) add_pattern_hits(en.use, en.pattern);
                }
            }
            distinct = patterns.size();
        }
        auto& f = ws_.fired_rules.emplace_back(
            Workspace::Fired{rank, r.weight * static_cast<double>(std::max<std::size_t>(1, distinct)), 0});
        propose(out, r, static_cast<int>(ws_.fired_rules.size() - 1), f.score, f.decided_mask);
    }

    /// The hits of one keyword use (RuleSet::Impl::pattern_use_list) into ws_.hit_store.
    void add_pattern_hits(std::uint32_t use, std::uint32_t pattern) {
        const std::uint32_t first = ws_.pattern_state[pattern].first;
        const auto& u = rs_.pattern_use_list[use];
        const unsigned combo_bit = 1u << u.combo;
        const std::string_view written = u.written;
        std::size_t added = 0;
        auto add = [&](std::uint32_t j) {
            if (!(ws_.match_mask[j] & combo_bit)) return;
            const ScanMatch& m = ws_.matches[j];
            KeywordHit h;
            h.keyword = written;
            const detail::FoldedText* nt = &ws_.text;
            std::uint32_t from = m.from, to = m.to;
            if (has_title_) {
                if (m.to <= title_len_) {
                    nt = &ws_.title;
                    h.field = TextField::title;
                } else {
                    from -= static_cast<std::uint32_t>(title_len_ + 1);
                    to -= static_cast<std::uint32_t>(title_len_ + 1);
                }
            }
            h.begin = nt->byte_offset(from);
            h.end = nt->byte_offset(to);
            h.char_begin = nt->char_offset(from);
            h.char_end = nt->char_offset(to);
            ws_.hit_store.push_back(h);
            ++added;
        };
        if (!rs_.pattern_info[pattern].regex) {  // a literal's matches end in start order
            for (std::uint32_t j = first; j != UINT32_MAX && added < kMaxHitsPerKeyword; j = ws_.match_next[j]) add(j);
            return;
        }
        auto& ms = ws_.regex_scratch;
        ms.clear();
        for (std::uint32_t j = first; j != UINT32_MAX; j = ws_.match_next[j]) ms.push_back(j);
        std::stable_sort(ms.begin(), ms.end(), [&](std::uint32_t a, std::uint32_t b) {
            return ws_.matches[a].from < ws_.matches[b].from;
        });
        for (const std::uint32_t j : ms) {
            if (added >= kMaxHitsPerKeyword) break;
            add(j);
        }
    }

    // ------------------------------------------------------------ scanning
    void scan() {
        auto& m = ws_.matches;
        rs_.scanner->scan(scanned_, m);
        if (m.empty()) return;
        std::sort(m.begin(), m.end(), [](const ScanMatch& a, const ScanMatch& b) {
            return a.id != b.id ? a.id < b.id : a.from != b.from ? a.from < b.from : a.to < b.to;
        });
        const std::uint32_t gen = ws_.gen;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const ScanMatch& x = m[i];
            if (has_title_ && x.from <= title_len_ && x.to > title_len_) continue;  // spans title and text
            const std::uint8_t edges = rs_.pattern_word_edges[x.id];
            const bool left_ok = !(edges & 1) || !is_word_before(scanned_, x.from);
            const bool right_ok = !(edges & 2) || !is_word_at(scanned_, x.to);
            std::uint8_t mask = 1;
            if (left_ok) mask |= 2;
            if (right_ok) mask |= 4;
            if (left_ok && right_ok) mask |= 8;
            if (ws_.pattern_state[x.id].stamp != gen) {
                ws_.pattern_state[x.id].stamp = gen;
                ws_.pattern_state[x.id].first = static_cast<std::uint32_t>(i);
                ws_.pattern_state[x.id].count = 0;
                ws_.pattern_state[x.id].mask = 0;
                for (auto rank : rs_.pattern_rules[x.id]) ws_.rule_stamp[rank] = gen;
            }
            ++ws_.pattern_state[x.id].count;
            ws_.pattern_state[x.id].mask |= mask;
        }
        // Keyword uses whose boundary needs are met, grouped by predicate.
        auto& uses = ws_.uses_hit;
        std::uint32_t last = UINT32_MAX;
        for (const ScanMatch& x : m) {
            if (x.id == last || ws_.pattern_state[x.id].stamp != gen) continue;
            last = x.id;
            const std::uint8_t mask = ws_.pattern_state[x.id].mask;
            for (const auto& u : rs_.pattern_uses[x.id])
                if (mask & (1u << u.combo)) uses.emplace_back(u.pred, u.keyword);
        }
        std::sort(uses.begin(), uses.end());
        for (std::size_t i = 0; i < uses.size(); ++i) {
            const std::uint32_t p = uses[i].first;
            if (ws_.pred_state[p].stamp != gen) {
                ws_.pred_state[p].stamp = gen;
                ws_.pred_state[p].first = static_cast<std::uint32_t>(i);
                ws_.pred_state[p].count = 0;
            }
            ++ws_.pred_state[p].count;
        }
    }

    [[nodiscard]] std::uint32_t pred_hits(int pi) const {
        return ws_.pred_state[static_cast<std::size_t>(pi)].stamp == ws_.gen ? ws_.pred_state[static_cast<std::size_t>(pi)].count : 0;
    }
    void collect_pred(int pi) {
        if (fast_) {
            ws_.collected.emplace_back(pi, -1);
            return;
        }
        const std::uint32_t n = pred_hits(pi);
        const std::uint32_t first = ws_.pred_state[static_cast<std::size_t>(pi)].first;
        for (std::uint32_t i = 0; i < n; ++i)
            ws_.collected.emplace_back(pi, static_cast<int>(ws_.uses_hit[first + i].second));
    }

    [[nodiscard]] bool keyword_hit(const KeywordUse& k) const {
        return ws_.pattern_state[k.pattern].stamp == ws_.gen && (ws_.pattern_state[k.pattern].mask & (1u << k.combo));
    }

    // ------------------------------------------------------------ predicates
    [[nodiscard]] const Complaint& complaint() const {
        static const Complaint empty;
        return c_ ? *c_ : empty;
    }

    [[nodiscard]] std::optional<int> prior() const {
        if (prior_) return prior_;
        if (!c_) return std::nullopt;
        auto it = c_->attributes.find("prior_complaints");
        if (it != c_->attributes.end())
            if (auto* v = std::get_if<std::int64_t>(&it->second)) return static_cast<int>(*v);
        return std::nullopt;
    }

    [[nodiscard]] bool in_range(const Predicate& p, double v) const {
        return (!p.min || v >= *p.min) && (!p.max || v <= *p.max);
    }

    // Local hour and ISO weekday (1 = Monday) of the receipt, or nullopt when unknown.
    [[nodiscard]] std::optional<std::pair<int, int>> local_time() const {
        if (!c_ || c_->received_at == Timestamp{}) return std::nullopt;
        using namespace std::chrono;
        const auto local = c_->received_at.utc + minutes(c_->received_at.offset_minutes);
        const auto day = floor<days>(local);
        const int hour = static_cast<int>(duration_cast<hours>(local - day).count());
        const unsigned wd = weekday(day).iso_encoding();
        return std::pair{hour, static_cast<int>(wd)};
    }

    [[nodiscard]] int facet_value(FacetId f) const { return st_[static_cast<int>(f)].value; }

    bool pred(const Predicate& p, int pi, bool collect) {
        switch (p.kind) {
        case PredKind::text_any:
        case PredKind::regex: {
            if (pred_hits(pi) == 0) return false;
            if (collect) collect_pred(pi);
            return true;
        }
        case PredKind::text_all: {
            if (pred_hits(pi) < p.keywords.size()) return false;
            if (collect) collect_pred(pi);
            return true;
        }
        case PredKind::channel:
            return std::find(p.values.begin(), p.values.end(), static_cast<int>(complaint().channel)) != p.values.end();
        case PredKind::tier:
            return std::find(p.values.begin(), p.values.end(), static_cast<int>(complaint().customer.tier)) !=
                   p.values.end();
        case PredKind::amount: {
            const auto& amounts = complaint().amounts;
            auto it = amounts.find(p.name);
            if (it == amounts.end()) return false;
            if (!p.currency.empty() && it->second.currency != p.currency) return false;
            return in_range(p, static_cast<double>(it->second.minor));
        }
        case PredKind::branch_prefix: {
            if (complaint().branch.empty()) return false;
            const std::string b = normalize_text(complaint().branch);
            return std::any_of(p.strings.begin(), p.strings.end(), [&](const std::string& s) { return b.starts_with(s); });
        }
        case PredKind::region_prefix: {
            const auto& region = complaint().region;
            if (region.size() < p.strings.size()) return false;
            for (std::size_t i = 0; i < p.strings.size(); ++i)
                if (normalize_text(region[i]) != p.strings[i]) return false;
            return true;
        }
        case PredKind::product: {
            if (complaint().product.empty()) return false;
            const std::string prod = normalize_text(complaint().product);
            return std::find(p.strings.begin(), p.strings.end(), prod) != p.strings.end();
        }
        case PredKind::language: {
            std::string lang = complaint().language;
            std::transform(lang.begin(), lang.end(), lang.begin(), [](unsigned char ch) { return std::tolower(ch); });
            return !lang.empty() && std::find(p.strings.begin(), p.strings.end(), lang) != p.strings.end();
        }
        case PredKind::attribute: {
            const auto& attrs = complaint().attributes;
            auto it = attrs.find(p.name);
            if (it == attrs.end()) return false;
            const AttributeValue& v = it->second;
            std::optional<double> num;
            if (auto* i = std::get_if<std::int64_t>(&v)) num = static_cast<double>(*i);
            else if (auto* d = std::get_if<double>(&v)) num = *d;
            else if (auto* m = std::get_if<Money>(&v)) num = static_cast<double>(m->minor);
            if (p.equals) {
                const AttributeValue& e = *p.equals;
                if (auto* es = std::get_if<std::string>(&e)) {
                    auto* s = std::get_if<std::string>(&v);
                    if (!s || normalize_text(*s) != *es) return false;
                } else if (auto* eb = std::get_if<bool>(&e)) {
                    auto* b = std::get_if<bool>(&v);
                    if (!b || *b != *eb) return false;
                } else {
                    const double en = std::holds_alternative<std::int64_t>(e) ? static_cast<double>(std::get<std::int64_t>(e))
                                                                               : std::get<double>(e);
                    if (!num || *num != en) return false;
                }
            }
            if (p.min || p.max) {
                if (!num || !in_range(p, *num)) return false;
            }
            return true;
        }
        case PredKind::prior_complaints: {
            auto n = prior();
            return n && in_range(p, *n);
        }
        case PredKind::hour: {
            auto t = local_time();
            if (!t) return false;
            const int h = t->first;
            return p.hour_from < p.hour_to ? (h >= p.hour_from && h < p.hour_to) : (h >= p.hour_from || h < p.hour_to);
        }
        case PredKind::weekday: {
            auto t = local_time();
            return t && std::find(p.values.begin(), p.values.end(), t->second) != p.values.end();
        }
        case PredKind::facet: {
            if (p.facet == FacetId::tags) {
                return std::any_of(tags_.begin(), tags_.end(), [&](const auto& t) {
                    return std::find(p.tag_ids.begin(), p.tag_ids.end(), t.first) != p.tag_ids.end();
                });
            }
            const auto bit = static_cast<unsigned>(facet_value(p.facet) + 1);  // unknown (-1) is bit 0
            return bit < 256 && ((p.value_mask[bit / 64] >> (bit % 64)) & 1);
        }
        }
        return false;
    }

    bool eval(const Condition& c, bool collect) {
        switch (c.type) {
        case Condition::Type::pred: {
            const Predicate& p = rs_.preds[static_cast<std::size_t>(c.pred)];
            // The common tests inline (keyword hits, facet values); the rest in pred().
            if (p.kind == PredKind::text_any || p.kind == PredKind::regex) {
                if (pred_hits(c.pred) == 0) return false;
                if (collect) collect_pred(c.pred);
                return true;
            }
            if (p.kind == PredKind::facet && p.facet != FacetId::tags) {
                const auto bit = static_cast<unsigned>(facet_value(p.facet) + 1);  // unknown (-1) is bit 0
                return bit < 256 && ((p.value_mask[bit / 64] >> (bit % 64)) & 1);
            }
            return pred(p, c.pred, collect);
        }
        case Condition::Type::all: {
            const std::size_t mark = ws_.collected.size();
            for (const auto& ch : c.children)
                if (!eval(ch, collect)) {
                    ws_.collected.resize(mark);
                    return false;
                }
            return true;
        }
        case Condition::Type::any: {
            bool any = false;
            for (const auto& ch : c.children) {
                if (eval(ch, collect)) {
                    any = true;
                    if (!collect) return true;
                }
            }
            return any;
        }
        case Condition::Type::none:
            for (const auto& ch : c.children)
                if (eval(ch, false)) return false;
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------ explain
    std::string describe_pred(const Predicate& p) const {
        switch (p.kind) {
        case PredKind::text_any: return "no keyword of text_any matched (0 of " + std::to_string(p.keywords.size()) + ")";
        case PredKind::text_all: {
            std::string missing;
            std::size_t n = 0;
            for (const auto& k : p.keywords)
                if (!keyword_hit(k)) {
                    if (n++ < 3) missing += std::string(missing.empty() ? "" : ", ") + "\"" + k.written + "\"";
                }
            return std::to_string(n) + " of " + std::to_string(p.keywords.size()) +
                   " keywords missing (" + missing + (n > 3 ? ", …" : "") + ")";
        }
        case PredKind::regex: return "regex \"" + p.keywords[0].written + "\" did not match";
        case PredKind::channel:
            return c_ ? "channel is \"" + std::string(to_code(complaint().channel)) + "\"" : "no complaint record: channel unknown";
        case PredKind::tier:
            return c_ ? "customer tier is \"" + std::string(to_code(complaint().customer.tier)) + "\""
                      : "no complaint record: tier unknown";
        case PredKind::amount: {
            auto it = complaint().amounts.find(p.name);
            if (it == complaint().amounts.end()) return "no amount \"" + p.name + "\"";
            return "amount \"" + p.name + "\" is " + std::to_string(it->second.minor) + " " + it->second.currency +
                   " (minor units), outside the range";
        }
        case PredKind::branch_prefix: return "branch \"" + complaint().branch + "\" has none of the prefixes";
        case PredKind::region_prefix: return "region does not start with the given path";
        case PredKind::product: return "product \"" + complaint().product + "\" is not in the list";
        case PredKind::language: return "language \"" + complaint().language + "\" is not in the list";
        case PredKind::attribute: {
            if (!complaint().attributes.count(p.name)) return "no attribute \"" + p.name + "\"";
            return "attribute \"" + p.name + "\" does not satisfy the test";
        }
        case PredKind::prior_complaints: {
            auto n = prior();
            return n ? "prior complaints " + std::to_string(*n) + " outside the range"
                     : "count of prior complaints not supplied";
        }
        case PredKind::hour:
        case PredKind::weekday: {
            auto t = local_time();
            if (!t) return "received time unknown";
            return p.kind == PredKind::hour ? "received at hour " + std::to_string(t->first)
                                            : "received on weekday " + std::to_string(t->second);
        }
        case PredKind::facet: {
            if (p.facet == FacetId::tags) return "none of the tags is set";
            const int v = facet_value(p.facet);
            return std::string(facet_name(p.facet)) + " is \"" + (v < 0 ? std::string("unknown") : code_of(p.facet, v)) + "\"";
        }
        }
        return "false";
    }

    std::string why_false(const Condition& c) {
        switch (c.type) {
        case Condition::Type::pred: {
            const auto& p = rs_.preds[static_cast<std::size_t>(c.pred)];
            return p.path + ": " + describe_pred(p);
        }
        case Condition::Type::all:
            for (const auto& ch : c.children)
                if (!eval(ch, false)) return why_false(ch);
            return c.path + ": false";
        case Condition::Type::any: {
            std::string s = c.path + "/any: no alternative held (";
            for (std::size_t i = 0; i < c.children.size(); ++i) {
                if (i == 3) {
                    s += "; …";
                    break;
                }
                s += (i ? "; " : "") + why_false(c.children[i]);
            }
            return s + ")";
        }
        case Condition::Type::none:
            for (std::size_t i = 0; i < c.children.size(); ++i)
                if (eval(c.children[i], false)) {
                    std::string what = c.children[i].path;
                    const std::size_t mark = ws_.collected.size();
                    eval(c.children[i], true);
                    if (ws_.collected.size() > mark) {
                        const auto [pi, ki] = ws_.collected[mark];
                        what += " (\"" + rs_.preds[static_cast<std::size_t>(pi)].keywords[static_cast<std::size_t>(ki)].written +
                                "\" matched)";
                    }
                    ws_.collected.resize(mark);
                    return c.path + "/none: excluded by " + what;
                }
            return c.path + ": false";
        }
        return "false";
    }

    // ------------------------------------------------------------ evidence
    void add_hits(RuleEvidence& ev, std::size_t begin, std::size_t end, double weight) {
        auto& patterns = ws_.patterns_seen;
        patterns.clear();
        if (end > begin) ev.hits.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i) {
            const auto [pi, ki] = ws_.collected[i];
            const KeywordUse& k = rs_.preds[static_cast<std::size_t>(pi)].keywords[static_cast<std::size_t>(ki)];
            if (std::find(patterns.begin(), patterns.end(), k.pattern) != patterns.end()) continue;
            patterns.push_back(k.pattern);
            const std::uint32_t first = ws_.pattern_state[k.pattern].first;
            const std::uint32_t count = ws_.pattern_state[k.pattern].count;
            std::size_t added = 0;
            for (std::uint32_t j = first; j < ws_.matches.size() && j < first + count + 64 && added < kMaxHitsPerKeyword; ++j) {
                const ScanMatch& m = ws_.matches[j];
                if (m.id != k.pattern) break;
                if (has_title_ && m.from <= title_len_ && m.to > title_len_) continue;
                const bool left_ok = !(rs_.pattern_word_edges[m.id] & 1) || !is_word_before(scanned_, m.from);
                const bool right_ok = !(rs_.pattern_word_edges[m.id] & 2) || !is_word_at(scanned_, m.to);
                if (((k.combo & 1) && !left_ok) || ((k.combo & 2) && !right_ok)) continue;
                KeywordHit h;
                h.keyword = k.written;
                const detail::FoldedText* nt = &ws_.text;
                std::string_view src = text_src_;
                std::uint32_t from = m.from, to = m.to;
                if (has_title_) {
                    if (m.to <= title_len_) {
                        nt = &ws_.title;
                        src = title_src_;
                        h.field = TextField::title;
                    } else {
                        from -= static_cast<std::uint32_t>(title_len_ + 1);
                        to -= static_cast<std::uint32_t>(title_len_ + 1);
                    }
                }
                h.begin = nt->byte_offset(from);
                h.end = nt->byte_offset(to);
                ev.hits.push_back(std::move(h));
                ++added;
            }
        }
        ev.score = weight * static_cast<double>(std::max<std::size_t>(1, patterns.size()));
        (void)end;
    }

    // ------------------------------------------------------------ resolution
    /// Resolution of the facets rule `r` (evidence `ev_index`, of `score`) proposes; sets the
    /// tags bit of `decided`. The messages of explain mode go to out.evidence (the fast path
    /// never explains, and builds its evidence afterwards).
    static const std::vector<std::uint16_t>& tag_ids_of(const CompiledRule& r) noexcept { return r.tag_ids; }
    const std::vector<std::uint16_t>& tag_ids_of(const detail::RuleHot& r) const noexcept {
        return rs_.rules[static_cast<std::size_t>(&r - rs_.rule_hot.data())].tag_ids;
    }

    /// `r` is the rule's CompiledRule (explain mode) or its RuleHot (the fast path): the
    /// same members.
    template <class Rule>
    void propose(Classification& out, const Rule& r, int ev_index, double score, std::uint16_t& decided) {
        auto evidence = [&](int k) -> RuleEvidence& { return out.evidence[static_cast<std::size_t>(k)]; };  // explain only
        for (unsigned bits = r.set_mask; bits; bits &= bits - 1) {  // the facets it sets, in FacetId order
            const int f = std::countr_zero(bits);
            FacetState& s = st_[f];
            auto fname = [f] { return std::string(kFacetNames[f]); };  // explain only
            if (s.locked_by >= 0) {
                if (opt_.explain) evidence(ev_index).overridden.push_back(fname() + ": fixed by stop rule \"" +
                                                                        std::string(evidence(s.locked_by).rule_id) + "\"");
                continue;
            }
            if (f == static_cast<int>(FacetId::tags)) {
                bool added = false;
                for (const auto t : tag_ids_of(r))
                    if (std::none_of(tags_.begin(), tags_.end(), [&](const auto& x) { return x.first == t; })) {
                        tags_.emplace_back(t, ev_index);
                        added = true;
                    }
                if (added) decided |= 1u << static_cast<unsigned>(FacetId::tags);
                continue;
            }
            if (f == static_cast<int>(FacetId::severity)) {
                if (r.set[f] > s.value) {
                    s.value = r.set[f];
                    s.winner = ev_index;
                    s.score = score;
                }
                continue;
            }
            if (s.winner >= 0 && s.order < r.order) {
                if (opt_.explain) evidence(ev_index).overridden.push_back(fname() + ": already decided by rule \"" +
                                                                        std::string(evidence(s.winner).rule_id) + "\" (order " +
                                                                        std::to_string(s.order) + ")");
                continue;
            }
            if (s.winner >= 0) {  // same order: priority, then score, then pack position
                const bool better = r.priority > s.priority || (r.priority == s.priority && score > s.score);
                if (!better) {
                    if (opt_.explain) evidence(ev_index).overridden.push_back(
                        fname() + ": rule \"" + std::string(evidence(s.winner).rule_id) + "\" wins (priority " +
                        std::to_string(s.priority) + ", score " + format_score(s.score) + ")");
                    continue;
                }
                if (opt_.explain) evidence(s.winner).overridden.push_back(
                    fname() + ": rule \"" + std::string(evidence(ev_index).rule_id) + "\" wins (priority " +
                    std::to_string(r.priority) + ", score " + format_score(score) + ")");
            }
            s.value = r.set[f];
            s.winner = ev_index;
            s.order = r.order;
            s.priority = r.priority;
            s.score = score;
        }
        if (r.stop)
            for (unsigned bits = r.set_mask; bits; bits &= bits - 1)
                if (FacetState& s = st_[std::countr_zero(bits)]; s.locked_by < 0) s.locked_by = ev_index;
    }

    static std::string format_score(double s) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", s);
        return buf;
    }

    /// Score without the hits: weight × distinct patterns among the collected keywords.
    void add_score(RuleEvidence& ev, std::size_t begin, std::size_t end, double weight) {
        auto& patterns = ws_.patterns_seen;
        patterns.clear();
        for (std::size_t i = begin; i < end; ++i) {
            const auto [pi, ki] = ws_.collected[i];
            const std::uint32_t pattern =
                rs_.preds[static_cast<std::size_t>(pi)].keywords[static_cast<std::size_t>(ki)].pattern;
            if (std::find(patterns.begin(), patterns.end(), pattern) == patterns.end()) patterns.push_back(pattern);
        }
        ev.score = weight * static_cast<double>(std::max<std::size_t>(1, patterns.size()));
    }

    [[nodiscard]] bool full_evidence() const { return full_; }

    void fire(Classification& out, const CompiledRule& r, std::size_t begin, std::size_t end) {
        RuleEvidence ev;
        ev.rule_id = r.id;
        if (full_evidence()) add_hits(ev, begin, end, r.weight);
        else add_score(ev, begin, end, r.weight);
        out.evidence.push_back(std::move(ev));
        RuleEvidence& e = out.evidence.back();
        propose(out, r, static_cast<int>(out.evidence.size() - 1), e.score, e.decided_mask);
    }

    void evaluate(Classification& out) {
        auto& cand = ws_.candidates;
        const auto& rules = rs_.rules;
        // Rules to evaluate, in rank order: those a keyword hit can affect, and those that
        // need no keyword (explain mode: all). A pass over the stamps beats sorting.
        cand.clear();
        for (auto r : rs_.always_rules) ws_.rule_stamp[r] = ws_.gen;
        const std::uint32_t* stamp = ws_.rule_stamp.data();
        for (std::size_t i = 0; i < rules.size(); ++i)
            if (opt_.explain || stamp[i] == ws_.gen) cand.push_back(static_cast<std::uint32_t>(i));
        ws_.collected.clear();
        // Tier by tier (same order): conditions see the facets of lower tiers only.
        auto& fired = fired_;  // rank, collected mark
        std::size_t i = 0;
        while (i < cand.size()) {
            const int order = rules[cand[i]].order;
            std::size_t j = i;
            fired.clear();
            ws_.collected.clear();
            for (; j < cand.size() && rules[cand[j]].order == order; ++j) {
                const CompiledRule& r = rules[cand[j]];
                const std::size_t mark = ws_.collected.size();
                const bool ok = !r.when || eval(*r.when, true);
                if (ok) {
                    fired.emplace_back(cand[j], mark);
                } else {
                    ws_.collected.resize(mark);
                    if (opt_.explain) out.misses.push_back(RuleMiss{r.id, why_false(*r.when)});
                }
            }
            // Resolve the tier in pack order; collected hits of rule k are [mark_k, mark_{k+1}).
            for (std::size_t k = 0; k < fired.size(); ++k) {
                const std::size_t begin = fired[k].second;
                const std::size_t end = k + 1 < fired.size() ? fired[k + 1].second : ws_.collected.size();
                fire(out, rules[fired[k].first], begin, end);
            }
            i = j;
        }
        finish(out);
    }

    /// Continuation bytes (10xxxxxx) in a word, without a popcount instruction (the build
    /// does not assume one): flag bytes, then sum the flags with one multiplication.
    static std::uint32_t continuation_bytes(std::uint64_t w) {
        const std::uint64_t flags = (w & ~(w << 1) & 0x8080808080808080ULL) >> 7;  // 0 or 1 per byte
        return static_cast<std::uint32_t>((flags * 0x0101010101010101ULL) >> 56);
    }

    /// The 8-byte word of src at `base` (zero-padded past the end: zero is no continuation byte).
    static std::uint64_t word_at(std::string_view src, std::size_t base) {
        std::uint64_t w = 0;
        if (base + 8 <= src.size()) {  // the common case: one load (a fixed-size copy is inlined)
            std::memcpy(&w, src.data() + base, 8);
            return w;
        }
        std::memcpy(&w, src.data() + base, src.size() - base);
        return w;
    }

    /// Code points in src[0, at): a table of counts per 8-byte word (built on first use),
    /// then the bytes of the last word below `at`, masked.
    std::uint32_t chars_before(int field, std::string_view src, std::uint32_t at) {
        auto& blocks = ws_.char_blocks[field];
        if (!ws_.char_blocks_ready[field]) {
            blocks.resize(src.size() / 8 + 1);
            std::uint32_t n = 0;
            std::size_t b = 0;
            for (; b + 8 <= src.size(); b += 8) {
                blocks[b / 8] = n;
                std::uint64_t w;
                std::memcpy(&w, src.data() + b, 8);
                n += 8 - continuation_bytes(w);
            }
            blocks[b / 8] = n;
            ws_.char_blocks_ready[field] = true;
        }
        const std::size_t base = at & ~std::size_t{7};
        const std::size_t part = at - base;
        if (part == 0) return blocks[base / 8];
        const std::uint64_t keep = std::endian::native == std::endian::little ? ~0ULL >> (64 - 8 * part)   // low bytes first
                                                                              : ~0ULL << (64 - 8 * part);
        const std::uint64_t w = word_at(src, base) & keep;
        return blocks[base / 8] + static_cast<std::uint32_t>(part) - continuation_bytes(w);
    }

    /// Code point offsets of every hit.
    void char_offsets(Classification& out) {
        for (auto& ev : out.evidence)
            for (auto& h : ev.hits) {
                const int field = h.field == TextField::title ? 0 : 1;
                const std::string_view src = field == 0 ? title_src_ : text_src_;
                h.char_begin = chars_before(field, src, h.begin);
                h.char_end = chars_before(field, src, h.end);
            }
    }

    void finish(Classification& out) {
        // The reference evaluation counts code points itself; the fast path took the fold's.
        if (full_evidence() && !fast_) char_offsets(out);
        auto drop_child = [&](FacetId child, FacetId parent, int parent_value) {
            FacetState& c = st_[static_cast<int>(child)];
            FacetState& p = st_[static_cast<int>(parent)];
            if (c.value < 0) return;
            if (p.value < 0) {  // the sub-value implies its parent
                p.value = parent_value;
                p.winner = c.winner;
                p.score = c.score;
                return;
            }
            if (p.value != parent_value) {
                if (opt_.explain) out.evidence[static_cast<std::size_t>(c.winner)].overridden.push_back(
                    std::string(facet_name(child)) + ": \"" + code_of(child, c.value) + "\" belongs to " +
                    std::string(facet_name(parent)) + " \"" + code_of(parent, parent_value) + "\", but " +
                    std::string(facet_name(parent)) + " is \"" + code_of(parent, p.value) + "\"");
                c = FacetState{};
            }
        };
        if (st_[static_cast<int>(FacetId::subcategory)].value >= 0)
            drop_child(FacetId::subcategory, FacetId::category,
                       static_cast<int>(parent_of(static_cast<Subcategory>(st_[static_cast<int>(FacetId::subcategory)].value))));
        if (st_[static_cast<int>(FacetId::sub_cause)].value >= 0)
            drop_child(FacetId::sub_cause, FacetId::cause,
                       static_cast<int>(parent_of(static_cast<SubCause>(st_[static_cast<int>(FacetId::sub_cause)].value))));

        Facets& f = out.facets;
        auto v = [&](FacetId id) { return st_[static_cast<int>(id)].value < 0 ? 0 : st_[static_cast<int>(id)].value; };
        f.kind = static_cast<Kind>(v(FacetId::kind));
        f.category = static_cast<Category>(v(FacetId::category));
        f.subcategory = static_cast<Subcategory>(v(FacetId::subcategory));
        f.cause = static_cast<Cause>(v(FacetId::cause));
        f.sub_cause = static_cast<SubCause>(v(FacetId::sub_cause));
        f.attribution = static_cast<Attribution>(v(FacetId::attribution));
        f.dimension = static_cast<Dimension>(v(FacetId::dimension));
        f.severity = static_cast<Severity>(v(FacetId::severity));
        f.personality = static_cast<Personality>(v(FacetId::personality));
        f.motive = static_cast<Motive>(v(FacetId::motive));
        if (st_[static_cast<int>(FacetId::reasonable)].value >= 0)
            f.reasonable = st_[static_cast<int>(FacetId::reasonable)].value != 0;
        if (!tags_.empty()) {
            f.tags.reserve(tags_.size());
            for (const auto& t : tags_) f.tags.push_back(rs_.tag_names[t.first]);
        }

        for (int id = 0; id < facet_count; ++id) {
            if (id == static_cast<int>(FacetId::tags)) continue;
            const FacetState& s = st_[id];
            if (s.value < 0 || s.winner < 0) continue;
            auto& ev = out.evidence[static_cast<std::size_t>(s.winner)];
            ev.decided_mask |= static_cast<std::uint16_t>(1u << id);
            out.facet_score[static_cast<std::size_t>(id)] = ev.score;
        }
        // Severity is a maximum: note the proposals below it.
        const FacetState& sev = st_[static_cast<int>(FacetId::severity)];
        for (std::size_t k = 0; k < out.evidence.size(); ++k) {
            auto& ev = out.evidence[k];
            if (ev.decided_mask) out.score += ev.score;
            if (ev.decided(FacetId::tags))
                out.facet_score[static_cast<std::size_t>(FacetId::tags)] += ev.score;
        }
        (void)sev;
    }
};

/// Proposals below the final severity are reported as overridden.
void note_severity(const RuleSet::Impl& rs, Classification& out) {
    if (out.facets.severity == Severity::unknown) return;
    for (auto& ev : out.evidence) {
        if (ev.decided(FacetId::severity)) continue;
        auto it = std::find_if(rs.rules.begin(), rs.rules.end(), [&](const CompiledRule& r) { return r.id == ev.rule_id; });
        if (it == rs.rules.end()) continue;
        const int proposed = it->set[static_cast<int>(FacetId::severity)];
        if (proposed < 0) continue;
        bool noted = std::any_of(ev.overridden.begin(), ev.overridden.end(),
                                 [](const std::string& s) { return s.starts_with("severity:"); });
        if (!noted)
            ev.overridden.push_back("severity: \"" + code_of(FacetId::severity, proposed) + "\" is below \"" +
                                    std::string(to_code(out.facets.severity)) + "\"");
    }
}

}  // namespace

std::vector<std::uint64_t> detail::without_complaint(const RuleSet::Impl& rs) {
    std::vector<std::uint64_t> words = rs.always_words;
    Workspace ws;
    ws.begin(rs.patterns.size(), rs.rules.size(), rs.preds.size());
    const ClassifyOptions opt;
    Evaluation e(rs, ws, nullptr, std::nullopt, opt);
    for (std::size_t rank = 0; rank < rs.rules.size(); ++rank) {
        if (!((words[rank / 64] >> (rank % 64)) & 1) || !rs.rules[rank].when) continue;
        if (e.outcome_without_text(*rs.rules[rank].when) == 0) words[rank / 64] &= ~(1ULL << (rank % 64));
    }
    return words;
}

namespace {

/// Empties a result for another classification but keeps its vectors' storage (the
/// evidence and tag vectors are then filled without allocating, once large enough).
void reset_for_reuse(Classification& out) {
    std::vector<std::string> tags = std::move(out.facets.tags);
    tags.clear();
    out.facets = Facets{};
    out.facets.tags = std::move(tags);
    out.score = 0;
    out.evidence.clear();
    out.misses.clear();
    out.replaced_invalid_utf8 = 0;
    out.empty_text = false;
    out.facet_score = {};
}

/// Classifies into `out` (fresh or reset_for_reuse) and makes it hold `pack`.
void run_into(const RuleSet::Impl& rs, const std::shared_ptr<const void>& pack, const Complaint* c, std::string_view title,
              std::string_view text, std::optional<int> prior, const ClassifyOptions& opt, Classification& out) {
    Workspace& ws = workspace();
    Evaluation e(rs, ws, c, prior, opt);
    e.run(title, text, out);
    if (out.pack_ref.pack != pack) out.pack_ref.pack = pack;
    if (opt.explain) note_severity(rs, out);
}

Classification run(const RuleSet::Impl& rs, std::shared_ptr<const void> pack, const Complaint* c, std::string_view title, std::string_view text,
                   std::optional<int> prior, const ClassifyOptions& opt) {
    Classification out;
    run_into(rs, pack, c, title, text, prior, opt, out);
    return out;
}

/// The threads parallel_for uses for n items: at most one per 64 items.
unsigned worker_count(std::size_t n, unsigned threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    return std::max(1u, static_cast<unsigned>(std::min<std::size_t>(threads, (n + 63) / 64)));
}

/// body(i, worker) for i in [0, n) on worker_count(n, threads) threads (worker 0 is the caller's).
template <class F> void parallel_for(std::size_t n, unsigned threads, F&& body) {
    threads = worker_count(n, threads);
    if (threads <= 1) {
        for (std::size_t i = 0; i < n; ++i) body(i, 0u);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::mutex mu;
    std::exception_ptr first_error;
    std::size_t first_index = SIZE_MAX;
    auto worker = [&](unsigned w) {
        constexpr std::size_t chunk = 64;
        for (;;) {
            const std::size_t begin = next.fetch_add(chunk);
            if (begin >= n) return;
            const std::size_t end = std::min(n, begin + chunk);
            for (std::size_t i = begin; i < end; ++i) {
                try {
                    body(i, w);
                } catch (...) {
                    std::lock_guard lock(mu);
                    if (i < first_index) {
                        first_index = i;
                        first_error = std::current_exception();
                    }
                }
            }
        }
    };
    detail::run_parallel(threads, worker);  // the caller and pool helpers (thread_pool.hpp)
    if (first_error) std::rethrow_exception(first_error);
}

/// One reference to the compiled pack per worker (a control block each: results made on
/// different threads do not share the reference count's cache line).
std::vector<std::shared_ptr<const void>> worker_packs(const std::shared_ptr<const RuleSet::Impl>& impl, std::size_t n,
                                                     unsigned threads) {
    std::vector<std::shared_ptr<const void>> packs(worker_count(n, threads));
    for (auto& p : packs) p = std::make_shared<const std::shared_ptr<const RuleSet::Impl>>(impl);
    return packs;
}

/// one(i, pack) classifies item i; `pack` is its worker's reference (worker_packs).
template <class F>
std::vector<Classification> batch(const std::shared_ptr<const RuleSet::Impl>& impl, std::size_t n, unsigned threads,
                                  F&& one) {
    std::vector<Classification> out(n);
    const auto packs = worker_packs(impl, n, threads);
    try {
        parallel_for(n, threads, [&](std::size_t i, unsigned w) {
            try {
                out[i] = one(i, packs[w]);
            } catch (const Error& e) {
                throw e.with_context("item " + std::to_string(i));
            }
        });
    } catch (const Error&) {
        throw;
    }
    return out;
}

/// classify_each's pipeline: workers claim chunks of 64 items in order, classify a chunk into
/// its slot of a ring of 4 chunks a worker (the slot's results overwritten in place, so their
/// storage is what the previous round freed), and whoever completes the next chunk to deliver
/// hands it and every following completed chunk to the sink, outside the lock; a claim waits
/// while the ring is full. The sink therefore sees the items in order, one call at a time.
template <class F>
void stream(std::size_t n, unsigned threads, F&& one, const RuleSet::ClassificationSink& sink) {
    if (!sink) throw Error(ErrorCode::invalid_argument, "classify_each: no sink");
    auto classify = [&](std::size_t i, unsigned w, Classification& into) {
        try {
            reset_for_reuse(into);
            one(i, w, into);
        } catch (const Error& e) {
            throw e.with_context("item " + std::to_string(i));
        }
    };
    const unsigned nw = worker_count(n, threads);
    if (nw <= 1) {
        Classification r;
        for (std::size_t i = 0; i < n; ++i) {
            classify(i, 0, r);
            sink(i, r);
        }
        return;
    }
    constexpr std::size_t chunk = 64;
    const std::size_t chunks = (n + chunk - 1) / chunk;
    const std::size_t window = std::size_t{4} * nw;
    struct Slot {
        std::vector<Classification> items;
        std::size_t count = 0;   ///< results made (all of the chunk unless an item failed)
        std::exception_ptr error;  ///< of item `count` when set
        bool ready = false;
    };
    std::vector<Slot> slots(window);
    std::mutex mu;
    std::condition_variable room;
    std::size_t claimed = 0, delivered = 0;  // chunks
    bool delivering = false, stop = false;
    std::exception_ptr failure;
    auto halt = [&](std::exception_ptr e) {  // (mu held)
        if (!failure) failure = std::move(e);
        stop = true;
        delivering = false;
        room.notify_all();
    };
    auto worker = [&](unsigned w) {
        for (;;) {
            std::size_t k;
            {
                std::unique_lock lock(mu);
                room.wait(lock, [&] { return stop || claimed >= chunks || claimed < delivered + window; });
                if (stop || claimed >= chunks) return;
                k = claimed++;
            }
            Slot& s = slots[k % window];
            const std::size_t begin = k * chunk, m = std::min(chunk, n - begin);
            if (s.items.size() < m) s.items.resize(m);
            s.count = 0;
            s.error = nullptr;
            for (; s.count < m; ++s.count) {
                try {
                    classify(begin + s.count, w, s.items[s.count]);
                } catch (...) {
                    s.error = std::current_exception();
                    break;
                }
            }
            {
                std::lock_guard lock(mu);
                s.ready = true;
                if (stop || delivering || delivered != k) continue;  // the deliverer of chunk k-1 takes it
                delivering = true;
            }
            for (std::size_t d = k;;) {  // deliver chunk d and the completed ones after it
                Slot& t = slots[d % window];
                try {
                    for (std::size_t j = 0; j < t.count; ++j) sink(d * chunk + j, t.items[j]);
                } catch (...) {
                    std::lock_guard lock(mu);
                    halt(std::current_exception());
                    return;
                }
                std::lock_guard lock(mu);
                if (t.error) {
                    halt(t.error);
                    return;
                }
                t.ready = false;
                d = ++delivered;
                room.notify_all();
                if (stop || d >= chunks || !slots[d % window].ready) {
                    delivering = false;
                    break;
                }
            }
        }
    };
    // The caller and pool helpers (thread_pool.hpp; any number of them may join): a claimed
    // chunk is always finished and delivered by someone, so fewer workers only mean less speed.
    detail::run_parallel(nw, worker);
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

// ---------------------------------------------------------------- public API
std::string_view facet_name(FacetId f) noexcept {
    const auto i = static_cast<std::size_t>(f);
    return i < facet_count ? kFacetNames[i] : std::string_view{};
}

std::optional<FacetId> facet_from_name(std::string_view name) noexcept {
    for (int i = 0; i < facet_count; ++i)
        if (kFacetNames[i] == name) return static_cast<FacetId>(i);
    return std::nullopt;
}

std::string RuleDiagnostic::to_string() const {
    std::string s = level == Level::error ? "error: " : "warning: ";
    if (!path.empty()) s += path + ": ";
    if (!rule_id.empty()) s += "rule \"" + rule_id + "\": ";
    return s + message;
}

std::vector<FacetId> RuleEvidence::decided_facets() const {
    std::vector<FacetId> out;
    for (int f = 0; f < facet_count; ++f)
        if (decided_mask & (1u << f)) out.push_back(static_cast<FacetId>(f));
    return out;
}

const RuleEvidence* Classification::find(std::string_view rule_id) const noexcept {
    for (const auto& e : evidence)
        if (e.rule_id == rule_id) return &e;
    return nullptr;
}

RuleSet RuleSet::compile(std::string_view pack_json) {
    std::vector<RuleDiagnostic> diags;
    auto impl = detail::compile_pack(pack_json, diags);
    if (!impl) {
        std::string msg = "rule pack does not compile:";
        ErrorCode code = ErrorCode::compile;
        for (const auto& d : diags) {
            if (d.level != RuleDiagnostic::Level::error) continue;
            msg += "\n  " + d.to_string();
        }
        try {
            (void)detail::parse_json(pack_json);
        } catch (const Error&) {
            code = ErrorCode::parse;  // not JSON at all
        }
        throw RulePackError(code, msg, std::move(diags));
    }
    return RuleSet(std::move(impl));
}

std::vector<RuleDiagnostic> RuleSet::lint(std::string_view pack_json) {
    std::vector<RuleDiagnostic> diags;
    (void)detail::compile_pack(pack_json, diags);
    return diags;
}

std::string_view RuleSet::default_pack_json() noexcept {
    return std::string_view(detail::kDefaultRulePack, detail::kDefaultRulePackSize);
}

const RuleSet& RuleSet::default_rules() {
    static const RuleSet rs = compile(default_pack_json());
    return rs;
}

Classification RuleSet::classify(std::string_view text, const ClassifyOptions& options) const {
    Classification out = run(*impl_, impl_, nullptr, {}, text, std::nullopt, options);
    if (!impl_->models.empty()) apply_facet_models(*this, nullptr, {}, text, options, out);
    return out;
}

Classification RuleSet::classify(const Complaint& complaint, const ClassifyOptions& options,
                                 const ClassifyContext& context) const {
    Classification out = run(*impl_, impl_, &complaint, complaint.title, complaint.text, context.prior_complaints, options);
    if (!impl_->models.empty()) apply_facet_models(*this, &complaint, complaint.title, complaint.text, options, out);
    return out;
}

std::vector<Classification> RuleSet::classify_many(std::span<const std::string_view> texts,
                                                   const BatchOptions& options) const {
    return batch(impl_, texts.size(), options.threads, [&](std::size_t i, const std::shared_ptr<const void>& pack) {
        Classification out = run(*impl_, pack, nullptr, {}, texts[i], std::nullopt, options.classify);
        if (!impl_->models.empty()) apply_facet_models(*this, nullptr, {}, texts[i], options.classify, out);
        return out;
    });
}

std::vector<Classification> RuleSet::classify_many(std::span<const Complaint> complaints,
                                                   const BatchOptions& options) const {
    return batch(impl_, complaints.size(), options.threads, [&](std::size_t i, const std::shared_ptr<const void>& pack) {
        const Complaint& c = complaints[i];
        Classification out = run(*impl_, pack, &c, c.title, c.text, std::nullopt, options.classify);
        if (!impl_->models.empty()) apply_facet_models(*this, &c, c.title, c.text, options.classify, out);
        return out;
    });
}

void RuleSet::classify_each(std::span<const std::string_view> texts, const ClassificationSink& sink,
                            const BatchOptions& options) const {
    const auto packs = worker_packs(impl_, texts.size(), options.threads);
    stream(texts.size(), options.threads, [&](std::size_t i, unsigned w, Classification& out) {
        run_into(*impl_, packs[w], nullptr, {}, texts[i], std::nullopt, options.classify, out);
        if (!impl_->models.empty()) apply_facet_models(*this, nullptr, {}, texts[i], options.classify, out);
    }, sink);
}

void RuleSet::classify_each(std::span<const Complaint> complaints, const ClassificationSink& sink,
                            const BatchOptions& options) const {
    const auto packs = worker_packs(impl_, complaints.size(), options.threads);
    stream(complaints.size(), options.threads, [&](std::size_t i, unsigned w, Classification& out) {
        const Complaint& c = complaints[i];
        run_into(*impl_, packs[w], &c, c.title, c.text, std::nullopt, options.classify, out);
        if (!impl_->models.empty()) apply_facet_models(*this, &c, c.title, c.text, options.classify, out);
    }, sink);
}

const std::string& RuleSet::name() const noexcept { return impl_->name; }
std::size_t RuleSet::rule_count() const noexcept { return impl_->rules.size(); }
std::size_t RuleSet::keyword_count() const noexcept { return impl_->keyword_count; }
const std::vector<RuleDiagnostic>& RuleSet::warnings() const noexcept { return impl_->warnings; }
std::vector<std::string> RuleSet::rule_ids() const {
    std::vector<const CompiledRule*> byPos;
    for (const auto& r : impl_->rules) byPos.push_back(&r);
    std::sort(byPos.begin(), byPos.end(), [](auto* a, auto* b) { return a->position < b->position; });
    std::vector<std::string> out;
    for (auto* r : byPos) out.push_back(r->id);
    return out;
}

// ---------------------------------------------------------------- JSON
namespace {
namespace json = boost::json;

template <TaxonomyEnum E> json::value code_value(E v) { return json::value(to_code(v)); }

json::value to_value(const Classification& c) {
    json::object o;
    json::object f;
    f["kind"] = code_value(c.facets.kind);
    f["category"] = code_value(c.facets.category);
    f["subcategory"] = code_value(c.facets.subcategory);
    f["cause"] = code_value(c.facets.cause);
    f["sub_cause"] = code_value(c.facets.sub_cause);
    f["attribution"] = code_value(c.facets.attribution);
    f["dimension"] = code_value(c.facets.dimension);
    f["severity"] = code_value(c.facets.severity);
    f["personality"] = code_value(c.facets.personality);
    f["motive"] = code_value(c.facets.motive);
    f["reasonable"] = c.facets.reasonable ? json::value(*c.facets.reasonable) : json::value(nullptr);
    json::array tags;
    for (const auto& t : c.facets.tags) tags.emplace_back(t);
    f["tags"] = std::move(tags);
    o["facets"] = std::move(f);
    o["score"] = c.score;
    json::object fs;
    for (int i = 0; i < facet_count; ++i)
        if (c.facet_score[static_cast<std::size_t>(i)] > 0) fs[kFacetNames[i]] = c.facet_score[static_cast<std::size_t>(i)];
    o["facet_scores"] = std::move(fs);
    o["empty_text"] = c.empty_text;
    o["replaced_invalid_utf8"] = c.replaced_invalid_utf8;
    json::array ev;
    for (const auto& e : c.evidence) {
        json::object eo;
        eo["rule"] = e.rule_id;
        eo["score"] = e.score;
        json::array decided;
        for (auto d : e.decided_facets()) decided.emplace_back(facet_name(d));
        eo["decided"] = std::move(decided);
        json::array over;
        for (const auto& s : e.overridden) over.emplace_back(s);
        eo["overridden"] = std::move(over);
        json::array hits;
        for (const auto& h : e.hits) {
            json::object ho;
            ho["keyword"] = h.keyword;
            ho["field"] = h.field == TextField::title ? "title" : "text";
            ho["begin"] = h.begin;
            ho["end"] = h.end;
            ho["char_begin"] = h.char_begin;
            ho["char_end"] = h.char_end;
            hits.emplace_back(std::move(ho));
        }
        eo["hits"] = std::move(hits);
        ev.emplace_back(std::move(eo));
    }
    o["evidence"] = std::move(ev);
    if (!c.misses.empty()) {
        json::array m;
        for (const auto& x : c.misses) m.emplace_back(json::object{{"rule", x.rule_id}, {"reason", x.reason}});
        o["misses"] = std::move(m);
    }
    return o;
}
}  // namespace

std::string to_json(const Classification& c, bool pretty) { return detail::serialize(to_value(c), pretty); }

std::string to_json(const std::vector<RuleDiagnostic>& diagnostics, bool pretty) {
    json::array a;
    for (const auto& d : diagnostics)
        a.emplace_back(json::object{{"level", d.level == RuleDiagnostic::Level::error ? "error" : "warning"},
                                    {"rule", d.rule_id},
                                    {"path", d.path},
                                    {"message", d.message}});
    return detail::serialize(a, pretty);
}

}  // namespace ck
