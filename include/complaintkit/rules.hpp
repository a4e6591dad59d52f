// complaintkit — the classification rule engine (docs/rules.md).
//
// A rule pack (JSON) is compiled once into an immutable RuleSet: all keywords of the pack
// go into one multi-pattern automaton, and each text is folded (normalize.hpp) and scanned
// once, whatever the number of rules. A RuleSet is safe to share across threads; every
// classify call is const.
#pragma once

#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// The facets a rule can set. Values are stable (the C API uses them).
enum class FacetId : std::uint8_t {
    kind = 0, category = 1, subcategory = 2, cause = 3, sub_cause = 4, attribution = 5,
    dimension = 6, severity = 7, personality = 8, motive = 9, reasonable = 10, tags = 11,
};
inline constexpr int facet_count = 12;
/// "category", "sub_cause", …
std::string_view facet_name(FacetId f) noexcept;
std::optional<FacetId> facet_from_name(std::string_view name) noexcept;

/// One problem found while compiling (linting) a pack.
struct RuleDiagnostic {
    enum class Level : std::uint8_t { warning = 0, error = 1 };
    Level level = Level::error;
    std::string rule_id;  ///< empty for pack-level problems
    std::string path;     ///< JSON pointer, e.g. "/rules/3/when/any/0/text_any"
    std::string message;
    /// "error: /rules/3/when: rule "x": message"
    [[nodiscard]] std::string to_string() const;
};

/// Thrown when a pack does not compile: what() lists every error, diagnostics() has them
/// (and the warnings) one by one. code() is ErrorCode::compile (or parse for bad JSON).
class RulePackError : public Error {
public:
    RulePackError(ErrorCode code, const std::string& message, std::vector<RuleDiagnostic> diagnostics)
        : Error(code, message), diagnostics_(std::move(diagnostics)) {}
    [[nodiscard]] const std::vector<RuleDiagnostic>& diagnostics() const noexcept { return diagnostics_; }

private:
    std::vector<RuleDiagnostic> diagnostics_;
};

/// Where in the complaint a keyword matched.
enum class TextField : std::uint8_t { text = 0, title = 1 };

/// One keyword (or regex) occurrence. Offsets are in the ORIGINAL (unfolded) field:
/// `begin`/`end` in bytes, `char_begin`/`char_end` in Unicode code points.
struct KeywordHit {
    std::string_view keyword;  ///< the keyword as written in the pack (or the regex); owned by the pack
    TextField field = TextField::text;
    std::uint32_t begin = 0, end = 0;
    std::uint32_t char_begin = 0, char_end = 0;
    friend bool operator==(const KeywordHit&, const KeywordHit&) = default;
};

class KeywordHits;
namespace detail {
struct HitsAccess;  // the rule engine's way to hand a result its hits in one block (src/rules.cpp)
void release_hit_block(KeywordHit* slice, std::uint32_t index) noexcept;
}  // namespace detail

/// The keyword hits of one fired rule: a sequence container (size, [], iteration,
/// push_back, ==) that converts to std::vector<KeywordHit>. It is 16 bytes: a rule
/// without hits costs nothing, and the engine stores every hit of a result in one block
/// shared by the result's evidence (each KeywordHits owns its own slice of it, and the
/// block is freed with its last slice), so a result costs one allocation for all its hits.
/// Copies are independent (their own heap array); push_back beyond a slice moves the hits
/// to the heap.
class KeywordHits {
public:
    using value_type = KeywordHit;
    using iterator = KeywordHit*;
    using const_iterator = const KeywordHit*;
    /// Hits kept without a heap allocation of their own (none since the shared hit block;
    /// was 2).
    static constexpr std::size_t inline_capacity = 0;

    KeywordHits() noexcept = default;
    KeywordHits(std::initializer_list<KeywordHit> hits) { assign(hits.begin(), hits.end()); }
    KeywordHits(const KeywordHits& o) { assign(o.begin(), o.end()); }
    KeywordHits(KeywordHits&& o) noexcept { take(o); }
    KeywordHits& operator=(const KeywordHits& o) {
        if (this != &o) {
            clear();
            assign(o.begin(), o.end());
        }
        return *this;
    }
    KeywordHits& operator=(KeywordHits&& o) noexcept {
        if (this != &o) {
            release();
            take(o);
        }
        return *this;
    }
    ~KeywordHits() { release(); }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t capacity() const noexcept { return shared() ? size_ : cap_; }
    [[nodiscard]] KeywordHit* data() noexcept { return data_; }
    [[nodiscard]] const KeywordHit* data() const noexcept { return data_; }
    [[nodiscard]] iterator begin() noexcept { return data_; }
    [[nodiscard]] iterator end() noexcept { return data_ + size_; }
    [[nodiscard]] const_iterator begin() const noexcept { return data_; }
    [[nodiscard]] const_iterator end() const noexcept { return data_ + size_; }
    [[nodiscard]] KeywordHit& operator[](std::size_t i) noexcept { return data_[i]; }
    [[nodiscard]] const KeywordHit& operator[](std::size_t i) const noexcept { return data_[i]; }
    /// Bounds-checked access: throws std::out_of_range.
    [[nodiscard]] const KeywordHit& at(std::size_t i) const {
        if (i >= size_) throw std::out_of_range("KeywordHits::at: index " + std::to_string(i) + " of " + std::to_string(size_));
        return data_[i];
    }
    [[nodiscard]] const KeywordHit& front() const noexcept { return data_[0]; }
    [[nodiscard]] const KeywordHit& back() const noexcept { return data_[size_ - 1]; }
    void clear() noexcept {
        if (shared()) release();  // a slice cannot grow again: give it back
        size_ = 0;
    }
    void reserve(std::size_t n) {
        if (n <= capacity()) return;
        if (n >= kShared) throw std::length_error("KeywordHits::reserve: too many hits");
        auto* p = new KeywordHit[n];
        for (std::size_t i = 0; i < size_; ++i) p[i] = data_[i];
        const auto size = size_;
        release();
        data_ = p;
        size_ = size;
        cap_ = static_cast<std::uint32_t>(n);
    }
    void push_back(const KeywordHit& h) {
        if (size_ == capacity()) {
            const KeywordHit copy = h;  // h may live in this container
            reserve(size_ < 2 ? 4 : std::size_t{size_} * 2);
            data_[size_++] = copy;
            return;
        }
        data_[size_++] = h;
    }
    operator std::vector<KeywordHit>() const { return std::vector<KeywordHit>(begin(), end()); }  // NOLINT
    friend bool operator==(const KeywordHits& a, const KeywordHits& b) noexcept {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (!(a[i] == b[i])) return false;
        return true;
    }

private:
    friend struct detail::HitsAccess;
    static constexpr std::uint32_t kShared = 0x80000000u;  ///< cap_: a slice of a shared block; low bits: its index
    [[nodiscard]] bool shared() const noexcept { return (cap_ & kShared) != 0; }
    void assign(const KeywordHit* b, const KeywordHit* e) {
        reserve(static_cast<std::size_t>(e - b));
        for (; b != e; ++b) data_[size_++] = *b;
    }
    void take(KeywordHits& o) noexcept {
        data_ = o.data_;
        size_ = o.size_;
        cap_ = o.cap_;
        o.data_ = nullptr;
        o.size_ = o.cap_ = 0;
    }
    void release() noexcept {
        if (shared()) detail::release_hit_block(data_, cap_ & ~kShared);
        else delete[] data_;
        data_ = nullptr;
        size_ = cap_ = 0;
    }
    KeywordHit* data_ = nullptr;
    std::uint32_t size_ = 0, cap_ = 0;
};

/// A list of strings that costs one pointer when empty (RuleEvidence::overridden, filled in
/// explain mode only): a sequence (size, [], at, iteration, push_back, ==) that converts
/// to and from std::vector<std::string>.
class StringList {
public:
    using value_type = std::string;
    using iterator = std::string*;
    using const_iterator = const std::string*;

    StringList() noexcept = default;
    StringList(std::initializer_list<std::string> l) : StringList(std::vector<std::string>(l)) {}
    StringList(std::vector<std::string> v)  // NOLINT: converts, as the vector it replaces did
        : v_(v.empty() ? nullptr : std::make_unique<std::vector<std::string>>(std::move(v))) {}
    StringList(const StringList& o) : v_(o.v_ ? std::make_unique<std::vector<std::string>>(*o.v_) : nullptr) {}
    StringList(StringList&&) noexcept = default;
    StringList& operator=(const StringList& o) {
        if (this != &o) v_ = o.v_ ? std::make_unique<std::vector<std::string>>(*o.v_) : nullptr;
        return *this;
    }
    StringList& operator=(StringList&&) noexcept = default;
    ~StringList() = default;

    [[nodiscard]] std::size_t size() const noexcept { return v_ ? v_->size() : 0; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] iterator begin() noexcept { return v_ ? v_->data() : nullptr; }
    [[nodiscard]] iterator end() noexcept { return v_ ? v_->data() + v_->size() : nullptr; }
    [[nodiscard]] const_iterator begin() const noexcept { return v_ ? v_->data() : nullptr; }
    [[nodiscard]] const_iterator end() const noexcept { return v_ ? v_->data() + v_->size() : nullptr; }
    [[nodiscard]] std::string& operator[](std::size_t i) noexcept { return (*v_)[i]; }
    [[nodiscard]] const std::string& operator[](std::size_t i) const noexcept { return (*v_)[i]; }
    /// Bounds-checked access: throws std::out_of_range.
    [[nodiscard]] const std::string& at(std::size_t i) const {
        if (i >= size()) throw std::out_of_range("StringList::at: index " + std::to_string(i) + " of " + std::to_string(size()));
        return (*v_)[i];
    }
    [[nodiscard]] const std::string& front() const noexcept { return v_->front(); }
    [[nodiscard]] const std::string& back() const noexcept { return v_->back(); }
    void push_back(std::string s) {
        if (!v_) v_ = std::make_unique<std::vector<std::string>>();
        v_->push_back(std::move(s));
    }
    void clear() noexcept { v_.reset(); }
    operator std::vector<std::string>() const { return v_ ? *v_ : std::vector<std::string>{}; }  // NOLINT
    friend bool operator==(const StringList& a, const StringList& b) noexcept {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }
    friend bool operator==(const StringList& a, const std::vector<std::string>& b) noexcept {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    std::unique_ptr<std::vector<std::string>> v_;
};

/// A rule that fired.
struct RuleEvidence {
    std::string_view rule_id;          ///< owned by the pack (NUL-terminated)
    double score = 0;                  ///< weight × (number of distinct keywords matched, at least 1)
    KeywordHits hits;                  ///< keyword occurrences that satisfied its condition
    std::uint16_t decided_mask = 0;    ///< bit f set: facet f's final value came from this rule
    /// Explain mode: facets it proposed that did not win, each with the reason
    /// ("category: already decided by rule \"x\" (order 10)"). Empty, one null pointer, otherwise.
    StringList overridden;

    [[nodiscard]] bool decided(FacetId f) const noexcept { return decided_mask & (1u << static_cast<unsigned>(f)); }
    /// The facets this rule decided, in FacetId order.
    [[nodiscard]] std::vector<FacetId> decided_facets() const;
    friend bool operator==(const RuleEvidence&, const RuleEvidence&) = default;
};

/// A rule that was evaluated and did not fire (explain mode only).
struct RuleMiss {
    std::string rule_id;
    std::string reason;  ///< e.g. "when/any: no keyword of text_any matched (0 of 12)"
    friend bool operator==(const RuleMiss&, const RuleMiss&) = default;
};

/// The result of classifying one complaint.
struct Classification {
    Facets facets;                       ///< every facet; unknown when no rule decided it
    double score = 0;                    ///< sum of the scores of the rules that decided a facet
    std::vector<RuleEvidence> evidence;  ///< every rule that fired, in evaluation order
    std::vector<RuleMiss> misses;        ///< explain mode: every rule that did not fire
    std::size_t replaced_invalid_utf8 = 0;  ///< lenient mode: invalid bytes replaced by U+FFFD
    bool empty_text = false;             ///< no text to classify: everything is unknown
    /// Score of the rule that decided the facet (0 when undecided).
    std::array<double, facet_count> facet_score{};
    /// Keeps the compiled pack (which owns rule ids and keywords) alive as long as the result.
    struct PackRef {
        std::shared_ptr<const void> pack;
        friend bool operator==(const PackRef&, const PackRef&) noexcept { return true; }
    } pack_ref;

    [[nodiscard]] const RuleEvidence* find(std::string_view rule_id) const noexcept;
    [[nodiscard]] bool fired(std::string_view rule_id) const noexcept { return find(rule_id) != nullptr; }
    friend bool operator==(const Classification&, const Classification&) = default;
};

/// Facts the host supplies beside the complaint record.
struct ClassifyContext {
    /// Earlier complaints by the same customer (from the host or the archive). When not
    /// given, the complaint's integer attribute "prior_complaints" is used, if present.
    std::optional<int> prior_complaints;
};

/// How much evidence a classification carries. Facets, scores, fired rule ids and
/// decided facets are the same at every level; only the keyword hits differ.
enum class EvidenceLevel : std::uint8_t {
    full = 0,   ///< every fired rule with its keyword hits (byte and code-point offsets)
    rules = 1,  ///< every fired rule (id, score, decided facets), `hits` left empty: for bulk jobs
};

struct ClassifyOptions {
    bool explain = false;      ///< also report rules that did not fire, with the reason
    bool strict_utf8 = true;   ///< invalid UTF-8 is an error; otherwise replaced and counted
    EvidenceLevel evidence = EvidenceLevel::full;  ///< explain always builds full evidence
};

struct BatchOptions {
    ClassifyOptions classify;
    unsigned threads = 0;      ///< 0: one per hardware thread
};

class FacetPredictor;  // textmodel.hpp

/// A pack's "models" entry: fill `facet` from the named model when no rule decided it and
/// the model's probability is at least `threshold` (docs/textmodel.md).
struct FacetModelBinding {
    FacetId facet = FacetId::category;
    std::string model;      ///< the name the host gives the model in RuleSet::with_models
    double threshold = 0.5;
    std::string evidence_id;  ///< "model:<model>", the rule id its evidence carries (owned here, like rule ids)
    friend bool operator==(const FacetModelBinding&, const FacetModelBinding&) = default;
};

/// Models by the names a pack uses.
using FacetModels = std::map<std::string, std::shared_ptr<const FacetPredictor>, std::less<>>;

/// An immutable compiled rule pack. Copies share the compiled state.
class RuleSet {
public:
    /// Compiles a JSON rule pack. Throws RulePackError listing every problem (rule ids,
    /// JSON pointers) when it has errors; warnings are kept in warnings().
    static RuleSet compile(std::string_view pack_json);
    /// The built-in trilingual pack (rules/default.json, embedded at build time).
    static const RuleSet& default_rules();
    /// The built-in pack's JSON text.
    static std::string_view default_pack_json() noexcept;
    /// Every problem in a pack (errors and warnings), without throwing for them.
    static std::vector<RuleDiagnostic> lint(std::string_view pack_json);

    [[nodiscard]] Classification classify(std::string_view text, const ClassifyOptions& options = {}) const;
    [[nodiscard]] Classification classify(const Complaint& complaint, const ClassifyOptions& options = {},
                                          const ClassifyContext& context = {}) const;
    /// Classifies on a thread pool; result i belongs to input i whatever the thread count.
    /// In strict mode the error of the first failing input is thrown ("item N: …").
    [[nodiscard]] std::vector<Classification> classify_many(std::span<const std::string_view> texts,
                                                            const BatchOptions& options = {}) const;
    [[nodiscard]] std::vector<Classification> classify_many(std::span<const Complaint> complaints,
                                                            const BatchOptions& options = {}) const;
    /// Receives classify_each's results: the input's index and its result, which lives for
    /// the call only (move out what you keep; the engine reuses the storage).
    using ClassificationSink = std::function<void(std::size_t index, Classification& result)>;
    /// Streams a batch: classifies on a thread pool, like classify_many, and calls `sink` once
    /// for every input, in input order, never two calls at once (a call may run on any of the
    /// pool's threads, the caller's included). At most 4 × 64 results a thread are held, so a
    /// batch of millions needs no more memory than one of thousands, and results are made in
    /// storage that earlier ones freed. In strict mode the first invalid input's error is
    /// thrown ("item N: …") after the results before it were delivered; an exception thrown
    /// by `sink` stops the batch (nothing more is delivered) and is rethrown to the caller.
    void classify_each(std::span<const std::string_view> texts, const ClassificationSink& sink,
                       const BatchOptions& options = {}) const;
    void classify_each(std::span<const Complaint> complaints, const ClassificationSink& sink,
                       const BatchOptions& options = {}) const;

    [[nodiscard]] const std::string& name() const noexcept;
    [[nodiscard]] std::size_t rule_count() const noexcept;
    [[nodiscard]] std::size_t keyword_count() const noexcept;   ///< distinct folded keywords
    [[nodiscard]] std::vector<std::string> rule_ids() const;
    [[nodiscard]] const std::vector<RuleDiagnostic>& warnings() const noexcept;

    /// The pack's "models" entries.
    [[nodiscard]] const std::vector<FacetModelBinding>& model_bindings() const noexcept;
    /// A copy (sharing the compiled rules) whose classify() fills each bound facet that no
    /// rule decided from its model, when the model is confident enough; the evidence then
    /// holds an entry "model:<name>" with the probability as score. Throws
    /// ck::Error(not_found) for a model the pack names but `models` lacks, and
    /// ck::Error(unknown_code) when a model predicts a label that is not a code of its facet.
    /// Without with_models, bound facets stay unknown (explain says why).
    [[nodiscard]] RuleSet with_models(FacetModels models) const;

    struct Impl;

private:
    explicit RuleSet(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
    std::shared_ptr<const FacetModels> models_;
    friend void apply_facet_models(const RuleSet&, const Complaint*, std::string_view, std::string_view,
                                   const ClassifyOptions&, Classification&);
};

/// JSON of a classification (facet codes, score, evidence, misses).
std::string to_json(const Classification& c, bool pretty = false);
/// JSON array of diagnostics: [{"level","rule","path","message"}].
std::string to_json(const std::vector<RuleDiagnostic>& diagnostics, bool pretty = false);

}  // namespace ck
