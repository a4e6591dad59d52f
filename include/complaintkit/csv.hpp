// complaintkit — a strict RFC 4180 CSV reader (comma-separated values).
//
// Quoted fields with embedded delimiters, doubled quotes and line breaks; CRLF, LF or CR
// record ends; an optional UTF-8 byte-order mark; a final record with or without a line
// break. Errors are ck::Error(ErrorCode::parse) naming the line and column. No Boost here.
#pragma once

#include <complaintkit/error.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

struct CsvOptions {
    char delimiter = ',';
    char quote = '"';
    /// Skip a leading UTF-8 byte-order mark (EF BB BF).
    bool skip_bom = true;
    /// Check that every field is valid UTF-8 (error names line and column).
    bool validate_utf8 = true;
    /// In read_csv_table: every row must have as many fields as the header.
    bool require_equal_width = true;
    /// Skip records that are a single empty field (blank lines).
    bool skip_blank_lines = true;
};

using CsvRow = std::vector<std::string>;

/// Position of a record: the physical line (1-based) on which it starts.
struct CsvPosition {
    std::size_t record = 0;  ///< 0-based record index (header included)
    std::size_t line = 0;    ///< 1-based line where the record starts
};

/// Streams the records of `text` to `on_record`; returns the number of records. Throws
/// ck::Error(parse) "line L, column C: …" for a quote inside an unquoted field, text
/// after a closing quote, or an unterminated quoted field.
std::size_t read_csv(std::string_view text,
                     const std::function<void(const CsvRow& row, const CsvPosition& pos)>& on_record,
                     const CsvOptions& options = {});

/// Every record of `text`.
std::vector<CsvRow> parse_csv(std::string_view text, const CsvOptions& options = {});

/// A CSV file with a header row.
class CsvTable {
public:
    CsvTable() = default;
    CsvTable(CsvRow header, std::vector<CsvRow> rows, std::vector<std::size_t> lines);

    [[nodiscard]] const CsvRow& header() const noexcept { return header_; }
    [[nodiscard]] const std::vector<CsvRow>& rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t size() const noexcept { return rows_.size(); }
    /// Line on which data row i starts (for error messages).
    [[nodiscard]] std::size_t line_of(std::size_t i) const { return lines_.at(i); }
    /// Column index by exact name, or nullopt.
    [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const noexcept;
    /// Column index by exact name; throws ck::Error(not_found) "no column \"x\"".
    [[nodiscard]] std::size_t column(std::string_view name) const;
    /// Cell (row, column); empty string for a short row when widths are not enforced.
    [[nodiscard]] std::string_view at(std::size_t row, std::size_t col) const;

private:
    CsvRow header_;
    std::vector<CsvRow> rows_;
    std::vector<std::size_t> lines_;
};

/// Reads a table whose first record is the header (names must be unique).
CsvTable read_csv_table(std::string_view text, const CsvOptions& options = {});
/// Reads a file (ErrorCode::io if it cannot be read) as a table.
CsvTable read_csv_file(const std::string& path, const CsvOptions& options = {});

}  // namespace ck
