// complaintkit — import and export of complaint files: JSON Lines and CSV, with a
// declarative column mapping (docs/archive.md#mappings) and built-in mappings for the CFPB
// consumer-complaint export and a generic helpdesk CSV.
#pragma once

#include <complaintkit/archive.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

enum class RecordFormat : std::uint8_t { jsonl = 0, csv = 1 };

/// A compiled column mapping: how the fields of a foreign record become a complaint.
/// Immutable; cheap to copy; safe to share between threads.
class Mapping {
public:
    /// Compiles a mapping from its JSON form. Errors carry the JSON pointer of the bad value.
    static Mapping from_json(std::string_view json);
    /// A built-in mapping: "cfpb" (CFPB consumer-complaint export CSV) or "helpdesk"
    /// (generic helpdesk ticket CSV). Throws not_found for another name.
    static Mapping builtin(std::string_view name);
    static std::vector<std::string> builtin_names();
    /// The JSON text of a built-in mapping (a starting point for your own).
    static std::string builtin_json(std::string_view name);

    [[nodiscard]] RecordFormat format() const noexcept;
    [[nodiscard]] char delimiter() const noexcept;
    struct Impl;
    [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

private:
    explicit Mapping(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

/// Reads complaints from the text of a JSONL or CSV file, one IncomingRow at a time (a
/// complaint, or a RowError with file, line and column). Without a mapping, JSONL is the
/// complaint format itself and CSV must use the export's column names (export_csv). CSV is
/// split by the RFC 4180 reader of csv.hpp when the reader is made: malformed quoting
/// anywhere in the file throws ck::Error(parse) "FILE: line L, column C: …" before any row.
class RecordReader {
public:
    RecordReader(std::string_view text, RecordFormat format, const Mapping* mapping = nullptr,
                 std::string source = "-", ParseOptions parse = {});
    ~RecordReader();
    RecordReader(RecordReader&&) noexcept;
    RecordReader& operator=(RecordReader&&) noexcept;
    /// The next row, or false at the end of the text.
    bool next(IncomingRow& row);
    /// Bytes of the text consumed so far.
    [[nodiscard]] std::size_t position() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Guesses the format from a file name: ".csv" / ".tsv" → csv, otherwise jsonl.
RecordFormat format_from_path(std::string_view path) noexcept;

/// Reads a file and ingests it: RecordReader + Archive::ingest, with IngestOptions::source
/// set to the path ("-" reads standard input).
IngestReport import_file(Archive& archive, const std::string& path, RecordFormat format, const Mapping* mapping,
                         const IngestOptions& options = {}, const ParseOptions& parse = {});

/// Writes the selected complaints as JSON Lines (the complaint format, full history).
std::size_t export_jsonl(const Archive& archive, const Query& query, std::ostream& out);
/// Writes the selected complaints as CSV (RFC 4180, header row, one row per complaint:
/// the main fields, the snapshot's status and facets). Returns the number of rows.
std::size_t export_csv(const Archive& archive, const Query& query, std::ostream& out);
/// The column names export_csv writes, in order.
std::vector<std::string> export_csv_columns();

/// Quotes a CSV field when needed.
std::string csv_field(std::string_view s, char delimiter = ',');

}  // namespace ck
