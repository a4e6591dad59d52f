// complaintkit — a trainable text classifier that learns a CRM's own categories from its
// labelled history (issue 7). Embedded: no Python or ML stack at run time.
//
//   features  text → ck::normalize_text (case, width, Traditional→Simplified, as the rule
//             engine) → hashed features: character 1–3-grams inside CJK runs; word unigrams
//             and bigrams plus word-bounded character n-grams for Latin (and other
//             alphabetic) script. Sublinear tf (1 + ln tf), idf, L2 length normalisation.
//   model     one-vs-rest linear SVM (squared hinge, L2), trained by dual coordinate descent
//             with a seeded, platform-independent shuffle: the same data and seed give the
//             same model bit for bit. Class weights for imbalance.
//   proba     softmax of the decision values with a temperature fitted on held-out folds.
//   file      versioned, checksummed binary format (docs/textmodel.md); a corrupt, foreign
//             or other-feature-version file is refused with a clear error.
//
// A trained TextModel is immutable: every member function is const and safe to call from
// several threads at once; share it with std::shared_ptr<const TextModel>.
#pragma once

#include <complaintkit/complaint.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// Version of the feature extraction (tokeniser, hashing, weighting). A model records the
/// version it was trained with; a library refuses a model of another version. Bumped on
/// every change that alters the features of some text.
inline constexpr std::uint32_t textmodel_feature_version = 2;

enum class ClassWeighting : std::uint8_t {
    none = 0,      ///< every example counts once
    balanced = 1,  ///< weight n / (k · n_class), as scikit-learn's "balanced"
};

/// Training options. The defaults are tuned for generality (Chinese and English complaint
/// sets of a few hundred to a few hundred thousand rows), not for one data set.
struct TextModelOptions {
    // features
    int word_ngram_max = 2;        ///< Latin words: 1 = unigrams, 2 = + bigrams
    int latin_char_min = 4;        ///< word-bounded character n-grams of Latin words: min n
    int latin_char_max = 4;        ///< … max n (0 = none)
    int cjk_char_min = 1;          ///< character n-grams inside CJK runs: min n
    int cjk_char_max = 3;          ///< … max n
    bool sublinear_tf = true;      ///< 1 + ln(tf) instead of tf
    bool use_idf = true;           ///< multiply by smoothed idf ln((1+n)/(1+df)) + 1
    int min_df = 2;                ///< drop features seen in fewer training documents
    // model
    double c = 0.5;                ///< SVM cost (inverse regularisation)
    ClassWeighting class_weight = ClassWeighting::balanced;
    int max_epochs = 8;            ///< at most this many passes of dual coordinate descent
    double tolerance = 0.1;        ///< stop when the projected-gradient spread is below this
    std::uint64_t seed = 42;       ///< shuffles (training order, calibration folds)
    /// Temperature calibration: one of this many stratified folds (2…20) is held out and
    /// scored by a model of the rest (one warm-started solver run); 0 = none (T = 1).
    int calibration_folds = 3;
    /// After training, drop the word bigrams and CJK n-grams (the features no word's own
    /// features include) whose largest |weight| × idf is below this: they barely move a
    /// score, and a smaller model is faster to query. 0 keeps every feature.
    double prune = 0.3;
    int threads = 1;               ///< worker threads for training (per class) and CV folds

    /// Throws ck::Error(invalid_argument) naming the first bad option.
    void validate() const;
};

/// Sets one option from "key=value" text (the C API's and the CLI's form); keys are the
/// member names above (class_weight = none | balanced). Unknown keys and bad values throw.
void set_textmodel_option(TextModelOptions& opt, std::string_view key_value);

/// One labelled example.
struct LabelledText {
    std::string text;
    std::string label;
};

/// Reads a labelled set from JSON Lines: one object per line; `text_field` and
/// `label_field` are member names or JSON pointers ("/facets/category"). Blank lines are
/// skipped. Several text fields may be joined with ',' ("title,text"). Errors name the line.
std::vector<LabelledText> read_labelled_jsonl(std::string_view jsonl, std::string_view text_field = "text",
                                              std::string_view label_field = "label");

/// Reads a labelled set from CSV with a header row (RFC 4180, csv.hpp): the text is the
/// `text_columns` joined by newlines, the label the `label_column`. Rows whose label is empty
/// are skipped (unlabelled history); empty texts are kept. Missing columns and malformed CSV
/// are errors naming the column or the line.
std::vector<LabelledText> read_labelled_csv(std::string_view csv, const std::vector<std::string>& text_columns,
                                            std::string_view label_column);

/// Labelled examples from complaints (e.g. read from the archive): the text is
/// complaint_model_text (title + text), the label the code of `facet` ("category",
/// "sub_cause", …). Complaints whose facet is unknown are skipped. An unknown facet name
/// throws ck::Error(invalid_argument).
std::vector<LabelledText> labelled_from_complaints(const std::vector<Complaint>& complaints, std::string_view facet);

struct ClassScore {
    std::size_t cls = 0;        ///< index into TextModel::classes()
    double probability = 0;     ///< calibrated
    double score = 0;           ///< raw decision value
};

struct FeatureContribution {
    std::string feature;        ///< "w:refund", "w:refund|fee", "c:<ref", "h:退款"
    double weight = 0;          ///< value · class weight (added to the class's score)
};

struct Explanation {
    std::vector<ClassScore> top;                       ///< best first
    std::vector<FeatureContribution> contributions;    ///< for top[0]: largest |weight| first
    double bias = 0;                                    ///< the class's intercept
};

/// Result of cross-validation.
struct CrossValidation {
    std::size_t folds = 0;
    std::vector<std::string> classes;
    double accuracy = 0;
    double macro_f1 = 0;
    std::vector<double> precision, recall, f1;   ///< per class
    std::vector<std::size_t> support;            ///< per class
    std::vector<std::vector<std::size_t>> confusion;  ///< [true][predicted]
    std::vector<double> fold_accuracy;
    std::vector<std::size_t> predicted;          ///< out-of-fold prediction for each example
    double train_seconds = 0, predict_seconds = 0;  ///< summed over folds

    /// JSON object with all of the above (classes as names).
    [[nodiscard]] std::string to_json() const;
};

/// A trained classifier. Immutable and thread-safe.
class TextModel {
public:
    struct Impl;

    /// Trains on parallel lists. Throws ck::Error on: an empty set (invalid_value), a
    /// single distinct label (invalid_value), a label that is empty, texts or labels that are
    /// not valid UTF-8 (invalid_utf8, naming the index), a size mismatch (invalid_argument).
    /// Empty texts are allowed (they carry no features). Labels with one example are kept.
    static TextModel train(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                           const TextModelOptions& options = {});
    static TextModel train(const std::vector<LabelledText>& examples, const TextModelOptions& options = {});

    /// Stratified k-fold cross-validation with options.seed. Needs every class to be
    /// usable: k ≥ 2 and k ≤ number of examples; a class with fewer examples than k
    /// is still scored (some folds lack it).
    static CrossValidation cross_validate(const std::vector<std::string>& texts,
                                          const std::vector<std::string>& labels, std::size_t folds = 5,
                                          const TextModelOptions& options = {});

    /// Loads from a file / from bytes. Throws ck::Error: io (cannot read), unsupported (not a
    /// complaintkit text model, other format or feature version), compile (corrupt: bad
    /// checksum, truncated, inconsistent).
    static TextModel load(const std::string& path);
    static TextModel from_bytes(std::string_view bytes);
    /// Writes the model (atomically: temporary file then rename). Throws ck::Error(io).
    void save(const std::string& path) const;
    [[nodiscard]] std::string to_bytes() const;

    [[nodiscard]] const std::vector<std::string>& classes() const noexcept;
    [[nodiscard]] std::optional<std::size_t> class_index(std::string_view label) const noexcept;
    [[nodiscard]] const TextModelOptions& options() const noexcept;
    [[nodiscard]] std::size_t feature_count() const noexcept;
    [[nodiscard]] double temperature() const noexcept;
    /// Bytes the loaded model occupies in memory (tables and weights).
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

    /// Best class. Invalid UTF-8 throws ck::Error(invalid_utf8); an empty text (or one
    /// without any known feature) gets the bias-only prediction, i.e. the prior.
    [[nodiscard]] ClassScore predict(std::string_view text) const;
    /// Calibrated probabilities, one per class (sum 1).
    [[nodiscard]] std::vector<double> predict_proba(std::string_view text) const;
    /// Raw decision values, one per class.
    [[nodiscard]] std::vector<double> decision_function(std::string_view text) const;
    /// The k best classes, best first.
    [[nodiscard]] std::vector<ClassScore> top_k(std::string_view text, std::size_t k) const;
    /// Top-k plus the features that contributed most to the best class.
    [[nodiscard]] Explanation explain(std::string_view text, std::size_t k = 3, std::size_t features = 10) const;

    /// Batch prediction on `threads` native threads (0 = hardware concurrency).
    [[nodiscard]] std::vector<ClassScore> predict_batch(const std::vector<std::string_view>& texts,
                                                        unsigned threads = 1) const;
    /// Row-major n × classes() probabilities into out (size n · classes().size()).
    void predict_proba_batch(const std::vector<std::string_view>& texts, double* out, unsigned threads = 1) const;

    TextModel(TextModel&&) noexcept;
    TextModel& operator=(TextModel&&) noexcept;
    TextModel(const TextModel&) = delete;
    TextModel& operator=(const TextModel&) = delete;
    ~TextModel();

private:
    explicit TextModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<const Impl> impl_;
};

// ---------------------------------------------------------------- rule-engine integration

/// What the rule engine calls to fill a facet that no rule decided (docs/textmodel.md).
struct FacetGuess {
    std::string value;          ///< the model's label (for taxonomy facets: the code)
    double confidence = 0;      ///< calibrated probability
    std::string model;          ///< the model's name in the pack, for the evidence
};

class FacetPredictor {
public:
    virtual ~FacetPredictor() = default;
    /// The guess for a complaint, or nullopt when the best class's probability is below
    /// `threshold`. Must be thread-safe.
    [[nodiscard]] virtual std::optional<FacetGuess> guess(const Complaint& c, double threshold) const = 0;
    /// Every value the predictor can return (checked against the facet's taxonomy).
    [[nodiscard]] virtual std::vector<std::string> labels() const = 0;
};

/// A FacetPredictor over a TextModel: the text is the complaint's title and text joined by
/// a newline (the model should be trained on the same, see read_labelled_jsonl "title,text").
class TextModelFacetPredictor final : public FacetPredictor {
public:
    TextModelFacetPredictor(std::shared_ptr<const TextModel> model, std::string name);
    [[nodiscard]] std::optional<FacetGuess> guess(const Complaint& c, double threshold) const override;
    [[nodiscard]] std::vector<std::string> labels() const override { return model_->classes(); }
    [[nodiscard]] const TextModel& model() const noexcept { return *model_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// Throws ck::Error(unknown_code) naming the first class of the model that is not a code of
    /// the taxonomy `taxonomy_name` ("category", "cause", …): call when a pack binds the model
    /// to a taxonomy facet.
    void require_labels_in_taxonomy(std::string_view taxonomy_name) const;

private:
    std::shared_ptr<const TextModel> model_;
    std::string name_;
};

/// Text the facet predictor classifies for a complaint (title + "\n" + text).
std::string complaint_model_text(const Complaint& c);

}  // namespace ck
