// complaintkit — RFC 4180 CSV reader.
#include <complaintkit/csv.hpp>
#include <complaintkit/utf8.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace ck {

namespace {

[[noreturn]] void fail_at(std::size_t line, std::size_t col, const std::string& what) {
    throw Error(ErrorCode::parse, "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
}

}  // namespace

std::size_t read_csv(std::string_view text,
                     const std::function<void(const CsvRow&, const CsvPosition&)>& on_record,
                     const CsvOptions& opt) {
    if (opt.delimiter == opt.quote || opt.delimiter == '\n' || opt.delimiter == '\r' || opt.quote == '\n' ||
        opt.quote == '\r')
        throw Error(ErrorCode::invalid_argument, "CSV delimiter and quote must differ and must not be line breaks");
    std::size_t i = 0;
    const std::size_t n = text.size();
    if (opt.skip_bom && n >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
        i = 3;
    std::size_t line = 1, line_start = i;  // line_start: offset of the current physical line
    std::size_t count = 0;
    CsvRow row;
    std::string field;
    while (i < n) {
        // one record
        row.clear();
        const CsvPosition pos{count, line};
        bool end_of_record = false, quoted_first = false;
        while (!end_of_record) {
            field.clear();
            const std::size_t field_line = line, field_col = i - line_start + 1;
            if (i < n && text[i] == opt.quote) {
                if (row.empty()) quoted_first = true;
                const std::size_t open_line = line, open_col = i - line_start + 1;
                ++i;
                for (;;) {
                    if (i >= n)
                        fail_at(open_line, open_col, "quoted field is not terminated before the end of the input");
                    const char c = text[i];
                    if (c == opt.quote) {
                        if (i + 1 < n && text[i + 1] == opt.quote) {
                            field += opt.quote;
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\n' || (c == '\r' && !(i + 1 < n && text[i + 1] == '\n'))) {
                        field += c;
                        ++i;
                        ++line;
                        line_start = i;
                        continue;
                    }
                    field += c;
                    ++i;
                }
                if (i < n && text[i] != opt.delimiter && text[i] != '\n' && text[i] != '\r')
                    fail_at(line, i - line_start + 1, "unexpected character after a closing quote");
            } else {
                const std::size_t start = i;
                while (i < n && text[i] != opt.delimiter && text[i] != '\n' && text[i] != '\r') {
                    if (text[i] == opt.quote)
                        fail_at(line, i - line_start + 1, "quote inside an unquoted field");
                    ++i;
                }
                field.assign(text.data() + start, i - start);
            }
            if (opt.validate_utf8) {
                if (auto bad = utf8_invalid_offset(field))
                    fail_at(field_line, field_col, "invalid UTF-8 at byte " + std::to_string(*bad) + " of the field");
            }
            row.push_back(field);
            if (i >= n) {
                end_of_record = true;
            } else if (text[i] == opt.delimiter) {
                ++i;
                // a delimiter at the very end of the input ends the record with an empty field
                if (i >= n) {
                    row.emplace_back();
                    end_of_record = true;
                }
            } else {  // line break
                if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
                ++i;
                ++line;
                line_start = i;
                end_of_record = true;
            }
        }
        if (opt.skip_blank_lines && row.size() == 1 && row[0].empty() && !quoted_first) continue;
        on_record(row, pos);
        ++count;
    }
    return count;
}

std::vector<CsvRow> parse_csv(std::string_view text, const CsvOptions& options) {
    std::vector<CsvRow> out;
    read_csv(text, [&](const CsvRow& r, const CsvPosition&) { out.push_back(r); }, options);
    return out;
}

CsvTable::CsvTable(CsvRow header, std::vector<CsvRow> rows, std::vector<std::size_t> lines)
    : header_(std::move(header)), rows_(std::move(rows)), lines_(std::move(lines)) {}

std::optional<std::size_t> CsvTable::find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name) return i;
    return std::nullopt;
}

std::size_t CsvTable::column(std::string_view name) const {
    if (auto i = find(name)) return *i;
    throw Error(ErrorCode::not_found, "no column \"" + std::string(name) + "\"");
}

std::string_view CsvTable::at(std::size_t row, std::size_t col) const {
    const CsvRow& r = rows_.at(row);
    return col < r.size() ? std::string_view(r[col]) : std::string_view{};
}

CsvTable read_csv_table(std::string_view text, const CsvOptions& options) {
    CsvRow header;
    std::vector<CsvRow> rows;
    std::vector<std::size_t> lines;
    bool have_header = false;
    read_csv(
        text,
        [&](const CsvRow& r, const CsvPosition& pos) {
            if (!have_header) {
                std::set<std::string_view> seen;
                for (const auto& h : r)
                    if (!seen.insert(h).second)
                        throw Error(ErrorCode::parse, "line " + std::to_string(pos.line) + ": duplicate column name \"" +
                                                          h + "\" in the header");
                header = r;
                have_header = true;
                return;
            }
            if (options.require_equal_width && r.size() != header.size())
                throw Error(ErrorCode::parse, "line " + std::to_string(pos.line) + ": expected " +
                                                  std::to_string(header.size()) + " fields (as the header), got " +
                                                  std::to_string(r.size()));
            rows.push_back(r);
            lines.push_back(pos.line);
        },
        options);
    if (!have_header) throw Error(ErrorCode::parse, "CSV input has no header row");
    return CsvTable(std::move(header), std::move(rows), std::move(lines));
}

CsvTable read_csv_file(const std::string& path, const CsvOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot open \"" + path + "\"");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(ErrorCode::io, "cannot read \"" + path + "\"");
    try {
        return read_csv_table(ss.str(), options);
    } catch (const Error& e) {
        throw e.with_context(path);
    }
}

}  // namespace ck
