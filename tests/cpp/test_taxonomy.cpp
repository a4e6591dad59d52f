#include <catch2/catch.hpp>

#include <complaintkit/taxonomy.hpp>
#include <complaintkit/utf8.hpp>

#include <set>
#include <string>

using namespace ck;

TEST_CASE("every taxonomy has unique codes, unique values and three labels", "[taxonomy]") {
    for (int i = 0; i < taxonomy_count; ++i) {
        const auto id = static_cast<TaxonomyId>(i);
        INFO("taxonomy " << taxonomy_name(id));
        REQUIRE(taxonomy_from_name(taxonomy_name(id)) == id);
        std::set<std::string_view> codes;
        std::set<int> values;
        int prev = -1;
        for (const auto& e : taxonomy_entries(id)) {
            INFO("code " << e.code);
            CHECK(codes.insert(e.code).second);
            CHECK(values.insert(e.value).second);
            CHECK(e.value > prev);  // numeric order
            prev = e.value;
            CHECK(!e.en.empty());
            CHECK(!e.zh_hans.empty());
            CHECK(!e.zh_hant.empty());
            CHECK(is_valid_utf8(e.zh_hans));
            CHECK(is_valid_utf8(e.zh_hant));
            // lower_snake codes
            for (char c : e.code) CHECK(((c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9')));
            CHECK(taxonomy_find(id, e.code) == &e);
            CHECK(taxonomy_find(id, e.value) == &e);
        }
    }
}

TEST_CASE("codes are stable: released values never move", "[taxonomy]") {
    CHECK(to_code(Category::product_quality) == "product_quality");
    CHECK(static_cast<int>(*from_code<Category>("after_sales")) == 5);
    CHECK(static_cast<int>(*from_code<SubCause>("label_mismatch")) == 15);
    CHECK(static_cast<int>(*from_code<SubCause>("broken_appointment")) == 14);
    CHECK(static_cast<int>(*from_code<Channel>("suggestion_box")) == 11);
    CHECK(static_cast<int>(*from_code<Status>("withdrawn")) == 9);
    CHECK(static_cast<int>(*from_code<Severity>("critical")) == 4);
    CHECK(static_cast<int>(*from_code<Dimension>("empathy")) == 5);
    CHECK(!from_code<Category>("Product_Quality").has_value());
    CHECK(!from_code<Channel>("telephone").has_value());
    CHECK(to_code(static_cast<Category>(99)).empty());
}

TEST_CASE("labels in three languages", "[taxonomy]") {
    CHECK(label(Dimension::tangibles, Lang::zh_hans) == "有形度");
    CHECK(label(Dimension::reliability, Lang::zh_hant) == "信賴度");
    CHECK(label(Dimension::responsiveness, Lang::zh_hans) == "反应度");
    CHECK(label(Personality::perfectionist, Lang::zh_hant) == "完美型");
    CHECK(label(Personality::lively, Lang::zh_hant) == "活潑型");
    CHECK(label(Cause::price) == "Price");
    CHECK(label(Channel::suggestion_book, Lang::zh_hans) == "意见簿");
    CHECK(lang_from_tag("zh-TW") == Lang::zh_hant);
    CHECK(lang_from_tag("zh_CN") == Lang::zh_hans);
    CHECK(lang_from_tag("zh-Hant-HK") == Lang::zh_hant);
    CHECK(lang_from_tag("en-GB") == Lang::en);
    CHECK(!lang_from_tag("fr").has_value());
}

TEST_CASE("parent_of agrees with the tables' parent column for every value", "[taxonomy]") {
    for (const auto& e : taxonomy_entries(TaxonomyId::subcategory))
        CHECK(static_cast<int>(parent_of(static_cast<Subcategory>(e.value))) == (e.parent >= 0 ? e.parent : 0));
    for (const auto& e : taxonomy_entries(TaxonomyId::sub_cause))
        CHECK(static_cast<int>(parent_of(static_cast<SubCause>(e.value))) == (e.parent >= 0 ? e.parent : 0));
    CHECK(parent_of(static_cast<Subcategory>(250)) == Category::unknown);  // no such value
    CHECK(parent_of(static_cast<SubCause>(255)) == Cause::unknown);
}

TEST_CASE("the domain's values are all present", "[taxonomy]") {
    // DOMAIN.md §2: six service sub-causes, five dimensions, four personalities, five motives
    for (auto code : {"improper_handling", "poor_attitude", "poor_explanation", "money_error", "broken_appointment",
                      "label_mismatch"}) {
        auto s = from_code<SubCause>(code);
        REQUIRE(s);
        CHECK(parent_of(*s) == Cause::service);
    }
    for (auto code : {"non_compliant_operation", "unskilled_staff", "impoliteness", "unequal_treatment", "facilities"})
        CHECK(parent_of(*from_code<SubCause>(code)) == Cause::service);
    CHECK(parent_of(SubCause::request_ineligible) == Cause::customer);
    CHECK(parent_of(SubCause::manufacturer_defect) == Cause::product_quality);
    CHECK(parent_of(SubCause::false_discount) == Cause::price);
    CHECK(parent_of(SubCause::broken_promise) == Cause::integrity);
    CHECK(parent_of(Subcategory::wrong_item) == Category::logistics);
    CHECK(parent_of(Subcategory::misleading_advertising) == Category::other);
    CHECK(parent_of(Subcategory::unknown) == Category::unknown);
    CHECK(taxonomy_entries(TaxonomyId::dimension).size() == 6);
    CHECK(taxonomy_entries(TaxonomyId::personality).size() == 5);
    CHECK(taxonomy_entries(TaxonomyId::motive).size() == 6);
    CHECK(taxonomy_entries(TaxonomyId::attribution).size() == 4);
    CHECK(taxonomy_entries(TaxonomyId::status).size() == 10);
    for (auto code : {"phone", "email", "web_form", "in_person", "fax", "letter", "social_media", "chat", "app",
                      "suggestion_book", "suggestion_box", "director_mailbox"})
        CHECK(from_code<Channel>(code).has_value());
    for (auto code : {"apology", "discount", "coupon", "gift", "replacement", "refund", "repair"})
        CHECK(from_code<RemedyType>(code).has_value());
    // every subcategory other than unknown has a parent category; every sub-cause a cause
    for (const auto& e : taxonomy_entries(TaxonomyId::subcategory))
        if (e.value != 0) CHECK(taxonomy_find(TaxonomyId::category, e.parent) != nullptr);
    for (const auto& e : taxonomy_entries(TaxonomyId::sub_cause))
        if (e.value != 0) CHECK(taxonomy_find(TaxonomyId::cause, e.parent) != nullptr);
}

TEST_CASE("severity is ordered", "[taxonomy]") {
    CHECK(Severity::minor < Severity::moderate);
    CHECK(Severity::moderate < Severity::serious);
    CHECK(Severity::serious < Severity::critical);
}
