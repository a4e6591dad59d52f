// Build-time generator of the Traditional→Simplified code point table (not part of the
// library). Two modes:
//   t2s_table_gen codepoints OUT            one candidate code point per line (CJK blocks)
//   t2s_table_gen table OUT.cpp IN CONV...  IN is the candidates file, each CONV the same
//                                           file converted by `opencc -c <config>`; the
//                                           first conversion that maps a character to one
//                                           different character wins.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

void put_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Decodes a line holding exactly one code point; returns 0 otherwise.
char32_t single(const std::string& s) {
    if (s.empty()) return 0;
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    std::size_t len;
    char32_t c;
    if (b(0) < 0x80) { len = 1; c = b(0); }
    else if ((b(0) & 0xE0) == 0xC0) { len = 2; c = b(0) & 0x1F; }
    else if ((b(0) & 0xF0) == 0xE0) { len = 3; c = b(0) & 0x0F; }
    else if ((b(0) & 0xF8) == 0xF0) { len = 4; c = b(0) & 0x07; }
    else return 0;
    if (s.size() != len) return 0;
    for (std::size_t i = 1; i < len; ++i) c = (c << 6) | (b(i) & 0x3F);
    return c;
}

std::vector<std::string> lines(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "t2s_table_gen: cannot read " << path << "\n";
        std::exit(1);
    }
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "codepoints") {
        const std::pair<char32_t, char32_t> blocks[] = {
            {0x2E80, 0x2FDF}, {0x3005, 0x3007}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
            {0xF900, 0xFAFF}, {0x20000, 0x2A6DF}, {0x2A700, 0x2EBEF}, {0x2F800, 0x2FA1F},
        };
        std::string out;
        for (auto [lo, hi] : blocks)
            for (char32_t c = lo; c <= hi; ++c) {
                put_utf8(out, c);
                out += '\n';
            }
        std::ofstream(argv[2], std::ios::binary) << out;
        return 0;
    }
    if (argc >= 5 && std::string(argv[1]) == "table") {
        const auto input = lines(argv[3]);
        std::map<char32_t, char32_t> table;
        for (int k = 4; k < argc; ++k) {
            const auto conv = lines(argv[k]);
            if (conv.size() != input.size()) {
                std::cerr << "t2s_table_gen: " << argv[k] << " has " << conv.size() << " lines, expected "
                          << input.size() << "\n";
                return 1;
            }
            for (std::size_t i = 0; i < input.size(); ++i) {
                const char32_t from = single(input[i]);
                const char32_t to = single(conv[i]);
                if (from == 0 || to == 0 || from == to) continue;
                // Folding never lengthens valid UTF-8: keep BMP sources on BMP targets.
                if (from < 0x10000 && to >= 0x10000) continue;
                table.emplace(from, to);  // the first conversion wins
            }
        }
        // Collapse chains (A→B, B→C gives A→C) so folding is idempotent.
        for (auto& [from, to] : table) {
            for (int guard = 0; guard < 4; ++guard) {
                auto it = table.find(to);
                if (it == table.end() || it->second == from) break;
                to = it->second;
            }
        }
        std::string out =
            "// Generated at build time by src/gen/t2s_table_gen.cpp from OpenCC's character data.\n"
            "// Do not edit.\n#include <cstddef>\n\nnamespace ck::detail {\n\n"
            "extern const char32_t kT2sTable[][2];\nextern const std::size_t kT2sTableSize;\n\n"
            "const char32_t kT2sTable[][2] = {\n";
        char buf[64];
        for (auto [from, to] : table) {
            std::snprintf(buf, sizeof buf, "    {0x%05X, 0x%05X},\n", static_cast<unsigned>(from),
                          static_cast<unsigned>(to));
            out += buf;
        }
        out += "};\nconst std::size_t kT2sTableSize = " + std::to_string(table.size()) +
               ";\n\n}  // namespace ck::detail\n";
        std::ofstream(argv[2], std::ios::binary) << out;
        return 0;
    }
    std::cerr << "usage: t2s_table_gen codepoints OUT | table OUT.cpp IN CONVERTED...\n";
    return 2;
}
