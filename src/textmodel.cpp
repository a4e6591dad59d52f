// complaintkit — the trainable text classifier: training, prediction, cross-validation.
#include "textmodel_impl.hpp"

#include <complaintkit/error.hpp>
#include <complaintkit/normalize.hpp>
#include <complaintkit/textmodel.hpp>
#include <complaintkit/utf8.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <thread>

#include "thread_pool.hpp"

namespace ck {

using tm::FeatureSpec;
using tm::FeatureTable;
using tm::KeyCounter;
using tm::kLanes;
using tm::Lanes;
using tm::SeededRandom;

// ---------------------------------------------------------------- options

void TextModelOptions::validate() const {
    auto bad = [](const std::string& what) { throw Error(ErrorCode::invalid_argument, "text model option " + what); };
    if (word_ngram_max < 1 || word_ngram_max > 2) bad("word_ngram_max must be 1 or 2");
    if (latin_char_max < 0 || latin_char_max > 8) bad("latin_char_max must be 0…8");
    if (latin_char_max > 0 && (latin_char_min < 1 || latin_char_min > latin_char_max))
        bad("latin_char_min must be 1…latin_char_max");
    if (cjk_char_min < 1 || cjk_char_max < cjk_char_min || cjk_char_max > 6) bad("cjk_char_min/max must be 1 ≤ min ≤ max ≤ 6");
    if (min_df < 1) bad("min_df must be ≥ 1");
    if (!(c > 0) || !std::isfinite(c)) bad("c must be a positive number");
    if (max_epochs < 1) bad("max_epochs must be ≥ 1");
    if (!(tolerance > 0) || !std::isfinite(tolerance)) bad("tolerance must be a positive number");
    if (calibration_folds < 0 || calibration_folds == 1 || calibration_folds > 20)
        bad("calibration_folds must be 0 (none) or 2…20");
    if (!(prune >= 0) || !std::isfinite(prune)) bad("prune must be a number ≥ 0");
    if (threads < 0 || threads > 256) bad("threads must be 0…256");
}

void set_textmodel_option(TextModelOptions& o, std::string_view kv) {
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos)
        throw Error(ErrorCode::invalid_argument, "text model option \"" + std::string(kv) + "\" is not key=value");
    const std::string key(kv.substr(0, eq));
    const std::string val(kv.substr(eq + 1));
    auto as_int = [&]() -> long long {
        std::size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(val, &used);
        } catch (...) {
            used = 0;
        }
        if (used != val.size() || val.empty())
            throw Error(ErrorCode::invalid_argument, "text model option " + key + ": \"" + val + "\" is not an integer");
        return v;
    };
    auto as_double = [&]() -> double {
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(val, &used);
        } catch (...) {
            used = 0;
        }
        if (used != val.size() || val.empty())
            throw Error(ErrorCode::invalid_argument, "text model option " + key + ": \"" + val + "\" is not a number");
        return v;
    };
    auto as_bool = [&]() -> bool {
        if (val == "1" || val == "true") return true;
        if (val == "0" || val == "false") return false;
        throw Error(ErrorCode::invalid_argument, "text model option " + key + ": \"" + val + "\" is not true/false");
    };
    auto as_small = [&]() { return static_cast<int>(std::clamp<long long>(as_int(), -1, 1 << 20)); };
    if (key == "word_ngram_max") o.word_ngram_max = as_small();
    else if (key == "latin_char_min") o.latin_char_min = as_small();
    else if (key == "latin_char_max") o.latin_char_max = as_small();
    else if (key == "cjk_char_min") o.cjk_char_min = as_small();
    else if (key == "cjk_char_max") o.cjk_char_max = as_small();
    else if (key == "sublinear_tf") o.sublinear_tf = as_bool();
    else if (key == "use_idf") o.use_idf = as_bool();
    else if (key == "min_df") o.min_df = as_small();
    else if (key == "c") o.c = as_double();
    else if (key == "max_epochs") o.max_epochs = as_small();
    else if (key == "tolerance") o.tolerance = as_double();
    else if (key == "seed") o.seed = static_cast<std::uint64_t>(as_int());
    else if (key == "calibration_folds") o.calibration_folds = as_small();
    else if (key == "prune") o.prune = as_double();
    else if (key == "threads") o.threads = as_small();
    else if (key == "class_weight") {
        if (val == "none") o.class_weight = ClassWeighting::none;
        else if (val == "balanced") o.class_weight = ClassWeighting::balanced;
        else throw Error(ErrorCode::invalid_argument, "text model option class_weight: \"" + val + "\" is not none/balanced");
    } else {
        throw Error(ErrorCode::invalid_argument, "unknown text model option \"" + key + "\"");
    }
}

// ---------------------------------------------------------------- the model
//
// Document vector. A word type w seen tf_w times has a_w = 1 + ln tf_w (sublinear) and
// contributes a_w · e_w, where e_w holds its unigram (idf) and its character n-grams
// (count in the word · idf). Bigrams and CJK n-grams f contribute (1 + ln tf_f) · idf_f.
// The length normalisation divides by sqrt(Σ_w a_w² |e_w|² + Σ_f v_f²), i.e. words' n-gram
// vectors count as orthogonal. This makes a word type's contribution to every class score
// (S_w = e_w · W) and to the norm (|e_w|²) precomputable, so prediction costs one lookup per
// distinct word instead of one per character n-gram.

namespace {

double tf_weight(std::uint32_t tf, bool sublinear) {
    static const auto table = [] {
        std::array<double, 256> t{};
        for (std::size_t i = 1; i < t.size(); ++i) t[i] = 1.0 + std::log(static_cast<double>(i));
        return t;
    }();
    if (!sublinear) return tf;
    return tf < table.size() ? table[tf] : 1.0 + std::log(static_cast<double>(tf));
}

/// Bracketed code points "<word>" of a word stored as UTF-8.
std::u32string bracketed(std::string_view word) {
    std::u32string out;
    out.push_back(U'<');
    for (std::size_t i = 0; i < word.size();) {
        std::size_t len = 1;
        out.push_back(decode_utf8(word, i, &len));
        i += len;
    }
    out.push_back(U'>');
    return out;
}

std::string utf8_of(const char32_t* cps, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) tm::append_utf8(s, cps[i]);
    return s;
}

/// e_w of a word type over the vocabulary: (feature, count · idf) pairs.
using Entries = std::vector<std::pair<std::uint32_t, float>>;

void word_entries(const FeatureTable& table, const std::vector<float>& idf, const FeatureSpec& spec, std::uint64_t word_hash,
                  const char32_t* br, std::size_t len, Entries& out) {
    out.clear();
    const std::uint32_t u = table.find(word_hash);
    if (u != FeatureTable::npos) out.emplace_back(u, idf[u]);
    tm::word_char_ngrams<false>(br, len, spec, [&](std::uint64_t g) {
        const std::uint32_t f = table.find(g);
        if (f == FeatureTable::npos) return;
        for (auto& e : out)
            if (e.first == f) {
                e.second += idf[f];
                return;
            }
        out.emplace_back(f, idf[f]);
    });
}

/// word_entries from the word's hash h[0] and its character n-grams' hashes h[1 … n).
void entries_of(const FeatureTable& table, const std::vector<float>& idf, const std::uint64_t* h, std::size_t n, Entries& out) {
    out.clear();
    const std::uint32_t u = table.find(h[0]);
    if (u != FeatureTable::npos) out.emplace_back(u, idf[u]);
    for (std::size_t k = 1; k < n; ++k) {
        const std::uint32_t f = table.find(h[k]);
        if (f == FeatureTable::npos) continue;
        bool seen = false;
        for (auto& e : out)
            if (e.first == f) {
                e.second += idf[f];
                seen = true;
                break;
            }
        if (!seen) out.emplace_back(f, idf[f]);
    }
}

struct Scratch {
    std::vector<char32_t> cps;
    KeyCounter words, others;
    std::vector<tm::Lanes> acc;            // the document's scores (lanes)
    std::vector<float> live;               // scores of a word the model has not cached
    std::vector<std::uint32_t> ids;        // record of each distinct word, then of each other feature
    std::vector<std::uint64_t> kept;       // other features that passed the filter, in order
    std::vector<std::uint64_t> word_keys, word_tags;  // word occurrences: hash, source span
    // prediction: occurrences counted by record index (zero between documents), the distinct
    // records in order of first occurrence; words the model has not seen go to `unseen`
    std::vector<std::uint32_t> word_count, feature_count;
    std::vector<std::uint32_t> word_ids, feature_ids;
    KeyCounter unseen;
    std::vector<std::uint64_t> unseen_hashes;     // per unseen word: its hash, then its n-grams'
    std::vector<std::size_t> unseen_at, unseen_entries_at;
    Entries unseen_entries;                       // e_w of the unseen words
    Entries entries;
    std::string norm;
};

Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

/// Collects a text's occurrences as scan_features reports them: word hashes with their
/// source spans, and every other feature's hash (prediction filters them afterwards, in a
/// loop of its own whose independent loads overlap; training counts them). Cursors instead
/// of counts: stores of 64-bit keys cannot alias them, so they stay in registers.
struct Collector {
    Scratch& s;
    std::uint64_t* wk = nullptr;
    std::uint64_t* wt = nullptr;
    std::uint64_t* wend = nullptr;
    std::uint64_t* fk = nullptr;
    std::uint64_t* fend = nullptr;
    explicit Collector(Scratch& sc, std::size_t expected) : s(sc) {
        if (s.word_keys.size() < expected) {
            s.word_keys.resize(expected);
            s.word_tags.resize(expected);
        }
        if (s.kept.size() < expected) s.kept.resize(expected);
        wk = s.word_keys.data();
        wt = s.word_tags.data();
        wend = wk + s.word_keys.size();
        fk = s.kept.data();
        fend = fk + s.kept.size();
    }
    [[nodiscard]] std::size_t words() const noexcept { return static_cast<std::size_t>(wk - s.word_keys.data()); }
    [[nodiscard]] std::size_t features() const noexcept { return static_cast<std::size_t>(fk - s.kept.data()); }
    void word(std::uint64_t h, std::size_t b, std::size_t e) {
        if (wk == wend) [[unlikely]] grow_words();
        *wk++ = h;
        *wt++ = (std::uint64_t{b} << 32) | e;
    }
    void feature(std::uint64_t h) {
        if (fk == fend) [[unlikely]] grow_features();
        *fk++ = h;
    }
    [[gnu::noinline]] void grow_words() {
        const std::size_t n = words();
        s.word_keys.resize(2 * n + 256);
        s.word_tags.resize(2 * n + 256);
        wk = s.word_keys.data() + n;
        wt = s.word_tags.data() + n;
        wend = s.word_keys.data() + s.word_keys.size();
    }
    [[gnu::noinline]] void grow_features() {
        const std::size_t n = features();
        s.kept.resize(2 * n + 256);
        fk = s.kept.data() + n;
        fend = s.kept.data() + s.kept.size();
    }
};

}  // namespace

void TextModel::Impl::build_caches(const std::vector<std::pair<std::uint32_t, float>>* entries,
                                   const std::vector<std::pair<std::size_t, std::size_t>>* ranges) {
    table = FeatureTable(keys);
    const std::size_t stride = nc() + 1;
    // Word types: |e_w|² and e_w · W, one record per word. The features they use (unigrams
    // and character n-grams) are only looked up one by one for words the model has not seen.
    std::vector<std::uint64_t> hashes;
    hashes.reserve(words.size());
    std::vector<float> rows(words.size() * stride, 0.0f);
    std::vector<char> of_word(keys.size(), 0);
    const FeatureSpec spec = FeatureSpec::of(opt);
    Entries e;
    for (std::size_t i = 0; i < words.size(); ++i) {
        hashes.push_back(tm::word_hash(words[i]));
        const std::pair<std::uint32_t, float>* eb;
        const std::pair<std::uint32_t, float>* ee;
        if (entries) {
            eb = entries->data() + (*ranges)[i].first;
            ee = entries->data() + (*ranges)[i].second;
        } else {
            const std::u32string br = bracketed(words[i]);
            word_entries(table, idf, spec, hashes.back(), br.data(), br.size(), e);
            eb = e.data();
            ee = e.data() + e.size();
        }
        float* row = rows.data() + i * stride;
        for (const auto* q = eb; q != ee; ++q) {
            const auto [f, v] = *q;
            of_word[f] = 1;
            row[0] += v * v;
            const float* w = weights.data() + static_cast<std::size_t>(f) * nc();
            for (std::size_t c = 0; c < nc(); ++c) row[1 + c] += v * w[c];
        }
    }
    // Records in order of document frequency (lowest idf first; words whose unigram is not a
    // feature last), so that the records and per-document counts of the frequent features,
    // which most look-ups hit, share cache lines and pages. (The values are the same in any
    // order.)
    {
        // (idf > 0, so its bits order like its value; the index breaks ties)
        std::vector<std::uint64_t> order(words.size());
        for (std::size_t i = 0; i < words.size(); ++i) {
            const std::uint32_t u = table.find(hashes[i]);
            order[i] = (std::uint64_t{u == FeatureTable::npos ? 0xFFFFFFFFu : std::bit_cast<std::uint32_t>(idf[u])} << 32) | i;
        }
        std::sort(order.begin(), order.end());
        std::vector<std::uint64_t> h2(words.size());
        std::vector<float> r2(rows.size());
        for (std::size_t j = 0; j < order.size(); ++j) {
            const std::size_t i = order[j] & 0xFFFFFFFFu;
            h2[j] = hashes[i];
            std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(i * stride), stride,
                        r2.begin() + static_cast<std::ptrdiff_t>(j * stride));
        }
        word_records = tm::RecordTable(h2, nc(), r2.data());
    }
    // The other features (word bigrams, CJK n-grams): idf, then W per class.
    std::vector<std::uint64_t> other;
    for (std::size_t f = 0; f < keys.size(); ++f)
        if (!of_word[f]) other.push_back((std::uint64_t{std::bit_cast<std::uint32_t>(idf[f])} << 32) | f);
    std::sort(other.begin(), other.end());
    std::vector<std::uint64_t> other_keys;
    std::vector<float> rec;
    other_keys.reserve(other.size());
    rec.reserve(other.size() * stride);
    for (const std::uint64_t o : other) {
        const auto f = static_cast<std::uint32_t>(o);
        other_keys.push_back(keys[f]);
        rec.push_back(idf[f]);
        rec.insert(rec.end(), weights.begin() + static_cast<std::ptrdiff_t>(std::size_t{f} * nc()),
                   weights.begin() + static_cast<std::ptrdiff_t>((std::size_t{f} + 1) * nc()));
    }
    feature_records = tm::RecordTable(other_keys, nc(), rec.data());
}

namespace {

[[noreturn]] void throw_invalid_utf8(std::string_view text) {
    const auto bad = utf8_invalid_offset(text);
    throw Error(ErrorCode::invalid_utf8, "text is not valid UTF-8 (byte " + std::to_string(bad.value_or(0)) + ")");
}

/// Raw scores (bias + x · W) of a text: the fast path (one fused pass over the UTF-8 bytes,
/// then one record per distinct word and per other feature, accumulated in float lanes).
/// NV: the lanes of the class scores when known at compile time (0: nv at run time).
/// Set in the distinct-word list for a word the model has not seen (the low bits index `unseen`).
inline constexpr std::uint32_t kUnseen = 0x80000000u;

template <std::size_t NV>
void decision_lanes(const TextModel::Impl& m, std::string_view text, double* out, std::size_t nv_run) {
    Scratch& s = scratch();
    const std::size_t nc = m.nc();
    const std::size_t nv = NV ? NV : nv_run;
    const FeatureSpec spec = FeatureSpec::of(m.opt);
    const bool sub = m.opt.sublinear_tf;
    Collector handler(s, text.size() / 4 + 64);
    if (!tm::scan_features(text, spec, handler)) throw_invalid_utf8(text);
    const std::size_t nw_occ = handler.words();
    // Features the model does not have add nothing (not even to the norm): most word
    // bigrams of a text are such, and the filter drops them before they are looked up
    // (kept in place; no branch on the filter's answer).
    std::size_t no_occ = 0;
    {
        std::uint64_t* const fk = s.kept.data();
        const std::size_t n = handler.features();
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t h = fk[i];
            fk[no_occ] = h;
            no_occ += m.feature_records.may_contain(h);
        }
    }

    // Every occurrence is looked up in the model (the look-ups are independent: the keys'
    // slots are prefetched first) and counted by record index in an array that is zero
    // between documents, so a document needs no table of its own for the known features;
    // the distinct records are listed in order of first occurrence (the sums below are
    // those of counting the keys first). Words the model has not seen are counted by key.
    if (s.word_count.size() < m.word_records.size()) s.word_count.resize(m.word_records.size(), 0);
    if (s.feature_count.size() < m.feature_records.size()) s.feature_count.resize(m.feature_records.size(), 0);
    if (s.word_ids.size() < nw_occ) s.word_ids.resize(nw_occ);
    if (s.feature_ids.size() < no_occ) s.feature_ids.resize(no_occ);
    std::uint32_t* const wc = s.word_count.data();
    std::uint32_t* const fc = s.feature_count.data();
    std::uint32_t* const wl = s.word_ids.data();
    std::uint32_t* const fl = s.feature_ids.data();
    const std::uint64_t* const wk = s.word_keys.data();
    const std::uint64_t* const fk = s.kept.data();
    for (std::size_t i = 0; i < nw_occ; ++i) m.word_records.prefetch_key(wk[i]);
    for (std::size_t i = 0; i < no_occ; ++i) m.feature_records.prefetch_key(fk[i]);
    std::size_t nw = 0, no = 0;
    // the counts go back to zero however this function is left
    struct Clear {
        std::uint32_t* wc;
        std::uint32_t* fc;
        const std::uint32_t* wl;
        const std::uint32_t* fl;
        const std::size_t& nw;
        const std::size_t& no;
        ~Clear() {
            for (std::size_t j = 0; j < nw; ++j)
                if (!(wl[j] & kUnseen)) wc[wl[j]] = 0;
            for (std::size_t j = 0; j < no; ++j) fc[fl[j]] = 0;
        }
    } clear{wc, fc, wl, fl, nw, no};
    s.unseen.reset(16);
    for (std::size_t i = 0; i < nw_occ; ++i) {
        const std::uint32_t id = m.word_records.find(wk[i]);
        if (id != tm::RecordTable::npos) [[likely]] {
            const std::uint32_t before = wc[id]++;
            wl[nw] = id;
            nw += before == 0;
            m.word_records.prefetch_record(id);
        } else if (s.unseen.add(wk[i], s.word_tags[i])) {
            wl[nw++] = kUnseen | static_cast<std::uint32_t>(s.unseen.size() - 1);
        }
    }
    for (std::size_t i = 0; i < no_occ; ++i) {
        const std::uint32_t id = m.feature_records.find(fk[i]);
        if (id == tm::RecordTable::npos) continue;  // (the filter lets about 1 in 64 absent keys through)
        const std::uint32_t before = fc[id]++;
        fl[no] = id;
        no += before == 0;
        m.feature_records.prefetch_record(id);
    }

    // Words the model has not seen: their character n-grams are looked up in the feature
    // table, all of the document's at once (hash, prefetch, resolve and prefetch the weights).
    if (const std::size_t nu = s.unseen.size(); nu > 0) {
        s.unseen_hashes.clear();
        s.unseen_at.assign(1, 0);
        for (std::size_t u = 0; u < nu; ++u) {
            const std::uint64_t span = s.unseen.tag(u);
            const std::size_t wb = span >> 32, we = span & 0xFFFFFFFFu;
            tm::bracketed_folded(text.substr(wb, we - wb), s.cps);
            s.unseen_hashes.push_back(s.unseen.key(u));
            tm::word_char_ngrams<false>(s.cps.data(), s.cps.size(), spec, [&](std::uint64_t g) { s.unseen_hashes.push_back(g); });
            s.unseen_at.push_back(s.unseen_hashes.size());
        }
        for (const std::uint64_t h : s.unseen_hashes) m.table.prefetch(h);
        s.unseen_entries.clear();
        s.unseen_entries_at.assign(1, 0);
        for (std::size_t u = 0; u < nu; ++u) {
            entries_of(m.table, m.idf, s.unseen_hashes.data() + s.unseen_at[u], s.unseen_at[u + 1] - s.unseen_at[u], s.entries);
            for (const auto& e : s.entries) {
                __builtin_prefetch(m.weights.data() + static_cast<std::size_t>(e.first) * nc);
                s.unseen_entries.push_back(e);
            }
            s.unseen_entries_at.push_back(s.unseen_entries.size());
        }
    }

    s.acc.assign(nv, Lanes{});
    Lanes* acc = s.acc.data();
    double norm2 = 0;
    for (std::size_t j = 0; j < nw; ++j) {
        const std::uint32_t id = wl[j];
        if (!(id & kUnseen)) [[likely]] {
            const auto a = static_cast<float>(tf_weight(wc[id], sub));
            const float* rec = m.word_records.record(id);
            norm2 += static_cast<double>(a) * a * rec[0];
            const Lanes* l = tm::RecordTable::lanes_of(rec);
            for (std::size_t v = 0; v < nv; ++v) acc[v] += l[v] * a;
            continue;
        }
        // a word the model has not seen: its e_w, resolved above
        const std::size_t u = id & ~kUnseen;
        const std::size_t e0 = s.unseen_entries_at[u], e1 = s.unseen_entries_at[u + 1];
        if (e0 == e1) continue;
        const auto a = static_cast<float>(tf_weight(s.unseen.count(u), sub));
        s.live.assign(nv * kLanes, 0.0f);
        double e2 = 0;
        for (std::size_t q = e0; q < e1; ++q) {
            const auto [f, v] = s.unseen_entries[q];
            e2 += static_cast<double>(v) * v;
            const float* w = m.weights.data() + static_cast<std::size_t>(f) * nc;
            for (std::size_t c = 0; c < nc; ++c) s.live[c] += v * w[c];
        }
        norm2 += static_cast<double>(a) * a * e2;
        for (std::size_t v = 0; v < nv; ++v) {
            Lanes l;
            std::memcpy(&l, s.live.data() + v * kLanes, sizeof l);
            acc[v] += l * a;
        }
    }
    for (std::size_t j = 0; j < no; ++j) {
        const float* rec = m.feature_records.record(fl[j]);
        const float v = static_cast<float>(tf_weight(fc[fl[j]], sub)) * rec[0];
        norm2 += static_cast<double>(v) * v;
        const Lanes* l = tm::RecordTable::lanes_of(rec);
        for (std::size_t k = 0; k < nv; ++k) acc[k] += l[k] * v;
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (std::size_t c = 0; c < nc; ++c) out[c] = static_cast<double>(acc[c / kLanes][c % kLanes]) * inv + m.bias[c];
}

void decision(const TextModel::Impl& m, std::string_view text, double* out) {
    if (text.size() > 0xFFFFFFFFu) throw Error(ErrorCode::invalid_argument, "text longer than 4 GiB");
    switch (const std::size_t nv = tm::lanes_for(m.nc())) {
        case 1: return decision_lanes<1>(m, text, out, nv);
        case 2: return decision_lanes<2>(m, text, out, nv);
        case 3: return decision_lanes<3>(m, text, out, nv);
        case 4: return decision_lanes<4>(m, text, out, nv);
        default: return decision_lanes<0>(m, text, out, nv);
    }
}

/// The document vector with feature names (slow path, for explain and tests): feature → (value, name).
std::map<std::uint32_t, std::pair<double, std::string>> named_vector(const TextModel::Impl& m, std::string_view text) {
    const std::string norm = normalize_text(text);
    const FeatureSpec spec = FeatureSpec::of(m.opt);
    struct Word {
        std::uint32_t tf = 0;
        std::u32string br;
        std::string name;
    };
    std::map<std::uint64_t, Word> words;
    std::map<std::uint64_t, std::pair<std::uint32_t, std::string>> others;
    struct Handler {
        decltype(words)& w;
        decltype(others)& o;
        void word(std::uint64_t h, const char32_t* br, std::size_t len, const std::string& name) {
            auto& x = w[h];
            if (x.tf++ == 0) {
                x.br.assign(br, len);
                x.name = name;
            }
        }
        void feature(std::uint64_t h, const std::string& name) {
            auto& x = o[h];
            if (x.first++ == 0) x.second = name;
        }
    } handler{words, others};
    std::vector<char32_t> cps;
    tm::extract_features<true>(norm, spec, cps, handler);

    std::map<std::uint32_t, std::pair<double, std::string>> vec;
    double norm2 = 0;
    for (const auto& [h, w] : words) {
        const double a = tf_weight(w.tf, m.opt.sublinear_tf);
        double e2 = 0;
        std::map<std::uint32_t, std::pair<double, std::string>> e;
        const std::uint32_t u = m.table.find(h);
        if (u != FeatureTable::npos) e[u] = {m.idf[u], w.name};
        tm::word_char_ngrams<true>(w.br.data(), w.br.size(), spec, [&](std::uint64_t g, const std::string& name) {
            const std::uint32_t f = m.table.find(g);
            if (f == FeatureTable::npos) return;
            auto& x = e[f];
            x.first += m.idf[f];
            x.second = name;
        });
        for (const auto& [f, vn] : e) {
            e2 += vn.first * vn.first;
            auto& x = vec[f];
            x.first += a * vn.first;
            x.second = vn.second;
        }
        norm2 += a * a * e2;
    }
    for (const auto& [h, tn] : others) {
        const std::uint32_t f = m.table.find(h);
        if (f == FeatureTable::npos) continue;
        const double v = tf_weight(tn.first, m.opt.sublinear_tf) * m.idf[f];
        norm2 += v * v;
        vec[f] = {v, tn.second};
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (auto& [f, vn] : vec) vn.first *= inv;
    return vec;
}

void softmax(const double* scores, std::size_t n, double temperature, double* out) {
    double mx = scores[0];
    for (std::size_t c = 1; c < n; ++c) mx = std::max(mx, scores[c]);
    double sum = 0;
    for (std::size_t c = 0; c < n; ++c) sum += (out[c] = std::exp((scores[c] - mx) / temperature));
    for (std::size_t c = 0; c < n; ++c) out[c] /= sum;
}

/// The threads an option asks for (0 or less: one per hardware thread).
std::size_t thread_count(int threads) {
    return threads <= 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<std::size_t>(threads);
}

template <class F> void parallel_for(std::size_t n, int threads, F&& f) {
    auto t = static_cast<unsigned>(thread_count(threads));
    t = static_cast<unsigned>(std::min<std::size_t>(t, n));
    if (t <= 1) {
        for (std::size_t i = 0; i < n; ++i) f(i);
        return;
    }
    // the caller and pool helpers (thread_pool.hpp) take items from one cursor
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    detail::run_parallel(t, [&](unsigned) {
        try {
            for (std::size_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < n;) f(i);
        } catch (...) {
            failed = true;
            throw;
        }
    });
}

/// produce(i) for every i < n on every thread (in any order) and consume(i) on the calling
/// thread in order 0, 1, … as soon as produce(i) has returned: the caller produces too while
/// the next item is not ready, so a serial consumer overlaps the parallel producers.
template <class P, class C> void produce_consume_in_order(std::size_t n, int threads, P&& produce, C&& consume) {
    const auto t = static_cast<unsigned>(std::min(thread_count(threads), n));
    if (t <= 1) {
        for (std::size_t i = 0; i < n; ++i) {
            produce(i);
            consume(i);
        }
        return;
    }
    std::vector<std::atomic<unsigned char>> ready(n);  // (zero: C++20 value-initialises atomics)
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto produce_next = [&]() -> bool {  // false: every item taken
        const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
        if (i >= n) return false;
        produce(i);
        ready[i].store(1, std::memory_order_release);
        return true;
    };
    detail::run_parallel(t, [&](unsigned worker) {
        try {
            if (worker != 0) {
                while (!failed.load(std::memory_order_relaxed) && produce_next()) {
                }
                return;
            }
            for (std::size_t i = 0; i < n; ++i) {
                while (!ready[i].load(std::memory_order_acquire)) {
                    if (failed.load(std::memory_order_relaxed)) return;  // (the helper's error is rethrown)
                    if (!produce_next()) std::this_thread::yield();  // a helper is producing item i
                }
                consume(i);
            }
        } catch (...) {
            failed = true;
            throw;
        }
    });
}

// ---------------------------------------------------------------- training

/// Storage that is not initialised when allocated (the matrix is written once, in place).
template <class T> struct RawArray {
    std::unique_ptr<T[]> p;
    void allocate(std::size_t n) { p = std::make_unique_for_overwrite<T[]>(n); }
    T& operator[](std::size_t i) noexcept { return p[i]; }
    const T& operator[](std::size_t i) const noexcept { return p[i]; }
    [[nodiscard]] T* data() noexcept { return p.get(); }
};

/// Documents as sparse rows over the training vocabulary.
struct Matrix {
    std::vector<std::size_t> row;  // n + 1
    RawArray<std::uint32_t> col;
    RawArray<float> val;
    std::size_t features = 0;
    [[nodiscard]] std::size_t rows() const { return row.size() - 1; }
};

/// A training document: its distinct word types and other features (dense ids, tf).
struct Doc {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> words;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> others;
};

/// Word types of a training set: hash, bracketed code points, character n-grams (dense ids).
struct WordTypes {
    std::vector<std::uint64_t> hash;
    std::vector<std::u32string> br;
    std::vector<std::uint32_t> grams;    // with repetition; those of type t: [gram_at[t], gram_at[t + 1])
    std::vector<std::size_t> gram_at;
};

/// Dense ids of 64-bit keys (never 0), in order of first appearance (open addressing, load
/// ≤ 1/2, key and id side by side: one cache line a probe).
class IdMap {
public:
    /// The id of key, a new one (= size()) when it is new.
    std::uint32_t id(std::uint64_t key) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        std::size_t s = static_cast<std::size_t>(key) & mask_;
        for (;;) {
            Slot& sl = slots_[s];
            if (sl.key == key) return sl.id;
            if (sl.key == 0) break;
            s = (s + 1) & mask_;
        }
        slots_[s] = Slot{key, static_cast<std::uint32_t>(size_)};
        return static_cast<std::uint32_t>(size_++);
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Hints the CPU to fetch key's home slot (a document's look-ups then overlap).
    void prefetch(std::uint64_t key) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(slots_.data() + (static_cast<std::size_t>(key) & mask_));
    }

private:
    struct Slot {
        std::uint64_t key = 0;
        std::uint32_t id = 0;
    };
    void grow() {
        std::vector<Slot> old(slots_.empty() ? 1024 : slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const Slot& o : old) {
            if (o.key == 0) continue;
            std::size_t s = static_cast<std::size_t>(o.key) & mask_;
            while (slots_[s].key != 0) s = (s + 1) & mask_;
            slots_[s] = o;
        }
    }
    std::vector<Slot> slots_;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
};

/// A training set read once: every feature has a dense id (word types, their character
/// n-grams, the other features), so that document frequencies and the matrix of any subset
/// of rows are built with arrays instead of hash tables.
struct Corpus {
    std::vector<Doc> docs;
    WordTypes types;
    std::vector<std::uint64_t> gram_hash;   // per gram id
    std::vector<std::uint64_t> other_hash;  // per other id
};

Corpus read_corpus(const std::vector<std::string>& texts, const FeatureSpec& spec, int threads) {
    struct Local {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> words;
        std::vector<std::pair<std::size_t, std::size_t>> spans;  // per distinct word, in order: first occurrence
        std::vector<std::pair<std::uint64_t, std::uint32_t>> others;
    };
    // one document's distinct features (hashes, tf), in order of first occurrence
    auto scan_doc = [&](std::size_t i, Local& l) {
        Scratch& s = scratch();
        Collector handler(s, texts[i].size() / 4 + 64);
        if (!tm::scan_features(texts[i], spec, handler)) throw_invalid_utf8(texts[i]);  // checked before
        // sized for the occurrences (at least the distinct keys): a counter that grows
        // rehashes every key (Chinese text has about one n-gram a byte)
        s.words.reset(handler.words());
        s.others.reset(handler.features());
        s.words.add_all(s.word_keys.data(), s.word_tags.data(), handler.words());
        s.others.add_all(s.kept.data(), nullptr, handler.features());
        l.words.clear();
        l.spans.clear();
        l.others.clear();
        for (std::size_t k = 0; k < s.words.size(); ++k) {
            l.words.emplace_back(s.words.key(k), s.words.count(k));
            l.spans.emplace_back(s.words.tag(k) >> 32, s.words.tag(k) & 0xFFFFFFFFu);
        }
        for (std::size_t k = 0; k < s.others.size(); ++k) l.others.emplace_back(s.others.key(k), s.others.count(k));
    };
    Corpus c;
    c.docs.resize(texts.size());
    IdMap type_ids, gram_ids, other_ids;
    std::vector<char32_t> cps;
    c.types.gram_at.push_back(0);
    // ids of a document's other features (in document order: the same whatever the thread count)
    auto map_others = [&](const Local& l, Doc& d) {
        constexpr std::size_t kAhead = 8;  // the id map's look-ups are the reader's cache misses
        d.others.reserve(l.others.size());
        for (std::size_t k = 0; k < std::min(kAhead, l.others.size()); ++k) other_ids.prefetch(l.others[k].first);
        for (std::size_t k = 0; k < l.others.size(); ++k) {
            if (k + kAhead < l.others.size()) other_ids.prefetch(l.others[k + kAhead].first);
            const auto [h, tf] = l.others[k];
            const std::uint32_t o = other_ids.id(h);
            if (o >= c.other_hash.size()) c.other_hash.resize(2 * std::size_t{o} + 1024);
            c.other_hash[o] = h;  // as gram_hash
            d.others.emplace_back(o, tf);
        }
    };
    // dense ids in document order (the same whatever the thread count)
    auto map_doc = [&](std::size_t i, const Local& l) {
        Doc& d = c.docs[i];
        d.words.reserve(l.words.size());
        constexpr std::size_t kAhead = 8;  // the id maps' look-ups are the reader's cache misses
        for (std::size_t k = 0; k < std::min(kAhead, l.words.size()); ++k) type_ids.prefetch(l.words[k].first);
        for (std::size_t k = 0; k < l.words.size(); ++k) {
            if (k + kAhead < l.words.size()) type_ids.prefetch(l.words[k + kAhead].first);
            const std::uint32_t t = type_ids.id(l.words[k].first);
            if (t == c.types.hash.size()) {  // a new word type: its bracketed form and n-grams
                c.types.hash.push_back(l.words[k].first);
                const auto [wb, we] = l.spans[k];
                tm::bracketed_folded(std::string_view(texts[i]).substr(wb, we - wb), cps);
                c.types.br.emplace_back(cps.begin(), cps.end());
                tm::word_char_ngrams<false>(cps.data(), cps.size(), spec, [&](std::uint64_t g) {
                    const std::uint32_t gid = gram_ids.id(g);
                    if (gid >= c.gram_hash.size()) c.gram_hash.resize(2 * std::size_t{gid} + 1024);
                    c.gram_hash[gid] = g;  // rewrites the same key when it is not new: no branch
                    c.types.grams.push_back(gid);
                });
                c.types.gram_at.push_back(c.types.grams.size());
            }
            d.words.emplace_back(t, l.words[k].second);
        }
        map_others(l, d);
    };
    if (threads == 1 || texts.size() < 2) {  // one pass, one reused buffer
        Local l;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            scan_doc(i, l);
            map_doc(i, l);
        }
        c.gram_hash.resize(gram_ids.size());
        c.other_hash.resize(other_ids.size());
        return c;
    }
    // Several threads: the documents are scanned in parallel; the ids are given in document
    // order as above, but in two stages so that the new word types' bracketed forms and
    // n-gram hashes (most of a type's cost) are made in parallel: (1) the documents are
    // scanned on every thread while the calling thread gives the type and other ids,
    // document after document as the scans finish, noting where each new type first
    // occurs; (2) the new types' forms and n-gram hashes are made in parts on every thread
    // while the calling thread gives the n-grams' ids, part after part, type by type. The
    // ids are those of the one-pass reading.
    std::vector<Local> local(texts.size());
    std::vector<std::pair<std::size_t, std::pair<std::size_t, std::size_t>>> first_seen;  // per type: doc, span
    auto map_in_order = [&](std::size_t i) {
        const Local& l = local[i];
        Doc& d = c.docs[i];
        constexpr std::size_t kAhead = 8;  // (as map_doc: the look-ups are the cache misses)
        d.words.reserve(l.words.size());
        for (std::size_t k = 0; k < std::min(kAhead, l.words.size()); ++k) type_ids.prefetch(l.words[k].first);
        for (std::size_t k = 0; k < l.words.size(); ++k) {
            if (k + kAhead < l.words.size()) type_ids.prefetch(l.words[k + kAhead].first);
            const std::uint32_t t = type_ids.id(l.words[k].first);
            if (t == c.types.hash.size()) {
                c.types.hash.push_back(l.words[k].first);
                first_seen.emplace_back(i, l.spans[k]);
            }
            d.words.emplace_back(t, l.words[k].second);
        }
        map_others(l, d);
        local[i] = Local{};
    };
    produce_consume_in_order(texts.size(), threads, [&](std::size_t i) { scan_doc(i, local[i]); }, map_in_order);
    const std::size_t ntypes = first_seen.size();
    c.types.br.resize(ntypes);
    const std::size_t workers = thread_count(threads);
    const std::size_t parts = std::max<std::size_t>(1, std::min(4 * workers, ntypes / 512));
    struct Grams {
        std::vector<std::uint64_t> hash;  // the part's types' n-gram hashes, type after type
        std::vector<std::size_t> end;     // per type of the part: its end in hash
    };
    std::vector<Grams> grams(parts);
    auto make_part = [&](std::size_t p) {
        std::vector<char32_t> b;
        Grams& g = grams[p];
        for (std::size_t t = p * ntypes / parts; t < (p + 1) * ntypes / parts; ++t) {
            const auto [doc, span] = first_seen[t];
            tm::bracketed_folded(std::string_view(texts[doc]).substr(span.first, span.second - span.first), b);
            c.types.br[t].assign(b.begin(), b.end());
            tm::word_char_ngrams<false>(b.data(), b.size(), spec, [&](std::uint64_t h) { g.hash.push_back(h); });
            g.end.push_back(g.hash.size());
        }
    };
    auto ids_of_part = [&](std::size_t p) {  // (in part order: the one-pass reading's ids)
        Grams& g = grams[p];
        std::size_t q = 0;
        for (std::size_t k = 0; k < std::min<std::size_t>(8, g.hash.size()); ++k) gram_ids.prefetch(g.hash[k]);
        for (const std::size_t e : g.end) {
            for (; q < e; ++q) {
                if (q + 8 < g.hash.size()) gram_ids.prefetch(g.hash[q + 8]);
                const std::uint64_t h = g.hash[q];
                const std::uint32_t gid = gram_ids.id(h);
                if (gid >= c.gram_hash.size()) c.gram_hash.resize(2 * std::size_t{gid} + 1024);
                c.gram_hash[gid] = h;
                c.types.grams.push_back(gid);
            }
            c.types.gram_at.push_back(c.types.grams.size());
        }
        g = Grams{};
    };
    produce_consume_in_order(parts, threads, make_part, ids_of_part);
    c.gram_hash.resize(gram_ids.size());
    c.other_hash.resize(other_ids.size());
    return c;
}

/// The vocabulary of a subset of rows: sorted feature keys, idf, and the feature index of
/// every dense id of the corpus (npos: not kept).
struct Vocabulary {
    std::vector<std::uint64_t> keys;
    std::vector<float> idf;
    std::vector<std::uint32_t> of_type, of_gram, of_other;
};

/// Vocabulary (document frequency ≥ min_df over `rows`) and smoothed idf.
Vocabulary build_vocabulary(const Corpus& corpus, const std::vector<std::size_t>& rows, const TextModelOptions& opt) {
    constexpr std::uint32_t npos = FeatureTable::npos;
    const std::size_t nt = corpus.types.hash.size(), ng = corpus.gram_hash.size(), no = corpus.other_hash.size();
    std::vector<std::uint32_t> df_type(nt, 0), df_gram(ng, 0), df_other(no, 0), stamp(ng, 0);
    std::uint32_t doc = 0;
    for (std::size_t r : rows) {
        const Doc& d = corpus.docs[r];
        ++doc;
        for (const auto& wt : d.words) {
            const std::uint32_t t = wt.first;
            ++df_type[t];
            for (std::size_t q = corpus.types.gram_at[t]; q < corpus.types.gram_at[t + 1]; ++q) {
                const std::uint32_t g = corpus.types.grams[q];
                df_gram[g] += stamp[g] != doc;  // once a document, without a branch
                stamp[g] = doc;
            }
        }
        for (const auto& ot : d.others) ++df_other[ot.first];
    }
    // kept features: (key, document frequency, source: 0 type / 1 gram / 2 other, id)
    struct Kept {
        std::uint64_t key;
        std::uint32_t df;
        std::uint32_t src;  // kind << 30 | id
    };
    const auto min_df = static_cast<std::uint32_t>(opt.min_df);
    std::vector<Kept> kept;
    for (std::size_t t = 0; t < nt; ++t)
        if (df_type[t] >= min_df) kept.push_back({corpus.types.hash[t], df_type[t], static_cast<std::uint32_t>(t)});
    for (std::size_t g = 0; g < ng; ++g)
        if (df_gram[g] >= min_df) kept.push_back({corpus.gram_hash[g], df_gram[g], (1u << 30) | static_cast<std::uint32_t>(g)});
    for (std::size_t o = 0; o < no; ++o)
        if (df_other[o] >= min_df) kept.push_back({corpus.other_hash[o], df_other[o], (2u << 30) | static_cast<std::uint32_t>(o)});
    // by key: least-significant-digit radix sort, 11 bits a pass (no comparisons to
    // mispredict; stable, so a key shared by two kinds keeps the order types, grams, others)
    {
        std::vector<Kept> tmp(kept.size());
        std::vector<std::uint32_t> hist(2048);
        for (unsigned shift = 0; shift < 64; shift += 11) {
            std::fill(hist.begin(), hist.end(), 0);
            for (const Kept& k : kept) ++hist[(k.key >> shift) & 2047];
            std::uint32_t sum = 0;
            for (auto& h : hist) sum += std::exchange(h, sum);
            for (const Kept& k : kept) tmp[hist[(k.key >> shift) & 2047]++] = k;
            kept.swap(tmp);
        }
    }
    Vocabulary v;
    v.of_type.assign(nt, npos);
    v.of_gram.assign(ng, npos);
    v.of_other.assign(no, npos);
    v.keys.reserve(kept.size());
    v.idf.reserve(kept.size());
    const double n = static_cast<double>(rows.size());
    for (const Kept& k : kept) {
        // (a key shared by two kinds, a 64-bit hash collision, is one feature)
        if (v.keys.empty() || v.keys.back() != k.key) {
            v.keys.push_back(k.key);
            v.idf.push_back(opt.use_idf ? static_cast<float>(std::log((1.0 + n) / (1.0 + static_cast<double>(k.df))) + 1.0)
                                        : 1.0f);
        }
        const auto f = static_cast<std::uint32_t>(v.keys.size() - 1);
        const std::uint32_t id = k.src & ((1u << 30) - 1);
        (k.src >> 30 == 0 ? v.of_type : k.src >> 30 == 1 ? v.of_gram : v.of_other)[id] = f;
    }
    return v;
}

/// The normalised rows of `rows`, the word types (indices into corpus.types) that have at
/// least one vocabulary feature (those the model caches), and e_w of the word types used
/// (those of type t: entries[at[t], at[t + 1])).
Matrix build_matrix(const Corpus& corpus, const std::vector<std::size_t>& rows, const Vocabulary& voc,
                    const TextModelOptions& opt, std::vector<std::uint32_t>& cached_types, Entries& entries,
                    std::vector<std::size_t>& at) {
    constexpr std::uint32_t npos = FeatureTable::npos;
    const std::vector<float>& idf = voc.idf;
    const std::size_t ntypes = corpus.types.hash.size();
    // e_w of every word type used by these rows: its unigram, then its n-grams in order
    // (counted), as word_entries gives them at prediction
    std::vector<char> used(ntypes, 0);
    for (std::size_t r : rows)
        for (const auto& wt : corpus.docs[r].words) used[wt.first] = 1;
    entries.clear();
    at.assign(ntypes + 1, 0);
    std::vector<double> e2(ntypes, 0.0);
    cached_types.clear();
    for (std::size_t t = 0; t < ntypes; ++t) {
        at[t] = entries.size();
        if (!used[t]) continue;
        const std::size_t first = entries.size();
        if (const std::uint32_t u = voc.of_type[t]; u != npos) entries.emplace_back(u, idf[u]);
        for (std::size_t q = corpus.types.gram_at[t]; q < corpus.types.gram_at[t + 1]; ++q) {
            const std::uint32_t f = voc.of_gram[corpus.types.grams[q]];
            if (f == npos) continue;
            bool seen = false;
            for (std::size_t j = first; j < entries.size() && !seen; ++j)
                if (entries[j].first == f) {
                    entries[j].second += idf[f];
                    seen = true;
                }
            if (!seen) entries.emplace_back(f, idf[f]);
        }
        for (std::size_t j = first; j < entries.size(); ++j) e2[t] += static_cast<double>(entries[j].second) * entries[j].second;
        if (entries.size() > first) cached_types.push_back(static_cast<std::uint32_t>(t));
    }
    at[ntypes] = entries.size();
    Matrix m;
    m.features = voc.keys.size();
    // A row's features are gathered without branches on whether a feature was seen before
    // in the row or is in the vocabulary: the slot `sink` (idf 0) takes the other features
    // outside it, adding exactly 0 to the norm and nothing to the row.
    const auto sink = static_cast<std::uint32_t>(voc.keys.size());
    std::vector<float> idf_or_0(idf);
    idf_or_0.push_back(0.0f);
    // rows [b, e) of `rows` written to col / val from `pos` on (at most bound(b, e)
    // entries), each row's end to ends; returns the end (acc: zero, and left zero, one slot
    // per feature + the sink)
    auto bound = [&](std::size_t b, std::size_t e) {
        std::size_t n = 0;  // entries before merging: at least the non-zeros
        for (std::size_t k = b; k < e; ++k) {
            const Doc& d = corpus.docs[rows[k]];
            for (const auto& wt : d.words) n += at[wt.first + 1] - at[wt.first];
            n += d.others.size();
        }
        return n;
    };
    auto make_rows = [&](std::size_t b, std::size_t e, std::vector<double>& acc, std::uint32_t* col, float* val,
                         std::size_t pos, std::vector<std::size_t>& ends) {
        std::vector<std::uint32_t> touched;
        for (std::size_t k = b; k < e; ++k) {
            const Doc& d = corpus.docs[rows[k]];
            double norm2 = 0;
            std::size_t bound = d.others.size(), nt = 0;
            for (const auto& wt : d.words) bound += at[wt.first + 1] - at[wt.first];
            if (touched.size() < bound) touched.resize(2 * bound);
            for (const auto& [t, tf] : d.words) {
                const double a = tf_weight(tf, opt.sublinear_tf);
                norm2 += a * a * e2[t];
                for (std::size_t q = at[t]; q < at[t + 1]; ++q) {
                    const auto [f, v] = entries[q];
                    touched[nt] = f;
                    nt += acc[f] == 0;  // (a value in the row is never 0)
                    acc[f] += a * v;
                }
            }
            for (const auto& [o, tf] : d.others) {
                const std::uint32_t f0 = voc.of_other[o];
                const std::uint32_t f = f0 == npos ? sink : f0;
                const double v = tf_weight(tf, opt.sublinear_tf) * idf_or_0[f];
                norm2 += v * v;
                touched[nt] = f;
                nt += static_cast<std::size_t>(acc[f] == 0) & static_cast<std::size_t>(f != sink);
                acc[f] += v;
            }
            const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
            for (std::size_t j = 0; j < nt; ++j) {
                const std::uint32_t f = touched[j];
                col[pos] = f;
                val[pos] = static_cast<float>(acc[f] * inv);
                ++pos;
                acc[f] = 0;
            }
            ends.push_back(pos);
        }
        return pos;
    };
    // One part per thread (rows are independent).
    const std::size_t threads = thread_count(opt.threads);
    const std::size_t parts = std::max<std::size_t>(1, std::min(threads, rows.size() / 256));
    m.row.reserve(rows.size() + 1);
    m.row.push_back(0);
    // Each part writes its rows in place, from the sum of the earlier parts' bounds on; the
    // parts are then moved down in order to close the gaps (so the matrix is the same on any
    // thread count, and no part is copied from a buffer of its own).
    std::vector<std::size_t> start(parts + 1, 0);
    for (std::size_t p = 0; p < parts; ++p) start[p + 1] = start[p] + bound(p * rows.size() / parts, (p + 1) * rows.size() / parts);
    m.col.allocate(std::max<std::size_t>(start[parts], 1));
    m.val.allocate(std::max<std::size_t>(start[parts], 1));
    if (parts == 1) {
        std::vector<double> acc(voc.keys.size() + 1, 0.0);
        make_rows(0, rows.size(), acc, m.col.data(), m.val.data(), 0, m.row);
        return m;
    }
    std::vector<std::vector<std::size_t>> ends(parts);
    std::vector<std::size_t> stop(parts);
    parallel_for(parts, static_cast<int>(parts), [&](std::size_t p) {
        std::vector<double> acc(voc.keys.size() + 1, 0.0);
        stop[p] = make_rows(p * rows.size() / parts, (p + 1) * rows.size() / parts, acc, m.col.data(), m.val.data(), start[p],
                            ends[p]);
    });
    std::size_t end = 0;  // of the rows placed so far
    for (std::size_t p = 0; p < parts; ++p) {
        const std::size_t n = stop[p] - start[p];
        if (start[p] != end) {  // (memmove: the part moves down over its own gap)
            std::memmove(m.col.data() + end, m.col.data() + start[p], n * sizeof(std::uint32_t));
            std::memmove(m.val.data() + end, m.val.data() + start[p], n * sizeof(float));
        }
        for (const std::size_t e : ends[p]) m.row.push_back(e - start[p] + end);
        end += n;
    }
    return m;
}

/// Decision values of matrix row i under weights w (feature-major, nc a feature) and bias,
/// in double, summed in the row's order (the same values on any thread count); NC > 0: nc
/// known at compile time (the class loop unrolled).
template <std::size_t NC>
void row_decision_n(const Matrix& x, std::size_t i, const float* w, const float* bias, std::size_t nc_run, double* sc) {
    const std::size_t nc = NC ? NC : nc_run;
    for (std::size_t c = 0; c < nc; ++c) sc[c] = bias[c];
    for (std::size_t q = x.row[i]; q < x.row[i + 1]; ++q) {
        const float* const wf = w + static_cast<std::size_t>(x.col[q]) * nc;
        const double v = x.val[q];
        for (std::size_t c = 0; c < nc; ++c) sc[c] += wf[c] * v;
    }
}

void row_decision(const Matrix& x, std::size_t i, const float* w, const float* bias, std::size_t nc, double* sc) {
    switch (nc) {
        case 2: return row_decision_n<2>(x, i, w, bias, nc, sc);
        case 3: return row_decision_n<3>(x, i, w, bias, nc, sc);
        case 4: return row_decision_n<4>(x, i, w, bias, nc, sc);
        case 5: return row_decision_n<5>(x, i, w, bias, nc, sc);
        case 6: return row_decision_n<6>(x, i, w, bias, nc, sc);
        case 7: return row_decision_n<7>(x, i, w, bias, nc, sc);
        case 8: return row_decision_n<8>(x, i, w, bias, nc, sc);
        case 9: return row_decision_n<9>(x, i, w, bias, nc, sc);
        case 10: return row_decision_n<10>(x, i, w, bias, nc, sc);
        case 11: return row_decision_n<11>(x, i, w, bias, nc, sc);
        case 12: return row_decision_n<12>(x, i, w, bias, nc, sc);
        default: return row_decision_n<0>(x, i, w, bias, nc, sc);
    }
}

inline constexpr std::size_t kMaxGroup = 16;  ///< classes trained together (the registers hold their scores)

/// One-vs-rest binary L2-loss linear SVMs (each with a bias feature of value 1) for classes
/// [c0, c1), c1 - c0 ≤ 4·V, by dual coordinate descent (Hsieh et al. 2008, as liblinear),
/// trained together: the weights are float and feature-major, 4·V lanes per feature (unused
/// lanes stay 0), every pass visits the rows once in one seeded order, computes the row's
/// scores for all classes in one sweep of its features (the accumulators stay in registers)
/// and applies all classes' steps in another. `active` lists the rows to use; alphas may hold
/// a warm start (entries of inactive rows are ignored). Shrinking and the stopping rule
/// (projected-gradient spread ≤ tolerance, then one full pass to confirm) are per class, as
/// liblinear's. Lanes do not interact, so the result of a class does not depend on which
/// other classes share its group. Writes the group's columns of w_out: feature-major, nc
/// classes per feature, features + 1 rows (the last is the bias).
template <class Vec, std::size_t V>
[[gnu::always_inline]] inline void train_group(const Matrix& x, const std::vector<std::size_t>& active, const std::vector<std::size_t>& y,
                 std::size_t c0, std::size_t c1, const std::vector<double>& cost, std::vector<std::vector<double>>& alphas,
                 const TextModelOptions& opt, std::size_t nc, std::vector<float>& w_out) {
    constexpr std::size_t L = sizeof(Vec) / sizeof(float);
    constexpr std::size_t P = V * L;
    const std::size_t nf = x.features;
    const std::size_t k = c1 - c0;
    const std::size_t na = active.size();
    // 64-byte aligned float storage (a feature's weights never straddle more cache lines than
    // they must); vectors loaded and stored with memcpy
    struct alignas(64) Line {
        float f[16];
    };
    std::vector<Line> lines(((nf + 1) * P + 15) / 16, Line{});
    float* const w = lines.data()->f;
    float* const bias = w + nf * P;
    auto add_to = [](float* dst, const Vec* d, float v) {
        for (std::size_t j = 0; j < V; ++j) {
            Vec t;
            std::memcpy(&t, dst + j * L, sizeof t);
            t += d[j] * v;
            std::memcpy(dst + j * L, &t, sizeof t);
        }
    };
    auto to_vecs = [](const float (&a)[P], Vec (&out)[V]) {
        for (std::size_t j = 0; j < V; ++j) std::memcpy(&out[j], a + j * L, sizeof(Vec));
    };
    std::vector<double> qd(na), inv2c(na);
    for (std::size_t a = 0; a < na; ++a) {
        const std::size_t i = active[a];
        double sq = 1.0;  // the bias feature
        for (std::size_t q = x.row[i]; q < x.row[i + 1]; ++q) sq += static_cast<double>(x.val[q]) * x.val[q];
        inv2c[a] = 0.5 / cost[i];
        qd[a] = sq + inv2c[a];
        float d[P] = {};
        bool any = false;
        for (std::size_t c = 0; c < k; ++c) {
            const double al = alphas[c0 + c][i];
            d[c] = static_cast<float>(y[i] == c0 + c ? al : -al);
            any = any || al != 0;
        }
        if (!any) continue;
        Vec dv[V];
        to_vecs(d, dv);
        for (std::size_t q = x.row[i]; q < x.row[i + 1]; ++q)
            add_to(w + static_cast<std::size_t>(x.col[q]) * P, dv, x.val[q]);
        add_to(bias, dv, 1.0f);
    }
    // shrinking (as liblinear): a variable at 0 whose gradient exceeds the previous pass's
    // largest projected gradient is skipped until its class converges on the rest
    std::vector<unsigned char> shrunk(na * k, 0);
    std::vector<std::size_t> live(k, na);
    std::vector<double> pg_max_old(k, HUGE_VAL), pg_max(k), pg_min(k);
    std::vector<unsigned char> done(k, 0);
    std::vector<std::size_t> order(na);
    std::iota(order.begin(), order.end(), std::size_t{0});
    SeededRandom rng(opt.seed + 0x5EED);
    std::size_t remaining = k;
    for (int epoch = 0; epoch < opt.max_epochs && remaining > 0; ++epoch) {
        rng.shuffle(order);
        std::fill(pg_max.begin(), pg_max.end(), -HUGE_VAL);
        std::fill(pg_min.begin(), pg_min.end(), HUGE_VAL);
        for (const std::size_t a : order) {
            const std::size_t i = active[a];
            unsigned char* sh = shrunk.data() + a * k;
            bool any = false;
            for (std::size_t c = 0; c < k; ++c) any = any || (!done[c] && !sh[c]);
            if (!any) continue;
            const std::size_t r0 = x.row[i], r1 = x.row[i + 1];
            Vec acc[V];
            std::memcpy(acc, bias, sizeof acc);
            for (std::size_t q = r0; q < r1; ++q) {
                const float v = x.val[q];
                const float* wf = w + static_cast<std::size_t>(x.col[q]) * P;
                for (std::size_t j = 0; j < V; ++j) {
                    Vec t;
                    std::memcpy(&t, wf + j * L, sizeof t);
                    acc[j] += t * v;
                }
            }
            float dot[P], step[P] = {};
            for (std::size_t j = 0; j < V; ++j) std::memcpy(dot + j * L, &acc[j], sizeof(Vec));
            bool moved = false;
            for (std::size_t c = 0; c < k; ++c) {
                if (done[c] || sh[c]) continue;
                double& al = alphas[c0 + c][i];
                const double yi = y[i] == c0 + c ? 1.0 : -1.0;
                const double g = yi * dot[c] - 1.0 + al * inv2c[a];
                double pg = g;
                if (al == 0) {
                    if (g > pg_max_old[c]) {
                        sh[c] = 1;
                        --live[c];
                        continue;
                    }
                    pg = std::min(g, 0.0);
                }
                pg_max[c] = std::max(pg_max[c], pg);
                pg_min[c] = std::min(pg_min[c], pg);
                if (std::fabs(pg) > 1e-12) {
                    const double old = al;
                    al = std::max(old - g / qd[a], 0.0);
                    step[c] = static_cast<float>((al - old) * yi);
                    moved = moved || step[c] != 0;
                }
            }
            if (!moved) continue;
            Vec sv[V];
            to_vecs(step, sv);
            for (std::size_t q = r0; q < r1; ++q) add_to(w + static_cast<std::size_t>(x.col[q]) * P, sv, x.val[q]);
            add_to(bias, sv, 1.0f);
        }
        for (std::size_t c = 0; c < k; ++c) {
            if (done[c]) continue;
            if (pg_max[c] - pg_min[c] <= opt.tolerance) {
                if (live[c] == na) {
                    done[c] = 1;
                    --remaining;
                    continue;
                }
                for (std::size_t a = 0; a < na; ++a) shrunk[a * k + c] = 0;  // one full pass to confirm
                live[c] = na;
                pg_max_old[c] = HUGE_VAL;
                continue;
            }
            pg_max_old[c] = pg_max[c] <= 0 ? HUGE_VAL : pg_max[c];
        }
    }
    for (std::size_t f = 0; f <= nf; ++f)
        for (std::size_t c = 0; c < k; ++c) w_out[f * nc + c0 + c] = w[f * P + c];
}

#if defined(__x86_64__) && defined(__GNUC__)
/// Eight float lanes (AVX2): the same arithmetic lane by lane (no fused multiply-add), so
/// the model is the same bit for bit as with four lanes; used when the CPU has AVX2.
using Lanes8 = float __attribute__((vector_size(32)));
[[gnu::target("avx2")]] void train_group_avx2(const Matrix& x, const std::vector<std::size_t>& active,
                                              const std::vector<std::size_t>& y, std::size_t c0, std::size_t c1,
                                              const std::vector<double>& cost, std::vector<std::vector<double>>& alphas,
                                              const TextModelOptions& opt, std::size_t nc, std::vector<float>& w_out) {
    if (c1 - c0 <= 8) train_group<Lanes8, 1>(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
    else train_group<Lanes8, 2>(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
}
bool has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}
#endif

/// train_group with as few lanes as the group needs.
void train_group_any(const Matrix& x, const std::vector<std::size_t>& active, const std::vector<std::size_t>& y,
                     std::size_t c0, std::size_t c1, const std::vector<double>& cost,
                     std::vector<std::vector<double>>& alphas, const TextModelOptions& opt, std::size_t nc,
                     std::vector<float>& w_out) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (c1 - c0 > 4 && has_avx2()) return train_group_avx2(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
#endif
    switch ((c1 - c0 + kLanes - 1) / kLanes) {
        case 1: return train_group<Lanes, 1>(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
        case 2: return train_group<Lanes, 2>(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
        case 3: return train_group<Lanes, 3>(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
        default: return train_group<Lanes, 4>(x, active, y, c0, c1, cost, alphas, opt, nc, w_out);
    }
}

struct LabelIndex {
    std::vector<std::string> classes;
    std::vector<std::size_t> y;  // class per example
};

LabelIndex index_labels(const std::vector<std::string>& labels) {
    LabelIndex li;
    std::map<std::string, std::size_t> ids;
    for (const auto& l : labels) ids.emplace(l, 0);
    for (auto& [name, id] : ids) {
        id = li.classes.size();
        li.classes.push_back(name);
    }
    li.y.reserve(labels.size());
    for (const auto& l : labels) li.y.push_back(ids[l]);
    return li;
}

void check_training_input(const std::vector<std::string>& texts, const std::vector<std::string>& labels) {
    if (texts.size() != labels.size())
        throw Error(ErrorCode::invalid_argument, std::to_string(texts.size()) + " texts but " +
                                                     std::to_string(labels.size()) + " labels");
    if (texts.empty()) throw Error(ErrorCode::invalid_value, "the training set is empty");
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (texts[i].size() > 0xFFFFFFFFu)  // word spans are kept as 32-bit offsets
            throw Error(ErrorCode::invalid_value, "text " + std::to_string(i) + " is longer than 4 GiB",
                        "/" + std::to_string(i) + "/text");
        if (auto bad = utf8_invalid_offset(texts[i]))
            throw Error(ErrorCode::invalid_utf8, "text " + std::to_string(i) + " is not valid UTF-8 (byte " +
                                                     std::to_string(*bad) + ")", "/" + std::to_string(i) + "/text");
        if (labels[i].empty())
            throw Error(ErrorCode::invalid_value, "label " + std::to_string(i) + " is empty", "/" + std::to_string(i) + "/label");
        if (auto bad = utf8_invalid_offset(labels[i]))
            throw Error(ErrorCode::invalid_utf8, "label " + std::to_string(i) + " is not valid UTF-8 (byte " +
                                                     std::to_string(*bad) + ")", "/" + std::to_string(i) + "/label");
    }
    const std::string& first = labels.front();
    if (std::all_of(labels.begin(), labels.end(), [&](const std::string& l) { return l == first; }))
        throw Error(ErrorCode::invalid_value, "the training set has a single class (\"" + first +
                                                  "\"): a classifier needs at least two");
}

/// Stratified fold of each example: per class, a seeded shuffle dealt round-robin, each
/// class starting where the previous one stopped so that small classes spread over folds.
std::vector<std::size_t> stratified_folds(const std::vector<std::size_t>& y, std::size_t nclasses, std::size_t k,
                                          std::uint64_t seed) {
    std::vector<std::vector<std::size_t>> members(nclasses);
    for (std::size_t i = 0; i < y.size(); ++i) members[y[i]].push_back(i);
    std::vector<std::size_t> fold(y.size());
    SeededRandom rng(seed ^ 0xF01DF01DF01DULL);
    std::size_t next = 0;
    for (auto& m : members) {
        rng.shuffle(m);
        for (std::size_t j = 0; j < m.size(); ++j) fold[m[j]] = (next + j) % k;
        next = (next + m.size()) % k;
    }
    return fold;
}

std::vector<double> class_costs(const std::vector<std::size_t>& y, const std::vector<std::size_t>& rows, std::size_t nclasses,
                                const TextModelOptions& opt) {
    std::vector<double> cost(y.size(), opt.c);
    if (opt.class_weight == ClassWeighting::balanced) {
        std::vector<std::size_t> count(nclasses, 0);
        for (std::size_t r : rows) ++count[y[r]];
        std::size_t present = 0;
        for (auto n : count) present += n > 0;
        for (std::size_t r : rows)
            cost[r] = opt.c * static_cast<double>(rows.size()) / (static_cast<double>(present) * static_cast<double>(count[y[r]]));
    }
    return cost;
}

/// One-vs-rest weights over matrix rows `active` (indices into x, y); alphas per class (warm
/// start). With several threads, each trains a contiguous group of classes; the weights do not
/// depend on the grouping (nor on the thread count).
void train_ovr(const Matrix& x, const std::vector<std::size_t>& active, const std::vector<std::size_t>& y, std::size_t nclasses,
               const TextModelOptions& opt, std::vector<std::vector<double>>& alphas, std::vector<float>& w,
               const std::function<void()>& also = {}, bool also_heavy = false) {
    const std::vector<double> cost = class_costs(y, active, nclasses, opt);
    w.assign((x.features + 1) * nclasses, 0.0f);
    if (alphas.size() != nclasses) alphas.assign(nclasses, std::vector<double>(x.rows(), 0.0));
    const std::size_t threads = thread_count(opt.threads);
    // `also` (independent work of the caller's) is one more task: on several threads the
    // thread whose group finishes first takes it (the groups' times differ by more than it);
    // a heavy one (about a group's time or more) gets a thread of its own
    const std::size_t for_groups = also && also_heavy && threads > 1 ? threads - 1 : threads;
    const std::size_t groups = std::min(std::max(for_groups, (nclasses + kMaxGroup - 1) / kMaxGroup), nclasses);
    const std::size_t tasks = groups + (also ? 1 : 0);
    parallel_for(tasks, static_cast<int>(std::min(threads, tasks)), [&](std::size_t g) {
        if (g == groups) return also();
        train_group_any(x, active, y, g * nclasses / groups, (g + 1) * nclasses / groups, cost, alphas, opt, nclasses, w);
    });
}

/// Drops the features that no cached word's e_w includes (word bigrams, CJK n-grams) whose
/// largest |weight| × idf is below opt.prune, and renumbers the entries' features.
void prune_features(TextModel::Impl& m, Entries& entries, const std::vector<std::pair<std::size_t, std::size_t>>& word_ranges) {
    const std::size_t nf = m.keys.size(), nc = m.nc();
    std::vector<char> keep(nf, 0);
    for (const auto& [b, e] : word_ranges)
        for (std::size_t q = b; q < e; ++q) keep[entries[q].first] = 1;
    for (std::size_t f = 0; f < nf; ++f) {
        if (keep[f]) continue;
        float mx = 0;
        for (std::size_t c = 0; c < nc; ++c) mx = std::max(mx, std::fabs(m.weights[f * nc + c]));
        keep[f] = static_cast<double>(mx) * m.idf[f] >= m.opt.prune;
    }
    std::vector<std::uint32_t> renumber(nf);
    std::size_t kept = 0;
    for (std::size_t f = 0; f < nf; ++f) {
        renumber[f] = static_cast<std::uint32_t>(kept);
        if (!keep[f]) continue;
        m.keys[kept] = m.keys[f];
        m.idf[kept] = m.idf[f];
        std::copy_n(m.weights.begin() + static_cast<std::ptrdiff_t>(f * nc), nc, m.weights.begin() + static_cast<std::ptrdiff_t>(kept * nc));
        ++kept;
    }
    m.keys.resize(kept);
    m.idf.resize(kept);
    m.weights.resize(kept * nc);
    m.keys.shrink_to_fit();
    m.idf.shrink_to_fit();
    m.weights.shrink_to_fit();
    for (const auto& [b, e] : word_ranges)
        for (std::size_t q = b; q < e; ++q) entries[q].first = renumber[entries[q].first];
}

std::unique_ptr<TextModel::Impl> train_impl(const Corpus& corpus, const std::vector<std::size_t>& rows,
                                            const std::vector<std::size_t>& y_all, const std::vector<std::string>& classes,
                                            const TextModelOptions& opt) {
    auto m = std::make_unique<TextModel::Impl>();
    m->opt = opt;
    m->classes = classes;
    const std::size_t nc = classes.size();
    Vocabulary voc = build_vocabulary(corpus, rows, opt);
    std::vector<std::uint32_t> cached;
    Entries entries;
    std::vector<std::size_t> at;
    const Matrix x = build_matrix(corpus, rows, voc, opt, cached, entries, at);
    m->keys = std::move(voc.keys);
    m->idf = std::move(voc.idf);
    // the cached words, sorted, with their e_w (the prediction caches need not recompute them);
    // made while the solver runs (the model's words do not depend on its weights)
    std::vector<std::pair<std::size_t, std::size_t>> word_ranges;  // e_w of m->words[i] in entries
    auto cached_words = [&] {
        std::vector<std::pair<std::string, std::uint32_t>> sorted;
        sorted.reserve(cached.size());
        for (std::uint32_t t : cached) {
            const auto& br = corpus.types.br[t];
            sorted.emplace_back(utf8_of(br.data() + 1, br.size() - 2), t);
        }
        std::sort(sorted.begin(), sorted.end());
        word_ranges.reserve(sorted.size());
        m->words.reserve(sorted.size());
        for (auto& [word, t] : sorted) {
            m->words.push_back(std::move(word));
            word_ranges.emplace_back(at[t], at[t + 1]);
        }
    };
    std::vector<std::size_t> y(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) y[r] = y_all[rows[r]];
    std::vector<std::size_t> active(rows.size());
    std::iota(active.begin(), active.end(), std::size_t{0});
    std::vector<std::vector<double>> alphas;
    std::vector<float> w;
    train_ovr(x, active, y, nc, opt, alphas, w, cached_words);

    const std::size_t nf = m->keys.size();
    m->bias.assign(w.begin() + static_cast<std::ptrdiff_t>(nf * nc), w.end());
    w.resize(nf * nc);
    m->weights = std::move(w);

    // Calibration: one temperature fitted on the decision values of held-out rows (one of
    // calibration_folds stratified folds), from a model of the other rows warm-started from the
    // full model's dual variables (the held-out rows' variables dropped). One solver run: the
    // temperature is a single scalar, a third of the rows determine it well.
    // (The free approximate leave-one-out values s_c(x_i) - y_ic·alpha_ic·Q_ii were tried: far
    // too pessimistic for the squared hinge, expected calibration error 0.48 against 0.06.)
    bool finished = false;  // pruned, caches built
    auto finish_model = [&] {
        if (opt.prune > 0) prune_features(*m, entries, word_ranges);
        m->build_caches(&entries, &word_ranges);
        finished = true;
    };
    std::vector<double> scores;
    std::vector<std::size_t> truth;
    double spread_ratio = 1.0;  // the full model's spread of decision values over the fold model's
    if (opt.calibration_folds >= 2 && rows.size() >= static_cast<std::size_t>(opt.calibration_folds)) {
        const auto k = static_cast<std::size_t>(opt.calibration_folds);
        const std::vector<std::size_t> fold = stratified_folds(y, nc, k, opt.seed + 7);
        // The fold model only feeds one scalar (the temperature) and starts from the full
        // model's dual variables (the held-out rows' dropped), so one pass over the other rows
        // adjusts it: the temperatures stay within 2 % of those of a converged fold model
        // (CFPB sample), the expected calibration error is unchanged (0.060) or lower
        // (classify_eval 0.065 → 0.037). The weights are unaffected.
        TextModelOptions fold_opt = opt;
        fold_opt.max_epochs = 1;
        std::vector<std::size_t> train_rows, held;
        for (std::size_t i = 0; i < rows.size(); ++i) (fold[i] == 0 ? held : train_rows).push_back(i);
        if (!held.empty() && !train_rows.empty()) {
            // The full model, trained on more rows, has larger weights than the fold model and
            // spreads its decision values wider: a temperature fitted to the fold model's values
            // would make the full model's probabilities too sharp. So T is scaled by the ratio of
            // the two models' spreads on the same rows (every kSpreadStride-th of the fold model's
            // training rows, which both models were trained on): the root mean square of each
            // row's values about their mean (≈ 1.02–1.06; the calibration errors it saves are in
            // docs/textmodel.md).
            constexpr std::size_t kSpreadStride = 8;
            constexpr std::size_t kBlock = 32;
            std::vector<std::size_t> sample;
            for (std::size_t r = 0; r < train_rows.size(); r += kSpreadStride) sample.push_back(train_rows[r]);
            const std::size_t sample_blocks = (sample.size() + kBlock - 1) / kBlock;
            // squared spreads of the sample's block sb
            auto spread_of = [&](const float* w, const float* bias, std::size_t sb) {
                std::vector<double> sc(nc);
                double sum = 0;
                for (std::size_t j = sb * kBlock; j < std::min(sample.size(), (sb + 1) * kBlock); ++j) {
                    row_decision(x, sample[j], w, bias, nc, sc.data());
                    double mean = 0;
                    for (std::size_t c = 0; c < nc; ++c) mean += sc[c];
                    mean /= static_cast<double>(nc);
                    for (std::size_t c = 0; c < nc; ++c) sum += (sc[c] - mean) * (sc[c] - mean);
                }
                return sum;
            };
            std::vector<double> spread_full(sample_blocks, 0.0), spread_fold(sample_blocks, 0.0);
            // beside the fold model's solver (on several threads, on a thread of its own): the
            // full model's spreads, then its pruning and prediction caches (which change its
            // weights, and need neither the fold model nor the temperature)
            auto full_spreads_and_caches = [&] {
                for (std::size_t sb = 0; sb < sample_blocks; ++sb) spread_full[sb] = spread_of(m->weights.data(), m->bias.data(), sb);
                finish_model();
            };
            std::vector<std::vector<double>> a2 = std::move(alphas);
            std::vector<float> w2;
            train_ovr(x, train_rows, y, nc, fold_opt, a2, w2, full_spreads_and_caches, true);
            // the held-out rows' decision values and the fold model's spreads, in blocks of rows
            // on every thread (the blocks' spreads added in block order below)
            const std::size_t nh = held.size();
            scores.assign(nh * nc, 0.0);
            truth.resize(nh);
            const std::size_t held_blocks = (nh + kBlock - 1) / kBlock;
            const float* const bias2 = w2.data() + nf * nc;
            parallel_for(held_blocks + sample_blocks, opt.threads, [&](std::size_t b) {
                if (b >= held_blocks) {
                    spread_fold[b - held_blocks] = spread_of(w2.data(), bias2, b - held_blocks);
                    return;
                }
                for (std::size_t h = b * kBlock; h < std::min(nh, (b + 1) * kBlock); ++h) {
                    row_decision(x, held[h], w2.data(), bias2, nc, scores.data() + h * nc);
                    truth[h] = y[held[h]];
                }
            });
            double full = 0, fold_spread = 0;
            for (std::size_t sb = 0; sb < sample_blocks; ++sb) {
                full += spread_full[sb];
                fold_spread += spread_fold[sb];
            }
            if (full > 0 && fold_spread > 0) spread_ratio = std::sqrt(full / fold_spread);
        }
    }
    if (!truth.empty()) m->temperature = tm::fit_temperature(scores, truth, nc) * spread_ratio;
    if (!finished) finish_model();
    return m;
}

}  // namespace

// ---------------------------------------------------------------- TextModel

TextModel::TextModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TextModel::TextModel(TextModel&&) noexcept = default;
TextModel& TextModel::operator=(TextModel&&) noexcept = default;
TextModel::~TextModel() = default;

TextModel TextModel::train(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                           const TextModelOptions& options) {
    options.validate();
    check_training_input(texts, labels);
    const LabelIndex li = index_labels(labels);
    const Corpus corpus = read_corpus(texts, FeatureSpec::of(options), options.threads);
    std::vector<std::size_t> rows(texts.size());
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    return TextModel(train_impl(corpus, rows, li.y, li.classes, options));
}

TextModel TextModel::train(const std::vector<LabelledText>& examples, const TextModelOptions& options) {
    std::vector<std::string> texts, labels;
    texts.reserve(examples.size());
    labels.reserve(examples.size());
    for (const auto& e : examples) {
        texts.push_back(e.text);
        labels.push_back(e.label);
    }
    return train(texts, labels, options);
}

CrossValidation TextModel::cross_validate(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                                          std::size_t folds, const TextModelOptions& options) {
    options.validate();
    check_training_input(texts, labels);
    if (folds < 2) throw Error(ErrorCode::invalid_argument, "cross-validation needs at least 2 folds");
    if (folds > texts.size())
        throw Error(ErrorCode::invalid_value, "cross-validation with " + std::to_string(folds) + " folds needs at least " +
                                                  std::to_string(folds) + " examples, got " + std::to_string(texts.size()));
    const LabelIndex li = index_labels(labels);
    const std::size_t nc = li.classes.size();
    TextModelOptions fold_opt = options;
    fold_opt.calibration_folds = 0;  // predictions only: the temperature does not change the argmax

    CrossValidation cv;
    cv.folds = folds;
    cv.classes = li.classes;
    cv.confusion.assign(nc, std::vector<std::size_t>(nc, 0));
    cv.predicted.assign(texts.size(), 0);
    const auto fold = stratified_folds(li.y, nc, folds, options.seed);
    using clock = std::chrono::steady_clock;
    for (std::size_t f = 0; f < folds; ++f) {
        std::vector<std::size_t> train_rows, test_rows;
        for (std::size_t i = 0; i < texts.size(); ++i) (fold[i] == f ? test_rows : train_rows).push_back(i);
        // A fold whose training part lacks a class still trains (that class is never predicted),
        // unless only one class is left.
        std::vector<std::size_t> present;
        for (std::size_t r : train_rows) present.push_back(li.y[r]);
        std::sort(present.begin(), present.end());
        present.erase(std::unique(present.begin(), present.end()), present.end());
        const auto t0 = clock::now();
        std::vector<std::string> tr_texts, tr_labels;
        tr_texts.reserve(train_rows.size());
        for (std::size_t r : train_rows) {
            tr_texts.push_back(texts[r]);
            tr_labels.push_back(labels[r]);
        }
        if (present.size() < 2)
            throw Error(ErrorCode::invalid_value, "fold " + std::to_string(f) + " has a single class to train on");
        const TextModel model = train(tr_texts, tr_labels, fold_opt);
        const auto t1 = clock::now();
        std::vector<std::string_view> views;
        for (std::size_t r : test_rows) views.emplace_back(texts[r]);
        const auto pred = model.predict_batch(views, 1);
        std::vector<std::size_t> to_global;
        for (const auto& name : model.classes())
            to_global.push_back(static_cast<std::size_t>(
                std::lower_bound(li.classes.begin(), li.classes.end(), name) - li.classes.begin()));
        const auto t2 = clock::now();
        cv.train_seconds += std::chrono::duration<double>(t1 - t0).count();
        cv.predict_seconds += std::chrono::duration<double>(t2 - t1).count();
        std::size_t right = 0;
        for (std::size_t j = 0; j < test_rows.size(); ++j) {
            const std::size_t p = to_global[pred[j].cls];
            const std::size_t t = li.y[test_rows[j]];
            cv.predicted[test_rows[j]] = p;
            ++cv.confusion[t][p];
            right += p == t;
        }
        cv.fold_accuracy.push_back(test_rows.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(test_rows.size()));
    }
    std::size_t right = 0;
    cv.precision.assign(nc, 0);
    cv.recall.assign(nc, 0);
    cv.f1.assign(nc, 0);
    cv.support.assign(nc, 0);
    for (std::size_t c = 0; c < nc; ++c) {
        std::size_t tp = cv.confusion[c][c], pred_c = 0, true_c = 0;
        for (std::size_t o = 0; o < nc; ++o) {
            pred_c += cv.confusion[o][c];
            true_c += cv.confusion[c][o];
        }
        right += tp;
        cv.support[c] = true_c;
        cv.precision[c] = pred_c ? static_cast<double>(tp) / static_cast<double>(pred_c) : 0.0;
        cv.recall[c] = true_c ? static_cast<double>(tp) / static_cast<double>(true_c) : 0.0;
        const double pr = cv.precision[c] + cv.recall[c];
        cv.f1[c] = pr > 0 ? 2 * cv.precision[c] * cv.recall[c] / pr : 0.0;
    }
    cv.accuracy = static_cast<double>(right) / static_cast<double>(texts.size());
    cv.macro_f1 = std::accumulate(cv.f1.begin(), cv.f1.end(), 0.0) / static_cast<double>(nc);
    return cv;
}

const std::vector<std::string>& TextModel::classes() const noexcept { return impl_->classes; }

std::optional<std::size_t> TextModel::class_index(std::string_view label) const noexcept {
    const auto& c = impl_->classes;
    auto it = std::lower_bound(c.begin(), c.end(), label, [](const std::string& a, std::string_view b) { return a < b; });
    if (it == c.end() || *it != label) return std::nullopt;
    return static_cast<std::size_t>(it - c.begin());
}

const TextModelOptions& TextModel::options() const noexcept { return impl_->opt; }
std::size_t TextModel::feature_count() const noexcept { return impl_->keys.size(); }
double TextModel::temperature() const noexcept { return impl_->temperature; }

std::size_t TextModel::memory_bytes() const noexcept {
    const Impl& m = *impl_;
    std::size_t b = sizeof(Impl) + m.keys.capacity() * 8 + m.idf.capacity() * 4 + m.weights.capacity() * 4 +
                    m.bias.capacity() * 4 + m.table.memory_bytes() + m.word_records.memory_bytes() +
                    m.feature_records.memory_bytes();
    for (const auto& c : m.classes) b += c.capacity() + sizeof(std::string);
    for (const auto& w : m.words) b += w.capacity() + sizeof(std::string);
    return b;
}

std::vector<double> TextModel::decision_function(std::string_view text) const {
    std::vector<double> s(impl_->nc());
    decision(*impl_, text, s.data());
    return s;
}

std::vector<double> TextModel::predict_proba(std::string_view text) const {
    const std::vector<double> s = decision_function(text);
    std::vector<double> p(s.size());
    softmax(s.data(), s.size(), impl_->temperature, p.data());
    return p;
}

std::vector<ClassScore> TextModel::top_k(std::string_view text, std::size_t k) const {
    const std::vector<double> s = decision_function(text);
    std::vector<double> p(s.size());
    softmax(s.data(), s.size(), impl_->temperature, p.data());
    std::vector<ClassScore> all(s.size());
    for (std::size_t c = 0; c < s.size(); ++c) all[c] = ClassScore{c, p[c], s[c]};
    std::stable_sort(all.begin(), all.end(), [](const ClassScore& a, const ClassScore& b) { return a.score > b.score; });
    all.resize(std::min(k, all.size()));
    return all;
}

namespace {
/// top_k(text, 1).front() without its vectors and sort: the first class of highest score,
/// with its calibrated probability (per-thread buffers).
ClassScore best_class(const TextModel::Impl& m, std::string_view text) {
    const std::size_t nc = m.nc();
    thread_local std::vector<double> s, p;
    s.resize(nc);
    p.resize(nc);
    decision(m, text, s.data());
    softmax(s.data(), nc, m.temperature, p.data());
    std::size_t best = 0;
    for (std::size_t c = 1; c < nc; ++c)
        if (s[c] > s[best]) best = c;
    return ClassScore{best, p[best], s[best]};
}
}  // namespace

ClassScore TextModel::predict(std::string_view text) const { return best_class(*impl_, text); }

Explanation TextModel::explain(std::string_view text, std::size_t k, std::size_t features) const {
    Explanation e;
    e.top = top_k(text, std::max<std::size_t>(k, 1));
    const Impl& m = *impl_;
    const std::size_t c = e.top.front().cls;
    e.bias = m.bias[c];
    // The document vector with its feature names (slow path, explain only).
    for (const auto& [f, vn] : named_vector(m, text))
        e.contributions.push_back({vn.second, vn.first * m.weights[static_cast<std::size_t>(f) * m.nc() + c]});
    std::stable_sort(e.contributions.begin(), e.contributions.end(),
                     [](const FeatureContribution& a, const FeatureContribution& b) { return a.weight > b.weight; });
    if (e.contributions.size() > features) e.contributions.resize(features);
    e.top.resize(std::min(k, e.top.size()));
    return e;
}

std::vector<ClassScore> TextModel::predict_batch(const std::vector<std::string_view>& texts, unsigned threads) const {
    std::vector<ClassScore> out(texts.size());
    parallel_for(texts.size(), static_cast<int>(threads), [&](std::size_t i) {
        try {
            out[i] = best_class(*impl_, texts[i]);
        } catch (const Error& e) {
            throw Error(e.code(), "text " + std::to_string(i) + ": " + e.message(), "/" + std::to_string(i));
        }
    });
    return out;
}

void TextModel::predict_proba_batch(const std::vector<std::string_view>& texts, double* out, unsigned threads) const {
    const std::size_t nc = impl_->nc();
    parallel_for(texts.size(), static_cast<int>(threads), [&](std::size_t i) {
        thread_local std::vector<double> s;
        s.resize(nc);
        try {
            decision(*impl_, texts[i], s.data());
        } catch (const Error& e) {
            throw Error(e.code(), "text " + std::to_string(i) + ": " + e.message(), "/" + std::to_string(i));
        }
        softmax(s.data(), nc, impl_->temperature, out + i * nc);
    });
}

// ---------------------------------------------------------------- calibration

namespace tm {
double fit_temperature(const std::vector<double>& scores, const std::vector<std::size_t>& y, std::size_t nc) {
    const std::size_t n = y.size();
    if (n == 0) return 1.0;
    const double eps = 1.0 / (static_cast<double>(n) + 2.0);
    // The scores relative to each row's maximum, and the smoothed target score of each row
    // (Platt: targets never exactly 0 / 1), computed once.
    std::vector<double> d(n * nc), target(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const double* s = scores.data() + i * nc;
        double mx = s[0];
        for (std::size_t c = 1; c < nc; ++c) mx = std::max(mx, s[c]);
        for (std::size_t c = 0; c < nc; ++c) {
            d[i * nc + c] = s[c] - mx;
            target[i] += (c == y[i] ? 1.0 - eps : eps / static_cast<double>(nc - 1)) * d[i * nc + c];
        }
    }
    // NLL(beta) = sum_i log sum_c exp(beta d_ic) - beta t_i is convex in beta = 1/T: its first
    // and second derivatives (sum_i E[d_i] - t_i, sum_i Var[d_i]) in one pass.
    auto derivatives = [&](double beta, double& g, double& h) {
        g = h = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double* di = d.data() + i * nc;
            double z = 0, m1 = 0, m2 = 0;
            for (std::size_t c = 0; c < nc; ++c) {
                const double e = std::exp(beta * di[c]);
                z += e;
                m1 += e * di[c];
                m2 += e * di[c] * di[c];
            }
            m1 /= z;
            g += m1 - target[i];
            h += m2 / z - m1 * m1;
        }
    };
    // Safeguarded Newton on beta in [0.01, 1000] (T in [0.001, 100]): a step that leaves the
    // bracket the derivative's signs keep, or a flat curvature, bisects it (geometrically)
    // instead. About eight evaluations, the bracket's two ends included (golden-section search
    // took 62).
    double lo = 0.01, hi = 1000.0, g = 0, h = 0;
    derivatives(lo, g, h);
    if (g >= 0) return 1.0 / lo;
    derivatives(hi, g, h);
    if (g <= 0) return 1.0 / hi;
    double beta = 1.0;
    for (int it = 0; it < 100; ++it) {
        derivatives(beta, g, h);
        if (g > 0) hi = beta;
        else if (g < 0) lo = beta;
        else break;
        double next = h > 0 ? beta - g / h : 0.0;
        if (!(next > lo && next < hi)) next = std::sqrt(lo * hi);
        const bool converged = std::fabs(next - beta) <= 1e-12 * beta;
        beta = next;
        if (converged || hi - lo <= 1e-12 * hi) break;
    }
    return 1.0 / beta;
}
}  // namespace tm

}  // namespace ck
