// complaintkit — statistics behind the metrics: quantiles of the normal and t
// distributions, Wilson intervals, Poisson tails, exact duration and score accumulators,
// SERVQUAL, iceberg, Pareto and spike detection (docs/metrics.md).
#include <complaintkit/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ck::metrics {

namespace {

// Regularised incomplete beta I_x(a, b) by Lentz's continued fraction.
double beta_cf(double a, double b, double x) {
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (std::fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1) < 1e-16) break;
    }
    return h;
}

double incomplete_beta(double a, double b, double x) {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    const double lbt = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    const double bt = std::exp(lbt);
    if (x < (a + 1) / (a + b + 2)) return bt * beta_cf(a, b, x) / a;
    return 1 - bt * beta_cf(b, a, 1 - x) / b;
}

double t_cdf(double t, double df) {
    const double x = df / (df + t * t);
    const double tail = 0.5 * incomplete_beta(df / 2, 0.5, x);
    return t >= 0 ? 1 - tail : tail;
}

// Regularised lower incomplete gamma P(a, x).
double gamma_p(double a, double x) {
    if (x <= 0) return 0;
    const double gln = std::lgamma(a);
    if (x < a + 1) {
        double ap = a, sum = 1 / a, del = sum;
        for (int n = 0; n < 100000; ++n) {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (std::fabs(del) < std::fabs(sum) * 1e-16) break;
        }
        return sum * std::exp(-x + a * std::log(x) - gln);
    }
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1) < 1e-16) break;
    }
    return 1 - std::exp(-x + a * std::log(x) - gln) * h;
}

void check_confidence(double c) {
    if (!(c > 0 && c < 1))
        throw Error(ErrorCode::invalid_argument, "confidence must be between 0 and 1 (exclusive), got " + std::to_string(c));
}

}  // namespace

double normal_quantile(double p) {
    if (!(p > 0 && p < 1)) throw Error(ErrorCode::invalid_argument, "normal quantile needs 0 < p < 1");
    // Acklam's rational approximation, refined by one Halley step on erfc.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01, -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double plow = 0.02425;
    double x;
    if (p < plow) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - plow) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    for (int i = 0; i < 2; ++i) {
        const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
        const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
        x = x - u / (1 + x * u / 2);
    }
    return x;
}

double t_quantile(double p, double df) {
    if (!(p > 0 && p < 1)) throw Error(ErrorCode::invalid_argument, "t quantile needs 0 < p < 1");
    if (!(df > 0)) throw Error(ErrorCode::invalid_argument, "t quantile needs df > 0");
    if (p == 0.5) return 0;
    if (p < 0.5) return -t_quantile(1 - p, df);
    // Newton's method on the CDF from a Cornish–Fisher start, kept inside a bracket that
    // bisection narrows whenever a Newton step would leave it.
    const double z = normal_quantile(p);
    double x = z + (z * z * z + z) / (4 * df) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * df * df);
    if (!std::isfinite(x) || x <= 0) x = 1;
    double lo = 0, hi = std::max(2 * x, 1.0);
    while (t_cdf(hi, df) < p) hi *= 2;
    const double log_norm = std::lgamma((df + 1) / 2) - std::lgamma(df / 2) - 0.5 * std::log(df * M_PI);
    x = std::min(std::max(x, lo), hi);
    for (int i = 0; i < 200; ++i) {
        const double f = t_cdf(x, df) - p;
        if (f < 0) lo = x;
        else hi = x;
        const double pdf = std::exp(log_norm - (df + 1) / 2 * std::log1p(x * x / df));
        double next = x - f / pdf;
        if (!(next > lo && next < hi)) next = (lo + hi) / 2;
        if (std::fabs(next - x) <= 1e-15 * std::max(1.0, std::fabs(x))) return next;
        x = next;
        if (hi - lo <= 1e-15 * std::max(1.0, hi)) break;
    }
    return x;
}

double poisson_upper_tail(std::uint64_t x, double lambda) {
    if (x == 0) return 1;
    if (lambda <= 0) return 0;
    return gamma_p(static_cast<double>(x), lambda);
}

std::optional<Interval> wilson_interval(std::uint64_t k, std::uint64_t n, double confidence) {
    check_confidence(confidence);
    if (n == 0) return std::nullopt;
    if (k > n) throw Error(ErrorCode::invalid_argument, "wilson interval: k > n");
    const double z = normal_quantile(1 - (1 - confidence) / 2);
    const double nn = static_cast<double>(n), ph = static_cast<double>(k) / nn, z2 = z * z;
    const double denom = 1 + z2 / nn;
    const double center = (ph + z2 / (2 * nn)) / denom;
    const double half = z * std::sqrt(ph * (1 - ph) / nn + z2 / (4 * nn * nn)) / denom;
    // the bounds are exactly 0 and 1 at the ends (no rounding residue)
    return Interval{k == 0 ? 0.0 : std::max(0.0, center - half), k == n ? 1.0 : std::min(1.0, center + half)};
}

std::optional<double> quantile_sorted(std::span<const std::int64_t> v, double q) {
    if (v.empty()) return std::nullopt;
    if (!(q >= 0 && q <= 1)) throw Error(ErrorCode::invalid_argument, "quantile must be within [0, 1]");
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    const double a = static_cast<double>(v[lo]), b = static_cast<double>(v[hi]);
    return a + (b - a) * frac;
}

// ------------------------------------------------------------------ DurationStat

void DurationStat::add(std::int64_t micros) {
    if (micros < 0) {
        ++invalid_;
        return;
    }
    if (sorted_ && !values_.empty() && micros < values_.back()) sorted_ = false;
    values_.push_back(micros);
    sum_ += micros;
}

void DurationStat::merge(const DurationStat& o) {
    if (o.values_.empty() && o.invalid_ == 0) return;
    const bool was_sorted = sorted_ && o.sorted_ &&
                            (values_.empty() || o.values_.empty() || values_.back() <= o.values_.front());
    values_.insert(values_.end(), o.values_.begin(), o.values_.end());
    sorted_ = was_sorted;
    sum_ += o.sum_;
    invalid_ += o.invalid_;
}

void DurationStat::sort() const {
    if (!sorted_) {
        std::sort(values_.begin(), values_.end());
        sorted_ = true;
    }
}

std::optional<double> DurationStat::mean_seconds() const {
    if (values_.empty()) return std::nullopt;
    // exact integer sum; one rounding at the end, so the order of adds does not matter
    const Int128 n = static_cast<Int128>(values_.size());
    const Int128 whole = sum_ / n, rem = sum_ % n;
    return (static_cast<double>(whole) + static_cast<double>(rem) / static_cast<double>(n)) / 1e6;
}

std::optional<double> DurationStat::quantile_seconds(double q) const {
    if (values_.empty()) return std::nullopt;
    if (!(q >= 0 && q <= 1)) throw Error(ErrorCode::invalid_argument, "quantile must be within [0, 1]");
    if (sorted_) return *quantile_sorted(values_, q) / 1e6;
    // Selection instead of a full sort: the order of the kept values is not part of the
    // state, so partitioning them in place is allowed (linear time per quantile).
    const double pos = q * static_cast<double>(values_.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    std::nth_element(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(lo), values_.end());
    const double a = static_cast<double>(values_[lo]);
    double b = a;
    if (lo + 1 < values_.size())
        b = static_cast<double>(*std::min_element(values_.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values_.end()));
    return (a + (b - a) * (pos - static_cast<double>(lo))) / 1e6;
}

std::optional<double> DurationStat::max_seconds() const {
    if (values_.empty()) return std::nullopt;
    return static_cast<double>(*std::max_element(values_.begin(), values_.end())) / 1e6;
}

bool operator==(const DurationStat& a, const DurationStat& b) {
    if (a.invalid_ != b.invalid_ || a.sum_ != b.sum_ || a.values_.size() != b.values_.size()) return false;
    a.sort();
    b.sort();
    return a.values_ == b.values_;
}

// ------------------------------------------------------------------ ScoreHistogram

ScoreHistogram::ScoreHistogram(Scale scale) : scale_(scale) {
    if (scale.min >= scale.max || scale.max - scale.min > 1000)
        throw Error(ErrorCode::invalid_value, "scale must have min < max (at most 1000 points), got " +
                                                  std::to_string(scale.min) + "–" + std::to_string(scale.max));
    counts_.assign(static_cast<std::size_t>(scale.max - scale.min + 1), 0);
}

void ScoreHistogram::add(int score, std::string_view path) {
    if (score < scale_.min || score > scale_.max)
        throw Error(ErrorCode::invalid_value,
                    "score " + std::to_string(score) + " is outside the scale " + std::to_string(scale_.min) + "–" +
                        std::to_string(scale_.max),
                    std::string(path));
    ++counts_[static_cast<std::size_t>(score - scale_.min)];
    ++n_;
}

void ScoreHistogram::merge(const ScoreHistogram& o) {
    if (!(o.scale_ == scale_)) throw Error(ErrorCode::invalid_argument, "cannot merge scores on different scales");
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    n_ += o.n_;
}

std::uint64_t ScoreHistogram::count_of(int s) const {
    if (s < scale_.min || s > scale_.max) return 0;
    return counts_[static_cast<std::size_t>(s - scale_.min)];
}
std::uint64_t ScoreHistogram::count_at_least(int s) const {
    std::uint64_t k = 0;
    for (int v = std::max(s, scale_.min); v <= scale_.max; ++v) k += count_of(v);
    return k;
}
std::uint64_t ScoreHistogram::count_at_most(int s) const {
    std::uint64_t k = 0;
    for (int v = scale_.min; v <= std::min(s, scale_.max); ++v) k += count_of(v);
    return k;
}

std::optional<double> ScoreHistogram::mean() const {
    if (n_ == 0) return std::nullopt;
    std::int64_t sum = 0;
    for (int v = scale_.min; v <= scale_.max; ++v) sum += static_cast<std::int64_t>(count_of(v)) * v;
    return static_cast<double>(sum) / static_cast<double>(n_);
}

std::optional<double> ScoreHistogram::variance() const {
    if (n_ < 2) return std::nullopt;
    // exact integer sums: n·Σx² − (Σx)² over n(n−1)
    Int128 s = 0, s2 = 0;
    for (int v = scale_.min; v <= scale_.max; ++v) {
        s += static_cast<Int128>(count_of(v)) * v;
        s2 += static_cast<Int128>(count_of(v)) * v * v;
    }
    const Int128 n = n_;
    const Int128 num = n * s2 - s * s;
    return static_cast<double>(num) / (static_cast<double>(n_) * static_cast<double>(n_ - 1));
}

std::optional<Interval> ScoreHistogram::mean_interval(double confidence) const {
    check_confidence(confidence);
    auto var = variance();
    if (!var) return std::nullopt;
    const double m = *mean();
    const double half = t_quantile(1 - (1 - confidence) / 2, static_cast<double>(n_ - 1)) *
                        std::sqrt(*var / static_cast<double>(n_));
    return Interval{m - half, m + half};
}

NpsResult nps_of(const ScoreHistogram& h, double confidence) {
    check_confidence(confidence);
    if (h.scale().min != 0 || h.scale().max != 10)
        throw Error(ErrorCode::invalid_argument, "NPS needs a 0–10 scale");
    NpsResult r;
    r.n = h.count();
    r.promoters = h.count_at_least(9);
    r.detractors = h.count_at_most(6);
    r.passives = r.n - r.promoters - r.detractors;
    if (r.n == 0) return r;
    const double n = static_cast<double>(r.n);
    const double pp = static_cast<double>(r.promoters) / n, pd = static_cast<double>(r.detractors) / n;
    r.score = 100 * (static_cast<double>(r.promoters) - static_cast<double>(r.detractors)) / n;
    const double var = std::max(0.0, pp + pd - (pp - pd) * (pp - pd));
    r.standard_error = 100 * std::sqrt(var / n);
    const double z = normal_quantile(1 - (1 - confidence) / 2);
    r.interval = Interval{std::max(-100.0, *r.score - z * *r.standard_error),
                          std::min(100.0, *r.score + z * *r.standard_error)};
    return r;
}

// ------------------------------------------------------------------ SERVQUAL

namespace {
std::size_t dim_index(Dimension d) {
    for (std::size_t i = 0; i < servqual_dimensions.size(); ++i)
        if (servqual_dimensions[i] == d) return i;
    return 5;
}
}  // namespace

ServqualConfig::ServqualConfig() {
    for (int i = 1; i <= 22; ++i)
        items.push_back(i <= 4 ? Dimension::tangibles
                        : i <= 9 ? Dimension::reliability
                        : i <= 13 ? Dimension::responsiveness
                        : i <= 17 ? Dimension::assurance
                                  : Dimension::empathy);
}

ServqualConfig ServqualConfig::form_1988() {
    ServqualConfig c;
    c.reverse_items = {10, 11, 12, 13, 18, 19, 20, 21, 22};
    return c;
}

void ServqualConfig::validate() const {
    if (scale.min >= scale.max)
        throw Error(ErrorCode::invalid_value, "SERVQUAL scale must have min < max", "/servqual/scale");
    if (items.empty()) throw Error(ErrorCode::invalid_value, "SERVQUAL needs at least one item", "/servqual/items");
    for (std::size_t i = 0; i < items.size(); ++i)
        if (dim_index(items[i]) == 5)
            throw Error(ErrorCode::invalid_value, "item " + std::to_string(i + 1) + " has no SERVQUAL dimension",
                        "/servqual/items/" + std::to_string(i));
    for (std::size_t i = 0; i < reverse_items.size(); ++i) {
        const int r = reverse_items[i];
        if (r < 1 || r > static_cast<int>(items.size()))
            throw Error(ErrorCode::invalid_value,
                        "reverse item " + std::to_string(r) + " is not an item (1–" + std::to_string(items.size()) + ")",
                        "/servqual/reverse_items/" + std::to_string(i));
    }
    if (weights) {
        double sum = 0;
        for (double w : *weights) {
            if (!(w >= 0)) throw Error(ErrorCode::invalid_value, "weights must not be negative", "/servqual/weights");
            sum += w;
        }
        if (std::fabs(sum - 100) > 1e-9)
            throw Error(ErrorCode::invalid_value, "weights must sum to 100 points, got " + std::to_string(sum),
                        "/servqual/weights");
    }
}

ServqualAccumulator::ServqualAccumulator(ServqualConfig config) : config_(std::move(config)) {
    config_.validate();
    items_.assign(config_.items.size(), {});
}

void ServqualAccumulator::add(const ServqualResponse& r, const std::string& path) {
    const std::size_t k = config_.items.size();
    auto check = [&](const std::vector<std::optional<int>>& v, const char* name) {
        if (!v.empty() && v.size() != k)
            throw Error(ErrorCode::invalid_value,
                        "expected " + std::to_string(k) + " items, got " + std::to_string(v.size()), path + "/" + name);
        for (std::size_t i = 0; i < v.size(); ++i)
            if (v[i] && (*v[i] < config_.scale.min || *v[i] > config_.scale.max))
                throw Error(ErrorCode::invalid_value,
                            "score " + std::to_string(*v[i]) + " is outside the scale " +
                                std::to_string(config_.scale.min) + "–" + std::to_string(config_.scale.max),
                            path + "/" + name + "/" + std::to_string(i));
    };
    check(r.expectation, "expectation");
    check(r.perception, "perception");
    if (r.perception.empty()) throw Error(ErrorCode::missing_field, "a survey needs perception scores", path + "/perception");
    bool complete = true, any = false;
    for (std::size_t i = 0; i < k; ++i) {
        const bool has_p = r.perception[i].has_value();
        const bool has_e = !r.expectation.empty() && r.expectation[i].has_value();
        if (!has_p || (!r.expectation.empty() && !has_e)) {
            complete = false;
            if (config_.require_complete)
                throw Error(ErrorCode::missing_field, "item " + std::to_string(i + 1) + " is not answered",
                            path + "/" + (has_p ? "expectation/" : "perception/") + std::to_string(i));
        }
        any = any || has_p;
    }
    if (!any) throw Error(ErrorCode::missing_field, "the survey answers no item", path + "/perception");
    if (r.weights) {
        double sum = 0;
        for (double w : *r.weights) {
            if (!(w >= 0)) throw Error(ErrorCode::invalid_value, "weights must not be negative", path + "/weights");
            // whole points keep the sums exact, so merged partitions equal the whole
            if (std::trunc(w) != w || w > 100)
                throw Error(ErrorCode::invalid_value, "a respondent's weights are whole points (0–100)", path + "/weights");
            sum += w;
        }
        if (std::fabs(sum - 100) > 1e-9)
            throw Error(ErrorCode::invalid_value, "weights must sum to 100 points, got " + std::to_string(sum),
                        path + "/weights");
    }
    // all checks passed: accumulate
    const int flip = config_.scale.min + config_.scale.max;
    auto score = [&](std::size_t i, int v) {
        return std::find(config_.reverse_items.begin(), config_.reverse_items.end(), static_cast<int>(i + 1)) !=
                       config_.reverse_items.end()
                   ? flip - v
                   : v;
    };
    for (std::size_t i = 0; i < k; ++i) {
        if (!r.perception[i]) continue;
        const int p = score(i, *r.perception[i]);
        items_[i].perceptions += 1;
        items_[i].sum_p_only += p;
        if (!r.expectation.empty() && r.expectation[i]) {
            items_[i].pairs += 1;
            items_[i].sum_p += p;
            items_[i].sum_e += score(i, *r.expectation[i]);
        }
    }
    ++surveys_;
    if (!complete) ++incomplete_;
    if (r.weights) {
        ++weighted_surveys_;
        for (std::size_t d = 0; d < 5; ++d) weight_sums_[d] += (*r.weights)[d];
    }
}

void ServqualAccumulator::merge(const ServqualAccumulator& o) {
    if (!(o.config_ == config_))
        throw Error(ErrorCode::invalid_argument, "cannot merge SERVQUAL results of different instruments");
    for (std::size_t i = 0; i < items_.size(); ++i) {
        items_[i].pairs += o.items_[i].pairs;
        items_[i].perceptions += o.items_[i].perceptions;
        items_[i].sum_e += o.items_[i].sum_e;
        items_[i].sum_p += o.items_[i].sum_p;
        items_[i].sum_p_only += o.items_[i].sum_p_only;
    }
    surveys_ += o.surveys_;
    incomplete_ += o.incomplete_;
    weighted_surveys_ += o.weighted_surveys_;
    for (std::size_t d = 0; d < 5; ++d) weight_sums_[d] += o.weight_sums_[d];
}

ServqualResult ServqualAccumulator::result() const {
    ServqualResult r;
    r.surveys = surveys_;
    r.incomplete_surveys = incomplete_;
    std::array<double, 5> e_sum{}, p_sum{}, g_sum{}, po_sum{};
    std::array<int, 5> pair_items{}, p_items{};
    for (std::size_t i = 0; i < items_.size(); ++i) {
        ServqualResult::Item it;
        it.item = static_cast<int>(i + 1);
        it.dimension = config_.items[i];
        const auto& s = items_[i];
        it.pairs = s.pairs;
        it.perceptions = s.perceptions;
        const std::size_t d = dim_index(it.dimension);
        if (s.pairs > 0) {
            const double n = static_cast<double>(s.pairs);
            it.expectation = static_cast<double>(s.sum_e) / n;
            it.perception = static_cast<double>(s.sum_p) / n;
            it.gap = static_cast<double>(s.sum_p - s.sum_e) / n;
            e_sum[d] += *it.expectation;
            p_sum[d] += *it.perception;
            g_sum[d] += *it.gap;
            ++pair_items[d];
        }
        if (s.perceptions > 0) {
            it.perception_only = static_cast<double>(s.sum_p_only) / static_cast<double>(s.perceptions);
            po_sum[d] += *it.perception_only;
            ++p_items[d];
        }
        r.items.push_back(it);
    }
    std::optional<std::array<double, 5>> weights = config_.weights;
    if (!weights && weighted_surveys_ > 0) {
        std::array<double, 5> w{};
        for (std::size_t d = 0; d < 5; ++d) w[d] = weight_sums_[d] / static_cast<double>(weighted_surveys_);
        weights = w;
    }
    bool all_gap = true, all_p = true;
    double gsum = 0, psum = 0, wg = 0, wp = 0;
    for (std::size_t d = 0; d < 5; ++d) {
        auto& D = r.dimensions[d];
        D.dimension = servqual_dimensions[d];
        if (weights) D.weight = (*weights)[d];
        if (pair_items[d] > 0) {
            D.expectation = e_sum[d] / pair_items[d];
            D.perception = p_sum[d] / pair_items[d];
            D.gap = g_sum[d] / pair_items[d];
            gsum += *D.gap;
            if (weights) wg += (*weights)[d] / 100 * *D.gap;
        } else {
            all_gap = false;
        }
        if (p_items[d] > 0) {
            D.perception_only = po_sum[d] / p_items[d];
            psum += *D.perception_only;
            if (weights) wp += (*weights)[d] / 100 * *D.perception_only;
        } else {
            all_p = false;
        }
    }
    if (surveys_ == 0) {
        r.reason = "no SERVQUAL surveys";
        return r;
    }
    if (all_gap) {
        r.unweighted_gap = gsum / 5;
        if (weights) r.weighted_gap = wg;
    }
    if (all_p) {
        r.perception_score = psum / 5;
        if (weights) r.weighted_perception = wp;
    }
    if (!all_gap) r.reason = "a dimension has no item with both expectation and perception";
    else if (!weights) r.reason = "no importance weights configured or answered";
    return r;
}

// ------------------------------------------------------------------ iceberg, Pareto, spikes

IcebergResult iceberg(std::uint64_t complaints, double rate, double confidence) {
    check_confidence(confidence);
    if (!(rate > 0 && rate <= 1))
        throw Error(ErrorCode::invalid_argument, "complaint rate must be in (0, 1], got " + std::to_string(rate));
    IcebergResult r;
    r.complaints = complaints;
    r.rate = rate;
    const double c = static_cast<double>(complaints);
    r.silent = c * (1 - rate) / rate;
    r.dissatisfied = c + r.silent;
    const double z = normal_quantile(1 - (1 - confidence) / 2);
    const double half = z * std::sqrt(c * (1 - rate)) / rate;
    r.interval = Interval{std::max(0.0, r.silent - half), r.silent + half};
    return r;
}

std::vector<ParetoRow> pareto(const std::map<std::string, std::uint64_t, std::less<>>& counts, double threshold) {
    if (!(threshold > 0 && threshold <= 1))
        throw Error(ErrorCode::invalid_argument, "Pareto threshold must be in (0, 1]");
    std::vector<ParetoRow> rows;
    std::uint64_t total = 0;
    for (const auto& [k, v] : counts) {
        if (v == 0) continue;
        rows.push_back(ParetoRow{k, v, 0, 0, false});
        total += v;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const ParetoRow& a, const ParetoRow& b) {
        return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    std::uint64_t cum = 0;
    bool reached = false;
    for (auto& r : rows) {
        cum += r.count;
        r.share = static_cast<double>(r.count) / static_cast<double>(total);
        r.cumulative_share = static_cast<double>(cum) / static_cast<double>(total);
        r.vital = !reached;
        // integer comparison: cum/total ≥ threshold
        if (static_cast<double>(cum) >= threshold * static_cast<double>(total) - 1e-9) reached = true;
    }
    return rows;
}

std::vector<SpikeRow> detect_spikes(const std::vector<std::pair<std::string, std::uint64_t>>& series, int window,
                                    double alpha, std::uint64_t min_count) {
    if (window < 1) throw Error(ErrorCode::invalid_argument, "spike window must be at least 1 period");
    if (!(alpha > 0 && alpha < 1)) throw Error(ErrorCode::invalid_argument, "spike alpha must be in (0, 1)");
    std::vector<SpikeRow> out;
    for (std::size_t i = 0; i < series.size(); ++i) {
        SpikeRow r;
        r.period = series[i].first;
        r.count = series[i].second;
        if (i >= static_cast<std::size_t>(window)) {
            std::uint64_t s = 0;
            for (std::size_t j = i - static_cast<std::size_t>(window); j < i; ++j) s += series[j].second;
            r.baseline = static_cast<double>(s) / window;
            r.p_value = poisson_upper_tail(r.count, *r.baseline);
            r.spike = r.count >= min_count && *r.p_value < alpha && static_cast<double>(r.count) > *r.baseline;
        }
        out.push_back(r);
    }
    return out;
}

}  // namespace ck::metrics
