// complaintkit — the compiled form of a rule pack, shared by the pack compiler
// (rule_pack.cpp) and the evaluator (rules.cpp). Not installed.
#pragma once

#include "fold_internal.hpp"
#include "scanner.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ck {

namespace detail {

enum class PredKind : std::uint8_t {
    text_any, text_all, regex, channel, tier, amount, branch_prefix, region_prefix, product,
    attribute, prior_complaints, hour, weekday, language, facet,
};

/// One keyword of a text predicate (or the pattern of a regex predicate).
struct KeywordUse {
    std::string written;          ///< as in the pack
    std::uint32_t pattern = 0;    ///< scanner pattern id
    std::uint8_t combo = 0;       ///< bit 0: word boundary needed on the left, bit 1: on the right
};

struct Predicate {
    PredKind kind{};
    std::string path;                         ///< JSON pointer of the condition
    std::vector<KeywordUse> keywords;         ///< text_any / text_all / regex (one)
    std::vector<int> values;                  ///< channel / tier codes, weekdays (1 = Monday), facet values
    std::vector<std::string> strings;         ///< prefixes, products (folded), languages (lower case)
    std::string name;                         ///< amount kind / attribute name
    std::string currency;
    std::optional<double> min, max;           ///< amount (minor units), attribute, prior complaints
    std::optional<AttributeValue> equals;     ///< attribute
    bool exists_only = false;                 ///< attribute {"exists": true}
    int hour_from = 0, hour_to = 24;          ///< hour: [from, to), wraps when from > to
    FacetId facet{};                          ///< facet predicate
    /// Facet predicate: bit v+1 set for each wanted value v (bit 0: unknown), so the test
    /// is one shift; `values` stays for explain output.
    std::array<std::uint64_t, 4> value_mask{};
    std::vector<std::uint16_t> tag_ids;       ///< facet predicate on tags: interned tags (RuleSet::Impl::tag_names)
};

struct Condition {
    enum class Type : std::uint8_t { all, any, none, pred } type = Type::pred;
    std::vector<Condition> children;
    int pred = -1;
    std::string path;
};

struct CompiledRule {
    std::string id;
    std::string description;
    std::string path;               ///< "/rules/N"
    int order = 0;
    int priority = 0;
    double weight = 1;
    std::size_t position = 0;       ///< index in the pack
    std::optional<Condition> when;  ///< absent: always fires
    std::array<int, facet_count> set{};  ///< value per facet, -1 when the rule does not set it
    std::uint16_t set_mask = 0;          ///< bit f: `set[f]` >= 0 (the facets it proposes)
    std::vector<std::string> tags;
    std::vector<std::uint16_t> tag_ids;  ///< `tags` interned (RuleSet::Impl::tag_names)
    bool stop = false;
    bool always_evaluate = true;    ///< false when some keyword must match for it to fire
};

/// How the fast path tests a rule's condition: the common shapes without walking the
/// condition tree (the default pack: 72 of 141 rules test one keyword predicate, 60 only
/// facet values), the rest with the tree walk (`general`).
struct FastRule {
    enum class Kind : std::uint8_t {
        always,      ///< no condition
        keywords,    ///< one text_any / regex predicate: `arg`
        facets_all,  ///< every one of `leaves` facet tests from facet_leaves[arg]
        facets_any,  ///< at least one of them
        general,
    };
    Kind kind = Kind::general;
    std::uint8_t leaves = 0;
    int order = 0;
    std::uint32_t arg = 0;
};

/// What the fast path reads of a rule, by rank, in one cache line: its FastRule test, the
/// tier it belongs to, what it proposes and its id (tags: from the CompiledRule of that rank) (CompiledRule is five cache lines, most of them
/// cold; the scan evicts whatever a classification touched from the first-level cache).
struct alignas(64) RuleHot {
    double weight = 1;
    std::int32_t order = 0;
    std::int32_t priority = 0;
    const char* id = nullptr;                          ///< CompiledRule::id (id_len bytes)
    std::array<std::int16_t, facet_count> set{};       ///< as CompiledRule::set (values -1 … 254)
    std::uint32_t tier_end = 0;                        ///< RuleSet::Impl::tier_end
    std::uint32_t arg = 0;                             ///< FastRule::arg
    std::uint16_t set_mask = 0;
    std::uint16_t id_len = 0;
    bool stop = false;
    FastRule::Kind kind = FastRule::Kind::general;
    std::uint8_t leaves = 0;                           ///< FastRule::leaves
};
static_assert(sizeof(RuleHot) == 64);

/// FacetLeaf in 16 bytes (four to a cache line): the values below 63 in one word; a test
/// of higher values (`wide`) reads its FacetLeaf (same index).
struct FastLeaf {
    std::uint64_t mask = 0;  ///< FacetLeaf::mask[0]
    std::uint8_t facet = 0;
    std::uint8_t wide = 0;   ///< FacetLeaf::mask[1 …] has a bit set
};

/// A facet test of a FastRule (not on tags): bit v+1 of `mask` set for each wanted value
/// v (bit 0: unknown), as Predicate::value_mask.
struct FacetLeaf {
    std::array<std::uint64_t, 4> mask{};
    std::uint8_t facet = 0;
};

}  // namespace detail

struct RuleSet::Impl {
    std::string name;
    std::string description;
    std::vector<detail::CompiledRule> rules;   ///< sorted by (order, position): evaluation order
    std::vector<detail::Predicate> preds;
    std::vector<detail::ScanPattern> patterns;
    std::vector<std::vector<std::uint32_t>> pattern_rules;  ///< rules (ranks) a pattern triggers
    /// Keyword uses of a pattern: (predicate, keyword index, boundary combo), sorted by
    /// (predicate, keyword).
    struct Use {
        std::uint32_t pred;
        std::uint32_t keyword;
        std::uint8_t combo;
    };
    std::vector<std::vector<Use>> pattern_uses;
    /// The fast path's view of the same, flat (one 16-byte record per pattern, one array
    /// each for its ranks and uses): a match costs no pointer chase through per-pattern
    /// vectors, whose blocks the scan has usually evicted from the caches.
    struct alignas(32) PatternInfo {
        static constexpr std::size_t kInlineRanks = 6;
        std::uint32_t uses_begin = 0;   ///< into pattern_use_list
        std::uint32_t ranks_begin = 0;  ///< into pattern_rank_list when ranks > kInlineRanks
        std::uint16_t uses = 0;
        std::uint16_t ranks = 0;
        std::uint8_t edges = 0;         ///< pattern_word_edges
        std::uint8_t regex = 0;         ///< 1 when the pattern is a regex
        std::array<std::uint16_t, kInlineRanks> inline_ranks{};  ///< the ranks, when few
    };
    /// A keyword use by global keyword index: keyword k of predicate p is
    /// pred_keyword_begin[p] + k (so the order within a predicate is the keyword order),
    /// with what a hit of it reports.
    struct FlatUse {
        std::string_view written;  ///< as in the pack
        std::uint32_t pred;
        std::uint32_t keyword;
        std::uint8_t combo;
    };
    std::vector<PatternInfo> pattern_info;
    std::vector<std::uint32_t> pattern_rank_list;
    std::vector<FlatUse> pattern_use_list;
    std::vector<std::uint32_t> pred_keyword_begin;  ///< by predicate
    std::vector<detail::FastRule> fast_rules;               ///< by rank: the fast path's test of each rule
    std::vector<detail::RuleHot> rule_hot;                  ///< by rank: the fast path's view of each rule
    std::vector<detail::FacetLeaf> facet_leaves;            ///< the facet tests of fast_rules
    std::vector<detail::FastLeaf> fast_leaves;              ///< the same, as the fast path reads them
    std::vector<std::uint32_t> always_rules;                ///< ranks evaluated for every text
    /// The fast path's first candidates, a bitset over ranks: always_rules but the keyed
    /// facet rules (below).
    std::vector<std::uint64_t> always_words;
    /// always_words without the rules that cannot fire on a text alone (no complaint, no
    /// prior count): their condition is false whatever the text and the facets, because
    /// it needs a channel, an amount, a branch … (detail::without_complaint).
    std::vector<std::uint64_t> always_words_text_only;
    /// Keyed facet rules: a rule whose condition is all of some facet tests, one of which
    /// cannot hold while its facet is unknown, can only fire once a lower tier set that
    /// facet to one of the tested values. The fast path makes it a candidate then: the
    /// ranks keyed on facet f, value v are key_ranks[key_start[f * 256 + v] …
    /// key_start[f * 256 + v + 1]) (values 0–254).
    std::vector<std::uint32_t> key_start;
    std::vector<std::uint32_t> key_ranks;
    std::uint16_t keyed_facets = 0;                         ///< bit f: some rule is keyed on facet f
    std::vector<std::uint32_t> tier_end;                    ///< by rank: the first rank of a later order
    std::vector<std::string> tag_names;                     ///< every tag a rule sets, interned
    std::vector<std::uint8_t> pattern_word_edges;  ///< bit 0: first char is a word char, bit 1: last
    std::unique_ptr<detail::Scanner> scanner;
    std::vector<RuleDiagnostic> warnings;
    std::size_t keyword_count = 0;
    std::vector<FacetModelBinding> models;  ///< "models": facets a text model fills (docs/textmodel.md)
};

namespace detail {
/// Parses and lints a pack. Returns the compiled form when there is no error; the
/// diagnostics (errors and warnings) go to `diagnostics` either way.
std::shared_ptr<RuleSet::Impl> compile_pack(std::string_view json, std::vector<RuleDiagnostic>& diagnostics);
/// The ranks of always_words whose condition holds or may hold when there is no
/// complaint (rules.cpp: each field test evaluated on an empty complaint; keyword and
/// facet tests may go either way).
std::vector<std::uint64_t> without_complaint(const RuleSet::Impl& rs);

struct Node;  // json_internal.hpp
/// The pack's "models" array (facet_models.cpp).
std::vector<FacetModelBinding> parse_model_bindings(const Node& models);
}  // namespace detail

/// Fills the facets bound to models that no rule decided (facet_models.cpp).
void apply_facet_models(const RuleSet& rs, const Complaint* complaint, std::string_view title, std::string_view text,
                        const ClassifyOptions& options, Classification& out);

}  // namespace ck
