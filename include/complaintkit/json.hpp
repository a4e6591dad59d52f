// complaintkit — the complaint JSON format (docs/complaint-json.md).
//
// The API takes and returns text, so this header needs no Boost; the implementation uses
// Boost.JSON. Parsing is strict: every error is a ck::Error whose path() is the JSON
// pointer of the offending value.
#pragma once

#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

struct ParseOptions {
    /// Keep unknown top-level fields (written back by to_json) instead of rejecting them.
    bool preserve_unknown = false;
};

/// Parses one complaint from a JSON object.
Complaint complaint_from_json(std::string_view json, const ParseOptions& options = {});

/// Writes a complaint as compact JSON (or indented with `pretty`). Fields at their
/// default value are omitted; complaint_from_json(to_json(c)) == c for every complaint.
std::string to_json(const Complaint& c, bool pretty = false);

/// Parses JSON Lines (blank lines skipped). Throws on the first bad line with the message
/// prefixed "line N: ".
std::vector<Complaint> complaints_from_jsonl(std::string_view text, const ParseOptions& options = {});

/// Streaming form: calls `on_complaint` for each good line and `on_error` (line number,
/// error) for each bad one; returns the number of good lines. Nothing is skipped silently.
std::size_t read_jsonl(std::string_view text, const std::function<void(Complaint&&)>& on_complaint,
                       const std::function<void(std::size_t line, const Error&)>& on_error,
                       const ParseOptions& options = {});

/// Facets alone, as a JSON object (the "facets" member of the complaint format).
std::string to_json(const Facets& f);
Facets facets_from_json(std::string_view json);

}  // namespace ck
