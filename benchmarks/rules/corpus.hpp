// Generated benchmark corpus and keyword pack for benchmarks/rules (deterministic).
#pragma once

#include <complaintkit/rules.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ckbench {

/// ≈ 240-byte complaints mixing zh-Hans, zh-Hant and English (a third each), seeded.
inline std::vector<std::string> make_corpus(std::size_t n, std::uint32_t seed = 42) {
    static const std::vector<std::string> hans = {
        "我上周在你们网店买的电饭煲，", "快递一个星期了还没到，", "物流信息一直不更新，", "打客服电话一直占线，", "客服态度很差还不耐烦，",
        "收到的时候外包装破损了，", "用了两天就坏了，", "结账的时候多收了我二十块钱，", "说好的充10送100根本用不了，", "安装师傅约好上午来结果没来，",
        "盒子上写5个打开只有4个，", "我要求全额退款，", "希望你们尽快处理，", "不然我就打12315投诉，", "这已经是第二次了，",
        "店员一直推销办卡，", "排队等了一个多小时，", "发票到现在也没开，", "建议增加夜间配送，", "真的太失望了。",
    };
    static const std::vector<std::string> hant = {
        "我上週在你們網店買的電鍋，", "宅配一個星期了還沒到，", "物流資訊一直不更新，", "打客服專線一直佔線，", "客服態度很差還不耐煩，",
        "收到的時候外包裝破損了，", "用了兩天就壞了，", "結帳的時候多收了我二十塊錢，", "說好的儲值送點數根本不能用，", "安裝師傅約好上午來結果沒來，",
        "盒子上寫5個打開只有4個，", "我要求全額退款，", "希望你們盡快處理，", "不然我就找消基會，", "這已經是第二次了，",
        "店員一直推銷辦卡，", "排隊等了一個多小時，", "發票到現在也沒開，", "建議增加夜間配送，", "真的太失望了。",
    };
    static const std::vector<std::string> en = {
        "I ordered a rice cooker from your online store last week ", "and the package still hasn't arrived, ",
        "tracking has not updated for days, ", "your hotline was busy every time I called, ",
        "the agent was rude and impatient, ", "the box arrived damaged, ", "it stopped working after two days, ",
        "the cashier overcharged me by $20, ", "the promo code didn't work at checkout, ",
        "the technician never showed up for the appointment, ", "the box says 5 but there were only 4 inside, ",
        "I want a full refund, ", "please fix this as soon as possible, ", "or I will report you to the BBB. ",
        "This is the second time this happened. ", "staff kept pushing a store card on me, ",
        "I waited in the queue for over an hour, ", "I still have no invoice, ", "it would be great if you offered evening delivery. ",
        "Honestly very disappointed. ",
    };
    std::mt19937 rng(seed);
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& frags = (i % 3 == 0) ? hans : (i % 3 == 1) ? hant : en;
        std::string s;
        while (s.size() < 220) s += frags[rng() % frags.size()];
        out.push_back(std::move(s));
    }
    return out;
}

/// The default pack plus generated keyword rules so the pack has ≥ `keywords` keywords.
inline std::string make_pack(std::size_t keywords) {
    std::string pack(ck::RuleSet::default_pack_json());
    const std::size_t existing = ck::RuleSet::default_rules().keyword_count();
    std::string extra;
    std::mt19937 rng(7);
    static const char* syllables[] = {"ka", "lo", "mi", "ter", "zan", "qu", "vor", "pel", "dri", "sto"};
    static const char* han[] = {"型号", "配件", "套餐", "会员", "门店", "专柜", "尺码", "批次", "颜色", "规格"};
    std::size_t added = 0, rule = 0;
    while (existing + added < keywords) {
        extra += ",\n    {\"id\": \"bench.extra." + std::to_string(rule++) + "\", \"order\": 75, \"when\": {\"text_any\": [";
        for (int k = 0; k < 50 && existing + added < keywords; ++k, ++added) {
            std::string kw;
            if (added % 2) {
                kw = std::string(han[rng() % 10]) + std::to_string(100 + added);
            } else {
                for (int j = 0; j < 3; ++j) kw += syllables[rng() % 10];
                kw += std::to_string(added);
            }
            extra += (k ? ", \"" : "\"") + kw + "\"";
        }
        extra += "]}, \"set\": {\"tags\": [\"bench\"]}}";
    }
    const auto end = pack.rfind("\n  ]");
    pack.insert(end, extra);
    return pack;
}

}  // namespace ckbench
