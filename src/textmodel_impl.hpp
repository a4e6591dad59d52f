// complaintkit — the text model's data (internal, not installed).
#pragma once

#include "textmodel_features.hpp"

#include <complaintkit/textmodel.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ck {

struct TextModel::Impl {
    TextModelOptions opt;
    std::vector<std::string> classes;
    std::vector<std::uint64_t> keys;  // sorted ascending; index = feature id
    std::vector<float> idf;           // per feature
    std::vector<float> weights;       // feature-major: weights[f * nc + c]
    std::vector<float> bias;          // per class
    double temperature = 1.0;
    tm::FeatureTable table;

    [[nodiscard]] std::size_t nc() const noexcept { return classes.size(); }
    void build_table() { table = tm::FeatureTable(keys); }
};

}  // namespace ck
