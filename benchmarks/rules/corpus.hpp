// Generated benchmark corpus and keyword pack for benchmarks/rules (deterministic).
#pragma once

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

#include <algorithm>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ckbench {

/// ≈ 240-byte complaints mixing zh-Hans, zh-Hant and English (a third each), seeded.
/// `keyword_share` is the share of fragments that carry complaint vocabulary; the rest are
/// neutral narrative. 1.0 (the default) gives the keyword-dense corpus; a lower share gives
/// the density of real complaints (benchmarks/rules/README.md).
inline std::vector<std::string> make_corpus(std::size_t n, std::uint32_t seed = 42, double keyword_share = 1.0) {
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
    // Narrative without complaint vocabulary (none of these matches a keyword of the
    // default pack: checked by the `sparse corpus fillers` test in tests/cpp).
    static const std::vector<std::string> hans_fill = {
        "我是你们的老客户了，", "那天下午三点左右到的，", "当时人不算多，", "我和家人一起去的，", "我住在城东那边，",
        "我朋友推荐我来的，", "东西是给我妈买的，", "本来想着顺便逛逛，", "那天天气挺好，", "我平时上班比较忙，",
        "我记得是上个月中旬，", "我在手机上下的单，", "我家小孩也在旁边，", "我把情况跟我老公说了，", "后来我又去了一趟，",
        "我们全家都很喜欢，", "那是个星期六，", "我一般都是晚上下班再看，", "我之前也来过几次，", "我想问问是怎么回事。",
    };
    static const std::vector<std::string> hant_fill = {
        "我是你們的老客戶了，", "那天下午三點左右到的，", "當時人不算多，", "我和家人一起去的，", "我住在城東那邊，",
        "我朋友推薦我來的，", "東西是給我媽買的，", "本來想說順便逛逛，", "那天天氣不錯，", "我平常上班比較忙，",
        "我記得是上個月中旬，", "我在手機上下的單，", "我家小孩也在旁邊，", "我把情況跟我先生說了，", "後來我又去了一趟，",
        "我們全家都很喜歡，", "那是個星期六，", "我一般都是晚上下班再看，", "我之前也來過幾次，", "我想問問是怎麼回事。",
    };
    static const std::vector<std::string> en_fill = {
        "I have shopped with you for years ", "and I went in on Saturday afternoon, ", "it was quiet at the time, ",
        "I was there with my family, ", "I live on the east side of town, ", "a friend told me about your shop, ",
        "it was a gift for my mother, ", "I was planning to look around anyway, ", "the weather was nice that day, ",
        "I work long hours during the week, ", "I think it was in the middle of last month, ", "I used my phone, ",
        "my kids were with me, ", "I told my husband about it, ", "later I went back again, ",
        "we all like your products, ", "it was a Saturday, ", "I usually read my mail in the evening, ",
        "I have been there a few times before, ", "I would like to know what happened. ",
    };
    std::mt19937 rng(seed);
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const int script = static_cast<int>(i % 3);
        const auto& frags = script == 0 ? hans : script == 1 ? hant : en;
        const auto& fill = script == 0 ? hans_fill : script == 1 ? hant_fill : en_fill;
        std::string s;
        while (s.size() < 220) {
            const bool cue = keyword_share >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng) < keyword_share;
            const auto& from = cue ? frags : fill;
            s += from[rng() % from.size()];
        }
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

/// Keywords of a pack, folded and de-duplicated (every string inside a text_any /
/// text_all list of its JSON): what the raw scanner baseline scans for.
inline std::vector<std::string> pack_keywords(const std::string& pack) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = pack.find("\"text_a", pos)) != std::string::npos) {
        const std::size_t open = pack.find('[', pos);
        const std::size_t close = pack.find(']', open);
        std::size_t q = open;
        while ((q = pack.find('"', q + 1)) != std::string::npos && q < close) {
            const std::size_t e = pack.find('"', q + 1);
            std::string kw = pack.substr(q + 1, e - q - 1);
            if (!kw.empty() && kw.front() == '*') kw.erase(0, 1);
            if (!kw.empty() && kw.back() == '*') kw.pop_back();
            out.push_back(ck::normalize_text(kw));
            q = e;
        }
        pos = close;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace ckbench
