#include <catch2/catch.hpp>

#include <complaintkit/normalize.hpp>

#include "fold_internal.hpp"

using namespace ck;

// The source bytes that produced output bytes [b, e).
static std::string_view source_of(std::string_view src, const NormalizedText& n, std::size_t b, std::size_t e) {
    const std::uint32_t from = n.source_offset[b];
    // The end is the start of the code point that produced byte e (or the source end).
    const std::uint32_t to = n.source_offset[e];
    return src.substr(from, to - from);
}

/// `rounds` texts, each 1 … max_parts pieces chosen by a fixed linear congruential sequence.
static std::vector<std::string> random_texts(const std::vector<std::string>& pieces, std::uint32_t seed, int rounds,
                                             int max_parts) {
    std::vector<std::string> out;
    for (int round = 0; round < rounds; ++round) {
        std::string s;
        const int parts = 1 + round % max_parts;
        for (int p = 0; p < parts; ++p) {
            seed = seed * 1103515245u + 12345u;
            s += pieces[(seed >> 16) % pieces.size()];
        }
        out.push_back(std::move(s));
    }
    return out;
}

TEST_CASE("Traditional Chinese folds to Simplified", "[normalize]") {
    CHECK(normalize_text("態度差") == "态度差");
    CHECK(normalize_text("态度差") == "态度差");
    CHECK(normalize_text("退貨") == normalize_text("退货"));
    CHECK(normalize_text("退貨") == "退货");
    CHECK(normalize_text("發票") == "发票");
    CHECK(normalize_text("頭髮") == "头发");
    CHECK(normalize_text("客服電話打不通，說好的退款呢") == "客服电话打不通,说好的退款呢");  // U+FF0C is full-width
    CHECK(normalize_text("臺灣") == "台湾");
    CHECK(normalize_text("線") == normalize_text("綫"));
    CHECK(t2s_table_size() > 2000);
    CHECK(fold_codepoint(U'態') == U'态');
    CHECK(fold_codepoint(U'态') == U'态');
    CHECK(fold_codepoint(U'中') == U'中');
}

TEST_CASE("Latin case, full-width forms and spaces fold to ASCII", "[normalize]") {
    CHECK(normalize_text("ＦＥＥ") == "fee");
    CHECK(normalize_text("Refund PLEASE") == "refund please");
    CHECK(normalize_text("１２３１５") == "12315");
    CHECK(normalize_text("打１２３１５投訴") == "打12315投诉");
    CHECK(normalize_text("a\u3000b") == "a b");
    CHECK(normalize_text("ÉCOLE Ÿ Ł İ") == "école ÿ ł i");
    CHECK(normalize_text("don\u2019t") == "don't");
    CHECK(normalize_text("ΑΒΓ ДОМ") == "αβγ дом");
    CHECK(normalize_text("") == "");
    CHECK(fold_codepoint(U'Ａ') == U'a');
    CHECK(fold_codepoint(U'ａ') == U'a');
    CHECK(fold_codepoint(U'！') == U'!');
    CHECK(fold_codepoint(U'￥') == U'¥');
    CHECK(fold_codepoint(U'ß') == U'ß');
}

TEST_CASE("folding is idempotent", "[normalize]") {
    for (std::string s : {"態度差 ＦＥＥ Déjà-vu 發票 退貨", "後台處理太慢了！！", "Ünïcödé ＡＢＣ"}) {
        const std::string once = normalize_text(s);
        CHECK(normalize_text(once) == once);
    }
    for (char32_t c = 0; c < 0x30000; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        const char32_t f = fold_codepoint(c);
        if (fold_codepoint(f) != f) FAIL("fold not idempotent at U+" << std::hex << static_cast<unsigned>(c));
    }
}

TEST_CASE("offsets map every output byte back to its source code point", "[normalize]") {
    const std::string src = "ＡＢ態度 fee 發票!";
    const NormalizedText n = normalize(src);
    CHECK(n.text == "ab态度 fee 发票!");
    REQUIRE(n.source_offset.size() == n.text.size() + 1);
    CHECK(n.source_offset.back() == src.size());
    // "ab" came from two full-width letters of 3 bytes each.
    CHECK(n.source_offset[0] == 0);
    CHECK(n.source_offset[1] == 3);
    const auto t = n.text.find("态度");
    CHECK(source_of(src, n, t, t + std::string("态度").size()) == "態度");
    const auto f = n.text.find("fee");
    CHECK(source_of(src, n, f, f + 3) == "fee");
    const auto p = n.text.find("发票");
    CHECK(source_of(src, n, p, p + std::string("发票").size()) == "發票");
    // Every byte of a multi-byte output code point maps to the same source start.
    CHECK(n.source_offset[t] == n.source_offset[t + 1]);
    CHECK(n.source_offset[t] == n.source_offset[t + 2]);
    // Offsets never decrease.
    CHECK(std::is_sorted(n.source_offset.begin(), n.source_offset.end()));
}

TEST_CASE("invalid UTF-8 folds to U+FFFD per bad byte, offsets stay exact", "[normalize][bad-input]") {
    const std::string src = std::string("ok\xFF") + "態\xC3";
    const NormalizedText n = normalize(src);
    CHECK(n.text == "ok\xEF\xBF\xBD" "态\xEF\xBF\xBD");
    REQUIRE(n.source_offset.size() == n.text.size() + 1);
    CHECK(n.source_offset[2] == 2);
    CHECK(n.source_offset[4] == 2);
    CHECK(n.source_offset[5] == 3);
    CHECK(n.source_offset[8] == 6);
    CHECK(n.source_offset.back() == src.size());
    // Many invalid bytes in a row grow the output beyond the input size.
    const std::string bad(100, '\xFF');
    CHECK(normalize(bad).text.size() == 300);
}

TEST_CASE("script classes drive word boundaries", "[normalize]") {
    CHECK(script_class(U'a') == ScriptClass::word);
    CHECK(script_class(U'7') == ScriptClass::word);
    CHECK(script_class(U'é') == ScriptClass::word);
    CHECK(script_class(U' ') == ScriptClass::other);
    CHECK(script_class(U'\'') == ScriptClass::other);
    CHECK(script_class(U'态') == ScriptClass::cjk);
    CHECK(script_class(U'，') == ScriptClass::other);
}

// The fold has a fast path for runs of 3-byte sequences (Chinese text); it must agree with
// folding one code point at a time, offsets included, whatever is mixed into the run.
TEST_CASE("3-byte runs fold like single code points, with exact offsets", "[normalize]") {
    auto reference = [](std::string_view in) {
        NormalizedText r;
        std::size_t i = 0;
        while (i < in.size()) {
            std::size_t len = 0;
            const char32_t c = decode_utf8(in, i, &len);  // U+FFFD, length 1, for a bad byte
            const std::size_t before = r.text.size();
            append_utf8(r.text, fold_codepoint(c));
            for (std::size_t k = before; k < r.text.size(); ++k) r.source_offset.push_back(static_cast<std::uint32_t>(i));
            i += len == 0 ? 1 : len;
        }
        r.source_offset.push_back(static_cast<std::uint32_t>(in.size()));
        return r;
    };
    const std::vector<std::string> pieces = {
        "退款", "服務態度", "ＡＢＣ１２", "\xE3\x80\x80", "Café", "x", "abcdefgh", "\xED\xA0\x80", "\xE0\x80\xAF",
        "\xE4\xB8", "\xFF", "😀", "—", "ﾟ", "\xEF\xBF\xA5",
    };
    int round = 0;
    for (const std::string& s : random_texts(pieces, 7, 400, 9)) {
        INFO("input bytes: " << s.size() << " round " << round++);
        const NormalizedText got = normalize(s);
        const NormalizedText want = reference(s);
        CHECK(got.text == want.text);
        CHECK(got.source_offset == want.source_offset);
    }
}

// The rule engine's folding (fold_internal.hpp) gives normalize()'s text and offsets and,
// per folded byte, the code points before its source offset, counted as the engine
// counts them (source bytes that are not continuation bytes), whatever changes length or
// is invalid: full-width forms, ideographic space, 2- and 4-byte sequences, stray
// continuation bytes, truncated sequences, surrogates, overlong forms.
TEST_CASE("the rule engine's folding gives normalize()'s offsets and code-point counts", "[normalize]") {
    const std::vector<std::string> pieces = {
        "退款", "服務態度", "，", "。", "ＡＢＣ１２", "\xE3\x80\x80", "Café", "ÀÉ", "x", "Fee ", "abcdefgh",
        "\xED\xA0\x80", "\xE0\x80\xAF", "\xE4\xB8", "\xFF", "\x80", "\xBF\xBF", "\xC3", "😀", "𠀋", "—", "ﾟ",
        "\xEF\xBF\xA5", "￥", "\xC2\xA0", "Ω", "\n", "",
    };
    auto check = [](const std::string& s) {
        INFO("input bytes: " << s.size());
        const NormalizedText want = normalize(s);
        ck::detail::FoldedText got;
        got.source.assign(3, 7);  // stale content is replaced
        std::size_t first_bad = 0;
        const std::size_t bad = ck::detail::fold_checked(s, got, &first_bad, true);
        REQUIRE(got.text == want.text);
        REQUIRE(got.source.size() == want.source_offset.size());
        std::size_t wrong_bytes = 0, wrong_chars = 0;
        for (std::size_t at = 0; at < got.source.size(); ++at) {
            const std::uint32_t b = got.byte_offset(at);
            if (b != want.source_offset[at]) ++wrong_bytes;
            std::uint32_t chars = 0;
            for (std::size_t i = 0; i < b && i < s.size(); ++i) chars += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
            if (got.char_offset(at) != chars) ++wrong_chars;
        }
        CHECK(wrong_bytes == 0);
        CHECK(wrong_chars == 0);
        std::size_t want_bad = 0, want_first = 0;
        for (std::size_t i = 0; i < s.size();) {
            std::size_t len = 0;
            decode_utf8(s, i, &len);
            if (len == 1 && static_cast<unsigned char>(s[i]) >= 0x80 && want_bad++ == 0) want_first = i;
            i += len;
        }
        CHECK(bad == want_bad);
        if (want_bad) CHECK(first_bad == want_first);
        ck::detail::FoldedText lean;  // without offsets: the same text and count
        CHECK(ck::detail::fold_checked(s, lean, &first_bad, false) == want_bad);
        CHECK(lean.text == want.text);
        CHECK(lean.source.empty());
    };
    for (const std::string& s : random_texts(pieces, 11, 600, 17)) check(s);
    check("");
    check(std::string(300, 'A') + "，" + std::string(5000, 'z'));
    check(std::string(2000, '\xFF') + "態度差，ＯＫ" + std::string(9, 'q'));  // output regrowth
}
