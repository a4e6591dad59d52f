// Loads complaints from JSON Lines and prints them summarised. Usage: ck_demo [file.jsonl] [--lang zh-Hans]
#include <complaintkit/complaintkit.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

int main(int argc, char** argv) {
    std::string path = "examples/data/complaints.jsonl";
    ck::Lang lang = ck::Lang::en;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--lang" && i + 1 < argc) {
            auto l = ck::lang_from_tag(argv[++i]);
            if (!l) {
                std::cerr << "ck_demo: unknown language " << argv[i] << "\n";
                return 2;
            }
            lang = *l;
        } else {
            path = a;
        }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "ck_demo: cannot open " << path << "\n";
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<ck::Complaint> complaints;
    std::size_t bad = 0;
    ck::read_jsonl(
        ss.str(), [&](ck::Complaint&& c) { complaints.push_back(std::move(c)); },
        [&](std::size_t line, const ck::Error& e) {
            ++bad;
            std::cerr << path << ":" << line << ": " << e.what() << "\n";
        });

    std::map<std::string, int> by_lang, by_channel, by_category, by_severity, by_status;
    std::size_t events = 0;
    for (const auto& c : complaints) {
        ++by_lang[c.language.empty() ? "?" : c.language];
        ++by_channel[std::string(ck::label(c.channel, lang))];
        ++by_category[std::string(ck::label(c.facets.category, lang))];
        ++by_severity[std::string(ck::label(c.facets.severity, lang))];
        events += c.events.size();
        ++by_status[c.events.empty() ? "received" : std::string(ck::to_code(c.events.back().type))];
    }
    std::printf("complaintkit %s — %zu complaints from %s (%zu rejected), %zu history events\n",
                ck::version_string, complaints.size(), path.c_str(), bad, events);
    auto table = [](const char* title, const std::map<std::string, int>& m) {
        std::printf("\n%s\n", title);
        for (const auto& [k, v] : m) std::printf("  %-32s %4d\n", k.c_str(), v);
    };
    table("By language", by_lang);
    table("By channel", by_channel);
    table("By category (as labelled)", by_category);
    table("By severity (as labelled)", by_severity);
    table("By last event", by_status);
    std::printf("\nFirst complaints:\n");
    for (std::size_t i = 0; i < complaints.size() && i < 8; ++i) {
        const auto& c = complaints[i];
        std::string t = c.text.substr(0, 72);
        while (!t.empty() && !ck::is_valid_utf8(t)) t.pop_back();
        std::printf("  %-14s %s  %-8s %s…\n", c.id.c_str(), ck::format_timestamp(c.received_at).c_str(),
                    c.language.c_str(), t.c_str());
    }
    return bad == 0 ? 0 : 1;
}
