// complaintkit — the text model's data (internal, not installed).
#pragma once

#include "textmodel_features.hpp"

#include <complaintkit/textmodel.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ck {

struct TextModel::Impl {
    TextModelOptions opt;
    std::vector<std::string> classes;
    std::vector<std::uint64_t> keys;  // sorted ascending; index = feature id
    std::vector<float> idf;           // per feature
    std::vector<float> weights;       // feature-major: weights[f * nc + c]
    std::vector<float> bias;          // per class
    std::vector<std::string> words;   // word types cached for prediction (normalised UTF-8), sorted
    double temperature = 1.0;

    // derived at training / load time
    tm::FeatureTable table;           // feature hash → feature id
    tm::RecordTable word_records;     // word hash → |e_w|², then e_w · W per class
    tm::RecordTable feature_records;  // hash of a bigram or CJK n-gram → idf, then W per class

    [[nodiscard]] std::size_t nc() const noexcept { return classes.size(); }
    /// Builds table and the record tables. `entries` may give e_w of every word (those of
    /// words[i]: entries[ranges[i].first … ranges[i].second)), as training has them;
    /// otherwise they are computed.
    void build_caches(const std::vector<std::pair<std::uint32_t, float>>* entries = nullptr,
                      const std::vector<std::pair<std::size_t, std::size_t>>* ranges = nullptr);
};

namespace tm {
/// The calibration temperature T: the minimiser over T in [0.001, 100] of the negative
/// log-likelihood of softmax(scores / T) against Platt-smoothed targets. `scores` holds
/// nc decision values per row, `y` the true class of each row; 1 when there are no rows.
double fit_temperature(const std::vector<double>& scores, const std::vector<std::size_t>& y, std::size_t nc);
}  // namespace tm

}  // namespace ck
