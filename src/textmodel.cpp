// complaintkit — the trainable text classifier: training, prediction, cross-validation.
#include "textmodel_impl.hpp"

#include <complaintkit/error.hpp>
#include <complaintkit/normalize.hpp>
#include <complaintkit/textmodel.hpp>
#include <complaintkit/utf8.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <thread>

namespace ck {

using tm::FeatureSpec;
using tm::FeatureTable;
using tm::KeyCounter;
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

namespace {

struct Scratch {
    std::vector<char32_t> cps;
    KeyCounter counter;
    std::vector<std::pair<std::uint32_t, float>> feats;
};

Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

/// Hashes and counts the features of a (valid UTF-8) text into s.counter.
void count_features(std::string_view text, const FeatureSpec& spec, Scratch& s) {
    const std::string norm = normalize_text(text);
    s.counter.reset(norm.size() * 2 + 16);
    tm::extract_features<false>(norm, spec, s.cps, [&](std::uint64_t h) { s.counter.add(h); });
}

double tf_weight(std::uint32_t tf, bool sublinear) { return sublinear ? 1.0 + std::log(static_cast<double>(tf)) : tf; }

/// The model's (feature id, value) pairs of a text, L2-normalised.
void vectorize(const TextModel::Impl& m, std::string_view text, Scratch& s) {
    count_features(text, FeatureSpec::of(m.opt), s);
    s.feats.clear();
    double norm2 = 0;
    for (std::size_t i = 0; i < s.counter.size(); ++i) {
        const std::uint32_t f = m.table.find(s.counter.key(i));
        if (f == FeatureTable::npos) continue;
        const double v = tf_weight(s.counter.count(i), m.opt.sublinear_tf) * m.idf[f];
        norm2 += v * v;
        s.feats.emplace_back(f, static_cast<float>(v));
    }
    if (norm2 > 0) {
        const float inv = static_cast<float>(1.0 / std::sqrt(norm2));
        for (auto& fv : s.feats) fv.second *= inv;
    }
}

void decision(const TextModel::Impl& m, std::string_view text, double* out) {
    if (auto bad = utf8_invalid_offset(text))
        throw Error(ErrorCode::invalid_utf8, "text is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    Scratch& s = scratch();
    vectorize(m, text, s);
    const std::size_t nc = m.nc();
    for (std::size_t c = 0; c < nc; ++c) out[c] = m.bias[c];
    for (const auto& [f, v] : s.feats) {
        const float* w = m.weights.data() + static_cast<std::size_t>(f) * nc;
        for (std::size_t c = 0; c < nc; ++c) out[c] += static_cast<double>(v) * w[c];
    }
}

void softmax(const double* scores, std::size_t n, double temperature, double* out) {
    double mx = scores[0];
    for (std::size_t c = 1; c < n; ++c) mx = std::max(mx, scores[c]);
    double sum = 0;
    for (std::size_t c = 0; c < n; ++c) sum += (out[c] = std::exp((scores[c] - mx) / temperature));
    for (std::size_t c = 0; c < n; ++c) out[c] /= sum;
}

template <class F> void parallel_for(std::size_t n, int threads, F&& f) {
    unsigned t = threads <= 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<unsigned>(threads);
    t = static_cast<unsigned>(std::min<std::size_t>(t, n));
    if (t <= 1) {
        for (std::size_t i = 0; i < n; ++i) f(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    auto work = [&] {
        try {
            for (std::size_t i; !failed && (i = next.fetch_add(1)) < n;) f(i);
        } catch (...) {
            if (!failed.exchange(true)) error = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned k = 1; k < t; ++k) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

// ---------------------------------------------------------------- training

/// Documents as sparse rows over the training vocabulary.
struct Matrix {
    std::vector<std::size_t> row;  // n + 1
    std::vector<std::uint32_t> col;
    std::vector<float> val;
    std::size_t features = 0;
    [[nodiscard]] std::size_t rows() const { return row.size() - 1; }
};

/// Per-document counted feature hashes (each hash once, in first-seen order).
using DocCounts = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

std::vector<DocCounts> count_documents(const std::vector<std::string>& texts, const FeatureSpec& spec, int threads) {
    std::vector<DocCounts> docs(texts.size());
    parallel_for(texts.size(), threads, [&](std::size_t i) {
        Scratch& s = scratch();
        count_features(texts[i], spec, s);
        DocCounts& d = docs[i];
        d.reserve(s.counter.size());
        for (std::size_t k = 0; k < s.counter.size(); ++k) d.emplace_back(s.counter.key(k), s.counter.count(k));
    });
    return docs;
}

/// Builds the vocabulary (df ≥ min_df over `rows`), idf, and the normalised matrix of all docs.
void build_vocabulary(const std::vector<DocCounts>& docs, const std::vector<std::size_t>& rows,
                      const TextModelOptions& opt, std::vector<std::uint64_t>& keys, std::vector<float>& idf) {
    // document frequency of every hash (each appears once per document)
    KeyCounter df;
    std::size_t total = 0;
    for (std::size_t r : rows) total += docs[r].size();
    df.reset(total / 2 + 16);
    for (std::size_t r : rows)
        for (const auto& kv : docs[r]) df.add(kv.first);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> kept;
    for (std::size_t i = 0; i < df.size(); ++i)
        if (df.count(i) >= static_cast<std::uint32_t>(opt.min_df)) kept.emplace_back(df.key(i), df.count(i));
    std::sort(kept.begin(), kept.end());
    keys.clear();
    idf.clear();
    keys.reserve(kept.size());
    idf.reserve(kept.size());
    const double n = static_cast<double>(rows.size());
    for (const auto& [key, d] : kept) {
        keys.push_back(key);
        idf.push_back(opt.use_idf ? static_cast<float>(std::log((1.0 + n) / (1.0 + static_cast<double>(d))) + 1.0) : 1.0f);
    }
}

Matrix build_matrix(const std::vector<DocCounts>& docs, const std::vector<std::size_t>& rows,
                    const std::vector<std::uint64_t>& keys, const std::vector<float>& idf, bool sublinear) {
    Matrix m;
    const FeatureTable table(keys);
    m.features = keys.size();
    m.row.reserve(rows.size() + 1);
    m.row.push_back(0);
    for (std::size_t r : rows) {
        const DocCounts& d = docs[r];
        const std::size_t start = m.col.size();
        double norm2 = 0;
        for (const auto& [h, tf] : d) {
            const std::uint32_t f = table.find(h);
            if (f == FeatureTable::npos) continue;
            const double v = tf_weight(tf, sublinear) * idf[f];
            norm2 += v * v;
            m.col.push_back(f);
            m.val.push_back(static_cast<float>(v));
        }
        if (norm2 > 0) {
            const double inv = 1.0 / std::sqrt(norm2);
            for (std::size_t k = start; k < m.val.size(); ++k) m.val[k] = static_cast<float>(m.val[k] * inv);
        }
        m.row.push_back(m.col.size());
    }
    return m;
}

/// One binary L2-loss linear SVM (with a bias feature of value 1) by dual coordinate descent
/// (Hsieh et al. 2008, as liblinear). `active` lists the rows to use; alpha may hold a warm
/// start (its entries for inactive rows are ignored). Returns w (features + 1 for the bias).
std::vector<double> train_binary(const Matrix& x, const std::vector<std::size_t>& active, const std::vector<signed char>& y,
                                 const std::vector<double>& cost, std::vector<double>& alpha, const TextModelOptions& opt,
                                 std::uint64_t seed) {
    const std::size_t nf = x.features;
    std::vector<double> w(nf + 1, 0.0);
    std::vector<double> qd(active.size());
    for (std::size_t a = 0; a < active.size(); ++a) {
        const std::size_t i = active[a];
        double sq = 1.0;  // the bias feature
        for (std::size_t k = x.row[i]; k < x.row[i + 1]; ++k) sq += static_cast<double>(x.val[k]) * x.val[k];
        qd[a] = sq + 0.5 / cost[i];
        if (alpha[i] != 0) {
            const double d = alpha[i] * y[i];
            for (std::size_t k = x.row[i]; k < x.row[i + 1]; ++k) w[x.col[k]] += d * x.val[k];
            w[nf] += d;
        }
    }
    std::vector<std::size_t> order(active.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    SeededRandom rng(seed);
    for (int epoch = 0; epoch < opt.max_epochs; ++epoch) {
        rng.shuffle(order);
        double pg_max = -HUGE_VAL, pg_min = HUGE_VAL;
        for (std::size_t a : order) {
            const std::size_t i = active[a];
            const double yi = y[i];
            double dot = w[nf];
            for (std::size_t k = x.row[i]; k < x.row[i + 1]; ++k) dot += w[x.col[k]] * x.val[k];
            const double g = yi * dot - 1.0 + alpha[i] * (0.5 / cost[i]);
            const double pg = alpha[i] == 0 ? std::min(g, 0.0) : g;
            pg_max = std::max(pg_max, pg);
            pg_min = std::min(pg_min, pg);
            if (std::fabs(pg) > 1e-12) {
                const double old = alpha[i];
                alpha[i] = std::max(old - g / qd[a], 0.0);
                const double d = (alpha[i] - old) * yi;
                for (std::size_t k = x.row[i]; k < x.row[i + 1]; ++k) w[x.col[k]] += d * x.val[k];
                w[nf] += d;
            }
        }
        if (pg_max - pg_min <= opt.tolerance) break;
    }
    return w;
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

/// One-vs-rest weights over matrix rows `active` (indices into x, y); alphas per class (warm start).
void train_ovr(const Matrix& x, const std::vector<std::size_t>& active, const std::vector<std::size_t>& y, std::size_t nclasses,
               const TextModelOptions& opt, std::vector<std::vector<double>>& alphas, std::vector<std::vector<double>>& w) {
    std::vector<double> cost = class_costs(y, active, nclasses, opt);
    w.assign(nclasses, {});
    if (alphas.size() != nclasses) alphas.assign(nclasses, std::vector<double>(x.rows(), 0.0));
    parallel_for(nclasses, opt.threads, [&](std::size_t c) {
        std::vector<signed char> yy(x.rows());
        for (std::size_t i = 0; i < x.rows(); ++i) yy[i] = y[i] == c ? 1 : -1;
        w[c] = train_binary(x, active, yy, cost, alphas[c], opt, opt.seed + 0x1000 * (c + 1));
    });
}

/// Temperature minimising the cross-entropy of held-out decision values against Platt-smoothed
/// targets (1 - 1/(n+2) for the true class), so that separable data gives a finite temperature.
double fit_temperature(const std::vector<double>& scores, const std::vector<std::size_t>& y, std::size_t nc) {
    const std::size_t n = y.size();
    if (n == 0) return 1.0;
    const double eps = 1.0 / (static_cast<double>(n) + 2.0);
    auto nll = [&](double log_beta) {
        const double beta = std::exp(log_beta);
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double* s = scores.data() + i * nc;
            double mx = s[0];
            for (std::size_t c = 1; c < nc; ++c) mx = std::max(mx, s[c]);
            double sum = 0;
            for (std::size_t c = 0; c < nc; ++c) sum += std::exp(beta * (s[c] - mx));
            double target = 0;  // smoothed target scores (Platt): never exactly 0 / 1
            for (std::size_t c = 0; c < nc; ++c) target += (c == y[i] ? 1.0 - eps : eps / static_cast<double>(nc - 1)) * (s[c] - mx);
            total += std::log(sum) - beta * target;
        }
        return total;
    };
    // NLL is convex in beta = 1/T; golden-section search on log beta in [ln 0.01, ln 1000].
    double a = std::log(0.01), b = std::log(1000.0);
    const double g = (std::sqrt(5.0) - 1) / 2;
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = nll(x1), f2 = nll(x2);
    for (int it = 0; it < 60; ++it) {
        if (f1 < f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = nll(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = nll(x2);
        }
    }
    return 1.0 / std::exp((a + b) / 2);
}

std::unique_ptr<TextModel::Impl> train_impl(const std::vector<DocCounts>& docs, const std::vector<std::size_t>& rows,
                                            const std::vector<std::size_t>& y_all, const std::vector<std::string>& classes,
                                            const TextModelOptions& opt) {
    auto m = std::make_unique<TextModel::Impl>();
    m->opt = opt;
    m->classes = classes;
    const std::size_t nc = classes.size();
    build_vocabulary(docs, rows, opt, m->keys, m->idf);
    const Matrix x = build_matrix(docs, rows, m->keys, m->idf, opt.sublinear_tf);
    std::vector<std::size_t> y(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) y[r] = y_all[rows[r]];
    std::vector<std::size_t> active(rows.size());
    std::iota(active.begin(), active.end(), std::size_t{0});
    std::vector<std::vector<double>> alphas, w;
    train_ovr(x, active, y, nc, opt, alphas, w);

    const std::size_t nf = m->keys.size();
    m->weights.assign(nf * nc, 0.0f);
    m->bias.assign(nc, 0.0f);
    for (std::size_t c = 0; c < nc; ++c) {
        for (std::size_t f = 0; f < nf; ++f) m->weights[f * nc + c] = static_cast<float>(w[c][f]);
        m->bias[c] = static_cast<float>(w[c][nf]);
    }

    // Calibration: held-out decision values from fold models warm-started from the full
    // model's dual variables (the held-out rows' variables removed), then one temperature.
    if (opt.calibration_folds >= 2 && rows.size() >= static_cast<std::size_t>(opt.calibration_folds)) {
        const auto k = static_cast<std::size_t>(opt.calibration_folds);
        const std::vector<std::size_t> fold = stratified_folds(y, nc, k, opt.seed + 7);
        std::vector<double> scores;
        std::vector<std::size_t> truth;
        for (std::size_t f = 0; f < k; ++f) {
            std::vector<std::size_t> train_rows, held;
            for (std::size_t i = 0; i < rows.size(); ++i) (fold[i] == f ? held : train_rows).push_back(i);
            if (held.empty() || train_rows.empty()) continue;
            std::vector<std::vector<double>> a2 = alphas, w2;
            train_ovr(x, train_rows, y, nc, opt, a2, w2);
            for (std::size_t i : held) {
                for (std::size_t c = 0; c < nc; ++c) {
                    const auto& wc = w2[c];
                    double s = wc[nf];
                    for (std::size_t q = x.row[i]; q < x.row[i + 1]; ++q) s += wc[x.col[q]] * x.val[q];
                    scores.push_back(s);
                }
                truth.push_back(y[i]);
            }
        }
        m->temperature = fit_temperature(scores, truth, nc);
    }
    m->build_table();
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
    const auto docs = count_documents(texts, FeatureSpec::of(options), options.threads);
    std::vector<std::size_t> rows(texts.size());
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    return TextModel(train_impl(docs, rows, li.y, li.classes, options));
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
                    m.bias.capacity() * 4 + m.table.memory_bytes();
    for (const auto& c : m.classes) b += c.capacity() + sizeof(std::string);
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

ClassScore TextModel::predict(std::string_view text) const {
    auto t = top_k(text, 1);
    return t.front();
}

Explanation TextModel::explain(std::string_view text, std::size_t k, std::size_t features) const {
    Explanation e;
    e.top = top_k(text, std::max<std::size_t>(k, 1));
    const Impl& m = *impl_;
    const std::size_t c = e.top.front().cls;
    e.bias = m.bias[c];
    // Recompute the features with their names (slow path, explain only).
    const std::string norm = normalize_text(text);
    std::vector<char32_t> cps;
    std::map<std::uint32_t, std::pair<std::uint32_t, std::string>> seen;  // feature → (tf, name)
    tm::extract_features<true>(norm, FeatureSpec::of(m.opt), cps, [&](std::uint64_t h, const std::string& name) {
        const std::uint32_t f = m.table.find(h);
        if (f == FeatureTable::npos) return;
        auto [it, fresh] = seen.try_emplace(f, 0u, name);
        ++it->second.first;
    });
    double norm2 = 0;
    for (const auto& [f, tn] : seen) {
        const double v = tf_weight(tn.first, m.opt.sublinear_tf) * m.idf[f];
        norm2 += v * v;
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (const auto& [f, tn] : seen) {
        const double v = tf_weight(tn.first, m.opt.sublinear_tf) * m.idf[f] * inv;
        e.contributions.push_back({tn.second, v * m.weights[static_cast<std::size_t>(f) * m.nc() + c]});
    }
    std::stable_sort(e.contributions.begin(), e.contributions.end(),
                     [](const FeatureContribution& a, const FeatureContribution& b) { return a.weight > b.weight; });
    if (e.contributions.size() > features) e.contributions.resize(features);
    e.top.resize(std::min(k, e.top.size()));
    return e;
}

std::vector<ClassScore> TextModel::predict_batch(const std::vector<std::string_view>& texts, unsigned threads) const {
    std::vector<ClassScore> out(texts.size());
    const std::size_t nc = impl_->nc();
    parallel_for(texts.size(), static_cast<int>(threads), [&](std::size_t i) {
        thread_local std::vector<double> s, p;
        s.resize(nc);
        p.resize(nc);
        try {
            decision(*impl_, texts[i], s.data());
        } catch (const Error& e) {
            throw Error(e.code(), "text " + std::to_string(i) + ": " + e.message(), "/" + std::to_string(i));
        }
        softmax(s.data(), nc, impl_->temperature, p.data());
        std::size_t best = 0;
        for (std::size_t c = 1; c < nc; ++c)
            if (s[c] > s[best]) best = c;
        out[i] = ClassScore{best, p[best], s[best]};
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

}  // namespace ck
