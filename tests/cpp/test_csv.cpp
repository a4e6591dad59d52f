// RFC 4180 CSV reader.
#include <catch2/catch.hpp>

#include <complaintkit/csv.hpp>

using namespace ck;

static std::string err_of(std::string_view text, const CsvOptions& o = {}) {
    try {
        parse_csv(text, o);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST_CASE("csv: plain, quoted, embedded delimiter, quote and newline", "[csv]") {
    auto rows = parse_csv("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == CsvRow{"a", "b", "c"});
    CHECK(rows[1] == CsvRow{"1", "x,y", "say \"hi\""});
    CHECK(rows[2] == CsvRow{"2", "two\nlines", ""});
}

TEST_CASE("csv: CRLF, CR, BOM, no final newline, empty fields", "[csv]") {
    auto rows = parse_csv("\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,\r\n,\r3,last");
    REQUIRE(rows.size() == 5);
    CHECK(rows[0] == CsvRow{"id", "name"});  // BOM removed
    CHECK(rows[1] == CsvRow{"1", "a\r\nb"});  // CRLF inside quotes kept
    CHECK(rows[2] == CsvRow{"2", ""});
    CHECK(rows[3] == CsvRow{"", ""});
    CHECK(rows[4] == CsvRow{"3", "last"});
    CsvOptions keep;
    keep.skip_bom = false;
    CHECK(parse_csv("\xEF\xBB\xBFx", keep)[0][0] == "\xEF\xBB\xBFx");
}

TEST_CASE("csv: trailing delimiter, blank lines, Chinese text, other delimiter", "[csv]") {
    auto rows = parse_csv("a,\n\n\"投诉\",冰淇淋\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == CsvRow{"a", ""});
    CHECK(rows[1] == CsvRow{"投诉", "冰淇淋"});
    CsvOptions semi;
    semi.delimiter = ';';
    CHECK(parse_csv("a;\"b;c\"", semi)[0] == CsvRow{"a", "b;c"});
    CHECK(parse_csv("\"\"")[0] == CsvRow{""});
}

TEST_CASE("csv: line numbers of records spanning lines", "[csv]") {
    std::vector<std::size_t> lines;
    read_csv("h\n\"a\nb\nc\"\nz\n", [&](const CsvRow&, const CsvPosition& p) { lines.push_back(p.line); });
    CHECK(lines == std::vector<std::size_t>{1, 2, 5});
}

TEST_CASE("csv: errors name line and column", "[csv]") {
    CHECK(err_of("a,b\nc,d\"e\n") == "line 2, column 4: quote inside an unquoted field");
    CHECK(err_of("a,\"b\"x\n") == "line 1, column 6: unexpected character after a closing quote");
    CHECK(err_of("a\n\"open\nmore") == "line 2, column 1: quoted field is not terminated before the end of the input");
    CHECK(err_of("ok,\"\xFF\"") == "line 1, column 4: invalid UTF-8 at byte 0 of the field");
    CsvOptions bad;
    bad.delimiter = '"';
    CHECK_THROWS_WITH(parse_csv("x", bad), Catch::Contains("must differ"));
}

TEST_CASE("csv: tables with a header", "[csv]") {
    auto t = read_csv_table("id,product\n1,卡\n2,\"loan, auto\"\n");
    CHECK(t.size() == 2);
    CHECK(t.column("product") == 1);
    CHECK(t.at(1, t.column("product")) == "loan, auto");
    CHECK(t.line_of(1) == 3);
    CHECK_FALSE(t.find("nope"));
    CHECK_THROWS_WITH(t.column("nope"), "no column \"nope\"");
    CHECK_THROWS_WITH(read_csv_table("a,b\n1,2,3\n"), "line 2: expected 2 fields (as the header), got 3");
    CHECK_THROWS_WITH(read_csv_table("a,a\n"), "line 1: duplicate column name \"a\" in the header");
    CHECK_THROWS_WITH(read_csv_table(""), "CSV input has no header row");
    CHECK_THROWS_WITH(read_csv_file("/nonexistent/x.csv"), "cannot open \"/nonexistent/x.csv\"");
    CsvOptions loose;
    loose.require_equal_width = false;
    auto l = read_csv_table("a,b\n1\n", loose);
    CHECK(l.at(0, 1).empty());
}

#include <cstdlib>
#include <filesystem>

TEST_CASE("csv: the real CFPB sample reads with 18 fields per row (skips when absent)", "[csv][cfpb]") {
    namespace fs = std::filesystem;
    std::vector<fs::path> cands;
    if (const char* env = std::getenv("CK_SHARED_DATA")) cands.emplace_back(env);
    cands.emplace_back(CK_SHARED_DATA_DIR);
    cands.emplace_back(fs::path(CK_SOURCE_DIR) / ".." / ".." / "shared" / "data");
    fs::path file;
    for (const auto& c : cands)
        if (fs::exists(c / "cfpb-sample" / "complaints_sample.csv")) {
            file = c / "cfpb-sample" / "complaints_sample.csv";
            break;
        }
    if (file.empty()) {
        WARN("shared CFPB sample not present: skipped");
        return;
    }
    auto t = read_csv_file(file.string());
    CHECK(t.header().size() == 18);
    CHECK(t.header()[0] == "Date received");
    CHECK(t.header()[17] == "Complaint ID");
    REQUIRE(t.size() > 1000);
    CHECK(t.at(0, t.column("Complaint ID")) == "3571115");
    CHECK(t.at(0, t.column("Company")) == "TRANSUNION INTERMEDIATE HOLDINGS, INC.");  // quoted, with a comma
    // row 2's narrative spans two lines
    CHECK(t.at(1, t.column("Consumer complaint narrative")).find('\n') != std::string::npos);
    CHECK(t.line_of(2) == 5);
}
