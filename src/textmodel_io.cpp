// complaintkit — the text model's file format, labelled-set reader, CV report and the
// rule-engine facet predictor.
#include "json_internal.hpp"
#include "textmodel_impl.hpp"

#include <complaintkit/csv.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/taxonomy.hpp>
#include <complaintkit/textmodel.hpp>
#include <complaintkit/utf8.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ck {

static_assert(std::endian::native == std::endian::little, "the model format is written little-endian");

namespace {

// ---------------------------------------------------------------- binary writer / reader

class Writer {
public:
    template <class T> void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const char*>(&v);
        buf.append(p, sizeof(T));
    }
    void str(const std::string& s) {
        put<std::uint32_t>(static_cast<std::uint32_t>(s.size()));
        buf += s;
    }
    template <class T> void array(const std::vector<T>& v) {
        buf.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    std::string buf;
};

class Reader {
public:
    Reader(const unsigned char* p, std::size_t n) : p_(p), n_(n) {}
    template <class T> T get(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, p_ + at_, sizeof(T));
        at_ += sizeof(T);
        return v;
    }
    std::string str(const char* what) {
        const auto len = get<std::uint32_t>(what);
        need(len, what);
        std::string s(reinterpret_cast<const char*>(p_ + at_), len);
        at_ += len;
        return s;
    }
    template <class T> std::vector<T> array(std::size_t count, const char* what) {
        if (count > (n_ - at_) / sizeof(T)) corrupt(std::string("truncated ") + what);
        std::vector<T> v(count);
        std::memcpy(v.data(), p_ + at_, count * sizeof(T));
        at_ += count * sizeof(T);
        return v;
    }
    [[nodiscard]] bool done() const { return at_ == n_; }
    [[noreturn]] static void corrupt(const std::string& why) {
        throw Error(ErrorCode::compile, "corrupt text model: " + why);
    }

private:
    void need(std::size_t k, const char* what) const {
        if (k > n_ - at_) corrupt(std::string("truncated ") + what);
    }
    const unsigned char* p_;
    std::size_t n_;
    std::size_t at_ = 0;
};

void write_options(Writer& w, const TextModelOptions& o) {
    w.put<std::int32_t>(o.word_ngram_max);
    w.put<std::int32_t>(o.latin_char_min);
    w.put<std::int32_t>(o.latin_char_max);
    w.put<std::int32_t>(o.cjk_char_min);
    w.put<std::int32_t>(o.cjk_char_max);
    w.put<std::uint8_t>(o.sublinear_tf);
    w.put<std::uint8_t>(o.use_idf);
    w.put<std::int32_t>(o.min_df);
    w.put<double>(o.c);
    w.put<std::uint8_t>(static_cast<std::uint8_t>(o.class_weight));
    w.put<std::int32_t>(o.max_epochs);
    w.put<double>(o.tolerance);
    w.put<std::uint64_t>(o.seed);
    w.put<std::int32_t>(o.calibration_folds);
    w.put<double>(o.prune);  // format 2
}

TextModelOptions read_options(Reader& r, std::uint32_t format) {
    TextModelOptions o;
    o.word_ngram_max = r.get<std::int32_t>("options");
    o.latin_char_min = r.get<std::int32_t>("options");
    o.latin_char_max = r.get<std::int32_t>("options");
    o.cjk_char_min = r.get<std::int32_t>("options");
    o.cjk_char_max = r.get<std::int32_t>("options");
    o.sublinear_tf = r.get<std::uint8_t>("options") != 0;
    o.use_idf = r.get<std::uint8_t>("options") != 0;
    o.min_df = r.get<std::int32_t>("options");
    o.c = r.get<double>("options");
    const auto cw = r.get<std::uint8_t>("options");
    if (cw > 1) Reader::corrupt("unknown class weighting " + std::to_string(cw));
    o.class_weight = static_cast<ClassWeighting>(cw);
    o.max_epochs = r.get<std::int32_t>("options");
    o.tolerance = r.get<double>("options");
    o.seed = r.get<std::uint64_t>("options");
    o.calibration_folds = r.get<std::int32_t>("options");
    o.prune = format >= 2 ? r.get<double>("options") : 0.0;  // format 1: models were not pruned
    try {
        o.validate();
    } catch (const Error& e) {
        Reader::corrupt(e.message());
    }
    return o;
}

}  // namespace

std::string TextModel::to_bytes() const {
    const Impl& m = *impl_;
    Writer body;
    write_options(body, m.opt);
    body.put<double>(m.temperature);
    body.put<std::uint32_t>(static_cast<std::uint32_t>(m.classes.size()));
    for (const auto& c : m.classes) body.str(c);
    body.put<std::uint64_t>(m.keys.size());
    body.array(m.keys);
    body.array(m.idf);
    body.array(m.weights);
    body.array(m.bias);
    body.put<std::uint64_t>(m.words.size());
    for (const auto& w : m.words) body.str(w);

    Writer out;
    out.buf.append(tm::kMagic, sizeof tm::kMagic);
    out.put<std::uint32_t>(tm::kFormatVersion);
    out.put<std::uint32_t>(textmodel_feature_version);
    out.put<std::uint64_t>(body.buf.size());
    out.buf += body.buf;
    const std::uint64_t sum = tm::checksum64(reinterpret_cast<const unsigned char*>(out.buf.data()), out.buf.size());
    out.put<std::uint64_t>(sum);
    return std::move(out.buf);
}

TextModel TextModel::from_bytes(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    if (n < sizeof tm::kMagic || std::memcmp(p, tm::kMagic, sizeof tm::kMagic) != 0)
        throw Error(ErrorCode::unsupported, "not a complaintkit text model (bad magic number)");
    if (n < tm::kHeaderSize + 8) Reader::corrupt("truncated header");
    std::uint32_t format, features;
    std::uint64_t body_size;
    std::memcpy(&format, p + 8, 4);
    std::memcpy(&features, p + 12, 4);
    std::memcpy(&body_size, p + 16, 8);
    if (format < 1 || format > tm::kFormatVersion)
        throw Error(ErrorCode::unsupported, "text model file format version " + std::to_string(format) +
                                                " is not supported (this library reads versions 1 to " +
                                                std::to_string(tm::kFormatVersion) + ")");
    if (body_size != n - tm::kHeaderSize - 8)
        Reader::corrupt("size " + std::to_string(n) + " bytes does not match the header (" +
                        std::to_string(body_size + tm::kHeaderSize + 8) + " expected)");
    std::uint64_t stored;
    std::memcpy(&stored, p + n - 8, 8);
    if (tm::checksum64(p, n - 8) != stored) Reader::corrupt("checksum mismatch");
    if (features != textmodel_feature_version)
        throw Error(ErrorCode::unsupported, "the text model was trained with feature version " + std::to_string(features) +
                                                "; this library extracts feature version " +
                                                std::to_string(textmodel_feature_version) + ": retrain the model");

    Reader r(p + tm::kHeaderSize, static_cast<std::size_t>(body_size));
    auto m = std::make_unique<Impl>();
    m->opt = read_options(r, format);
    m->temperature = r.get<double>("temperature");
    if (!(m->temperature > 0) || !std::isfinite(m->temperature)) Reader::corrupt("bad temperature");
    const auto nc = r.get<std::uint32_t>("class count");
    if (nc < 2) Reader::corrupt("fewer than two classes");
    for (std::uint32_t c = 0; c < nc; ++c) {
        m->classes.push_back(r.str("class name"));
        if (!is_valid_utf8(m->classes.back()) || m->classes.back().empty()) Reader::corrupt("bad class name");
        if (c > 0 && !(m->classes[c - 1] < m->classes[c])) Reader::corrupt("class names not sorted");
    }
    const auto nf = r.get<std::uint64_t>("feature count");
    if (nf > 0xFFFFFFF0ULL) Reader::corrupt("feature count out of range");
    m->keys = r.array<std::uint64_t>(static_cast<std::size_t>(nf), "feature keys");
    for (std::size_t i = 0; i < m->keys.size(); ++i)
        if (m->keys[i] == 0 || (i > 0 && m->keys[i - 1] >= m->keys[i])) Reader::corrupt("feature keys not sorted");
    m->idf = r.array<float>(static_cast<std::size_t>(nf), "idf");
    if (nc != 0 && nf > (n / 4) / nc) Reader::corrupt("truncated weights");
    m->weights = r.array<float>(static_cast<std::size_t>(nf) * nc, "weights");
    m->bias = r.array<float>(nc, "bias");
    const auto nw = r.get<std::uint64_t>("word count");
    if (nw > n) Reader::corrupt("word count out of range");
    m->words.reserve(static_cast<std::size_t>(nw));
    for (std::uint64_t i = 0; i < nw; ++i) {
        m->words.push_back(r.str("word"));
        if (!is_valid_utf8(m->words.back()) || m->words.back().empty() || (i > 0 && !(m->words[i - 1] < m->words[i])))
            Reader::corrupt("bad word list");
    }
    if (!r.done()) Reader::corrupt("trailing bytes");
    m->build_caches();
    return TextModel(std::move(m));
}

TextModel TextModel::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot open text model \"" + path + "\"");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(ErrorCode::io, "cannot read text model \"" + path + "\"");
    try {
        return from_bytes(bytes);
    } catch (const Error& e) {
        throw Error(e.code(), path + ": " + e.message());
    }
}

void TextModel::save(const std::string& path) const {
    const std::string bytes = to_bytes();
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorCode::io, "cannot write text model \"" + tmp + "\"");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw Error(ErrorCode::io, "cannot write text model \"" + tmp + "\"");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw Error(ErrorCode::io, "cannot rename \"" + tmp + "\" to \"" + path + "\"");
    }
}

// ---------------------------------------------------------------- labelled JSON Lines

namespace {

/// "name" → "/name"; "/a/b" stays.
std::string pointer_of(std::string_view field) {
    if (field.starts_with('/')) return std::string(field);
    std::string p(1, '/');
    p.append(detail::pointer_escape(field));
    return p;
}

/// The value at a field, or nullptr when absent.
const detail::json::value* field_at(const detail::json::value& v, std::string_view field) {
    const std::string ptr = pointer_of(field);
    boost::system::error_code ec;
    const detail::json::value* r = v.find_pointer(ptr, ec);
    return ec ? nullptr : r;
}

std::string field_text(const detail::json::value* v, const std::string& where) {
    if (!v || v->is_null()) return {};
    if (v->is_string()) {
        const auto& s = v->get_string();
        std::string out(s.data(), s.size());
        require_utf8(out, where);
        return out;
    }
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    if (v->is_bool()) return v->get_bool() ? "true" : "false";
    throw Error(ErrorCode::invalid_value, "must be a string, number or boolean", where);
}

}  // namespace

std::vector<LabelledText> read_labelled_jsonl(std::string_view jsonl, std::string_view text_field,
                                              std::string_view label_field) {
    if (text_field.empty() || label_field.empty())
        throw Error(ErrorCode::invalid_argument, "text and label field names must not be empty");
    std::vector<std::string_view> text_fields;
    for (std::size_t s = 0; s <= text_field.size();) {
        std::size_t e = text_field.find(',', s);
        if (e == std::string_view::npos) e = text_field.size();
        if (e > s) text_fields.push_back(text_field.substr(s, e - s));
        s = e + 1;
    }
    std::vector<LabelledText> out;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < jsonl.size();) {
        std::size_t end = jsonl.find('\n', pos);
        if (end == std::string_view::npos) end = jsonl.size();
        std::string_view line = jsonl.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        const std::string ctx = "line " + std::to_string(line_no);
        try {
            const detail::json::value v = detail::parse_json(line);
            if (!v.is_object()) throw Error(ErrorCode::invalid_value, "a labelled example must be a JSON object");
            LabelledText ex;
            for (std::string_view tf : text_fields) {
                const std::string where = pointer_of(tf);
                const std::string t = field_text(field_at(v, tf), where);
                if (t.empty()) continue;
                if (!ex.text.empty()) ex.text += '\n';
                ex.text += t;
            }
            const std::string where = pointer_of(label_field);
            const auto* lv = field_at(v, label_field);
            if (!lv || lv->is_null()) throw Error(ErrorCode::missing_field, "missing label", where);
            ex.label = field_text(lv, where);
            if (ex.label.empty()) throw Error(ErrorCode::invalid_value, "empty label", where);
            out.push_back(std::move(ex));
        } catch (const Error& e) {
            throw e.with_context(ctx);
        }
    }
    return out;
}

// ---------------------------------------------------------------- CSV and complaints

std::vector<LabelledText> read_labelled_csv(std::string_view csv, const std::vector<std::string>& text_columns,
                                            std::string_view label_column) {
    if (text_columns.empty()) throw Error(ErrorCode::invalid_argument, "no text column given");
    const CsvTable t = read_csv_table(csv);
    std::vector<std::size_t> tc;
    for (const auto& c : text_columns) tc.push_back(t.column(c));
    const std::size_t lc = t.column(label_column);
    std::vector<LabelledText> out;
    for (std::size_t r = 0; r < t.size(); ++r) {
        const std::string_view label = t.at(r, lc);
        if (label.empty()) continue;
        LabelledText ex;
        ex.label = std::string(label);
        for (std::size_t c : tc) {
            const std::string_view v = t.at(r, c);
            if (v.empty()) continue;
            if (!ex.text.empty()) ex.text += '\n';
            ex.text += v;
        }
        out.push_back(std::move(ex));
    }
    return out;
}

std::vector<LabelledText> labelled_from_complaints(const std::vector<Complaint>& complaints, std::string_view facet) {
    static constexpr std::string_view facets[] = {"kind",      "category",    "subcategory", "cause",
                                                  "sub_cause", "attribution", "dimension",   "severity",
                                                  "personality", "motive"};
    if (std::find(std::begin(facets), std::end(facets), facet) == std::end(facets))
        throw Error(ErrorCode::invalid_argument, "no coded facet named \"" + std::string(facet) + "\"");
    std::vector<LabelledText> out;
    for (const auto& c : complaints) {
        const auto v = detail::to_value(c.facets);
        const auto* f = v.is_object() ? v.as_object().if_contains(facet) : nullptr;
        if (!f || !f->is_string()) continue;
        const std::string code(f->as_string().data(), f->as_string().size());
        if (code.empty() || code == "unknown") continue;
        out.push_back({complaint_model_text(c), code});
    }
    return out;
}

// ---------------------------------------------------------------- CV report

std::string CrossValidation::to_json() const {
    namespace json = boost::json;
    json::object o;
    o["folds"] = folds;
    json::array cls;
    for (const auto& c : classes) cls.emplace_back(c);
    o["classes"] = cls;
    o["accuracy"] = accuracy;
    o["macro_f1"] = macro_f1;
    auto arr = [](const auto& v) {
        json::array a;
        for (const auto& x : v) a.emplace_back(x);
        return a;
    };
    o["precision"] = arr(precision);
    o["recall"] = arr(recall);
    o["f1"] = arr(f1);
    o["support"] = arr(support);
    json::array conf;
    for (const auto& row : confusion) conf.push_back(arr(row));
    o["confusion"] = conf;
    o["fold_accuracy"] = arr(fold_accuracy);
    o["train_seconds"] = train_seconds;
    o["predict_seconds"] = predict_seconds;
    return detail::serialize(o);
}

// ---------------------------------------------------------------- facet predictor

std::string complaint_model_text(const Complaint& c) {
    if (c.title.empty()) return c.text;
    if (c.text.empty()) return c.title;
    return c.title + "\n" + c.text;
}

TextModelFacetPredictor::TextModelFacetPredictor(std::shared_ptr<const TextModel> model, std::string name)
    : model_(std::move(model)), name_(std::move(name)) {
    if (!model_) throw Error(ErrorCode::invalid_argument, "facet predictor \"" + name_ + "\" has no model");
}

std::optional<FacetGuess> TextModelFacetPredictor::guess(const Complaint& c, double threshold) const {
    const std::string text = complaint_model_text(c);
    if (!is_valid_utf8(text)) return std::nullopt;  // the complaint model validates its text at the boundary
    const ClassScore best = model_->predict(text);
    if (best.probability < threshold) return std::nullopt;
    return FacetGuess{model_->classes()[best.cls], best.probability, name_};
}

void TextModelFacetPredictor::require_labels_in_taxonomy(std::string_view taxonomy_name) const {
    std::optional<TaxonomyId> id;
    for (int i = 0; i < taxonomy_count; ++i)
        if (ck::taxonomy_name(static_cast<TaxonomyId>(i)) == taxonomy_name) id = static_cast<TaxonomyId>(i);
    if (!id) throw Error(ErrorCode::unknown_code, "no taxonomy named \"" + std::string(taxonomy_name) + "\"");
    for (const auto& label : model_->classes()) {
        bool found = false;
        for (const auto& e : taxonomy_entries(*id)) found = found || e.code == label;
        if (!found)
            throw Error(ErrorCode::unknown_code, "model \"" + name_ + "\" predicts \"" + label + "\", which is not a " +
                                                     std::string(taxonomy_name) + " code");
    }
}

}  // namespace ck
