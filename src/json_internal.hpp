// complaintkit — internal helpers for strict, path-precise reading of Boost.JSON values.
// Used by every module that reads JSON (complaints, rule packs, calendars, policies).
// Not installed.
#pragma once

#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/json.hpp>
#include <complaintkit/taxonomy.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ck::detail {

namespace json = boost::json;

/// Escapes a key for a JSON pointer (RFC 6901: '~' → "~0", '/' → "~1").
std::string pointer_escape(std::string_view key);

/// Parses JSON text into a value. Invalid UTF-8 inside strings is let through here and
/// reported later, at the path of the string that holds it. Syntax errors are
/// ErrorCode::parse with "line L, column C: …".
json::value parse_json(std::string_view text);

/// A value with its JSON pointer.
struct Node {
    const json::value* v;
    std::string path;

    [[nodiscard]] const json::value& operator*() const { return *v; }
    [[nodiscard]] std::string str() const;            ///< a UTF-8 string
    [[nodiscard]] std::string str_nonempty() const;   ///< a non-empty UTF-8 string
    [[nodiscard]] std::int64_t int64() const;         ///< an integer
    [[nodiscard]] double number() const;              ///< any number
    [[nodiscard]] bool boolean() const;
    [[nodiscard]] Timestamp time() const;
    [[nodiscard]] Money money() const;
    [[nodiscard]] const json::array& array() const;
    [[nodiscard]] Node at(std::size_t i) const;
    [[nodiscard]] std::vector<std::string> strings() const;  ///< array of strings

    template <TaxonomyEnum E> [[nodiscard]] E code() const {
        const std::string s = str();
        auto e = from_code<E>(s);
        if (!e)
            throw Error(ErrorCode::unknown_code,
                        "unknown " + std::string(taxonomy_name(taxonomy_traits<E>::id)) + " code \"" + s + "\"",
                        path);
        return *e;
    }
    template <TaxonomyEnum E> [[nodiscard]] std::vector<E> codes() const {
        std::vector<E> out;
        const auto& a = array();
        for (std::size_t i = 0; i < a.size(); ++i) out.push_back(at(i).code<E>());
        return out;
    }
    [[noreturn]] void fail(ErrorCode c, const std::string& message) const { throw Error(c, message, path); }
};

/// Reads an object's members by name, tracking which were read so unknown ones can be
/// rejected (or collected) at the end.
class ObjectIn {
public:
    explicit ObjectIn(const Node& n);
    [[nodiscard]] std::optional<Node> opt(std::string_view key);
    [[nodiscard]] Node req(std::string_view key);
    /// Throws for the first member that was not read: "/path/key: unknown field".
    void reject_unknown() const;
    /// The members that were not read.
    [[nodiscard]] json::object unknown() const;
    [[nodiscard]] const json::object& object() const { return *obj_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    /// Every member as a node, in document order.
    [[nodiscard]] std::vector<std::pair<std::string, Node>> members();

private:
    const json::object* obj_;
    std::string path_;
    std::vector<bool> seen_;  ///< by member position
};

/// Walks JSON Lines text: each call to next() yields the next non-blank line (CR of CRLF
/// removed) and its 1-based line number. One definition of "a line" for every reader.
class JsonLines {
public:
    explicit JsonLines(std::string_view text) noexcept : text_(text) {}
    bool next(std::string_view& line, std::size_t& line_no) noexcept {
        while (pos_ < text_.size()) {
            std::size_t end = text_.find('\n', pos_);
            if (end == std::string_view::npos) end = text_.size();
            line = text_.substr(pos_, end - pos_);
            pos_ = end + 1;
            line_no = ++line_no_;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.find_first_not_of(" \t") != std::string_view::npos) return true;
        }
        return false;
    }
    /// Bytes of the text consumed so far.
    [[nodiscard]] std::size_t position() const noexcept { return std::min(pos_, text_.size()); }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_no_ = 0;
};

/// Appends `v` (valid UTF-8) as a JSON string, escaped byte for byte as Boost.JSON's
/// serializer escapes it: for JSON written as text (snapshot facets and SLA).
void append_json_string(std::string& out, std::string_view v);

/// The JSON object `text` (already parsed and validated) without its top-level member(s)
/// named `name`, every other member as written: the record of a JSONL line at about a fifth
/// of the cost of serialising the parsed document again. False (and `out` unspecified) when
/// `text` is not an object or spells a key with an escape, which only a parsed document can
/// compare: the caller then serialises that.
bool object_without_member(std::string_view text, std::string_view name, std::string& out);

/// Model conversions used by other modules.
json::value to_value(const Complaint& c);
json::value to_value(const Facets& f);
json::value to_value(const Money& m);
json::value to_value(const Event& e);
Complaint complaint_from_value(const json::value& v, const ParseOptions& options, const std::string& path = "");

Facets facets_from_node(const Node& n);
Event event_from_node(const Node& n);

/// While one is alive on a thread, the readers above skip their own UTF-8 checks of strings
/// and keys: the caller parsed the document with Boost.JSON's UTF-8 validation on, so every
/// string and key in it is valid already (JSONL ingest; a line that fails is read again by
/// complaint_from_json, which reports the error with its path).
class Utf8AlreadyValid {
public:
    Utf8AlreadyValid() noexcept;
    ~Utf8AlreadyValid();
    Utf8AlreadyValid(const Utf8AlreadyValid&) = delete;
    Utf8AlreadyValid& operator=(const Utf8AlreadyValid&) = delete;

private:
    bool previous_;
};

/// Serialises with stable key order (as inserted) and optional indentation.
std::string serialize(const json::value& v, bool pretty = false);

}  // namespace ck::detail
