// complaintkit — the complaint taxonomies (DOMAIN.md §1–§2).
//
// Every taxonomy is an enum with explicit values and a stable lower-snake string code.
// Codes and values never change once released: add, never rename or renumber. The
// numeric values are also the C API's values (capi/complaintkit.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ck {

/// What the complaint is about [seed 004].
enum class Category : std::uint8_t {
    unknown = 0,
    product_quality = 1,   ///< 产品质量
    service_quality = 2,   ///< 服务质量
    logistics = 3,         ///< 物流配送: late, wrong item, lost, damaged
    communication = 4,     ///< 沟通/信息: function, price, promotion misunderstood
    after_sales = 5,       ///< 售后: warranty repair, returns, no response
    other = 6,             ///< misleading advertising, breach of contract, …
};

/// Finer category, each belonging to one Category.
enum class Subcategory : std::uint8_t {
    unknown = 0,
    defect = 1, safety_hazard = 2, expired_or_spoiled = 3, counterfeit = 4,   // product_quality
    staff_behaviour = 10, waiting_time = 11, process_error = 12,              // service_quality
    delivery_late = 20, wrong_item = 21, lost_parcel = 22, damaged_in_transit = 23, // logistics
    function_info = 30, price_info = 31, promotion_info = 32,                 // communication
    warranty_repair = 40, returns_refunds = 41, no_response = 42, installation = 43, // after_sales
    misleading_advertising = 50, breach_of_contract = 51, privacy = 52,       // other
};

/// Why the problem arose [seed 001; bank causes seed 004].
enum class Cause : std::uint8_t {
    unknown = 0,
    product_quality = 1,  ///< 产品质量问题
    service = 2,          ///< 服务水平问题 (six sub-causes)
    price = 3,            ///< 价格问题 / 价格欺诈
    integrity = 4,        ///< 诚信问题
    customer = 5,         ///< 消费者自身原因
    other = 6,
};

/// Sub-cause, each belonging to one Cause.
enum class SubCause : std::uint8_t {
    unknown = 0,
    // product_quality: where responsibility lies
    manufacturer_defect = 1, retailer_storage = 2, retailer_supervision = 3,
    // service: the six sub-causes of seed 001
    improper_handling = 10,   ///< slow, long waits, wrong order of customers, cannot answer
    poor_attitude = 11,       ///< pushy selling, cold looks, impatience, sarcasm
    poor_explanation = 12,    ///< insufficient or false product explanation
    money_error = 13,         ///< wrong sum, overcharging
    broken_appointment = 14,  ///< not at the agreed time (air-conditioner installation)
    label_mismatch = 15,      ///< label ≠ content (box says 5, holds 4)
    // service, banks [seed 004]
    non_compliant_operation = 16, unskilled_staff = 17, impoliteness = 18,
    unequal_treatment = 19, facilities = 20,
    // price
    misleading_price = 30, vague_conditions = 31, hidden_conditions = 32, false_discount = 33,
    // integrity
    broken_contract = 40, broken_promise = 41, exaggeration = 42,
    // customer's own
    misuse = 50, misunderstanding = 51, request_ineligible = 52,
};

/// Whose fault [seed 004].
enum class Attribution : std::uint8_t { unknown = 0, enterprise = 1, consumer = 2, external = 3 };

/// SERVQUAL dimension, "五度" [seed 000].
enum class Dimension : std::uint8_t {
    unknown = 0, tangibles = 1, reliability = 2, responsiveness = 3, assurance = 4, empathy = 5,
};

/// Grade (分级处理); ordered, higher is more serious [seed 004].
enum class Severity : std::uint8_t {
    unknown = 0,
    minor = 1,     ///< 轻微: inconvenience, resolved at the counter
    moderate = 2,  ///< 一般: money or time lost, needs handling
    serious = 3,   ///< 严重: safety hazard, large loss, repeated complaint
    critical = 4,  ///< 重大: media exposure, regulator, lawsuit — actual or threatened
};

/// Customer personality [seed 001].
enum class Personality : std::uint8_t {
    unknown = 0, perfectionist = 1, powerful = 2, lively = 3, peaceful = 4,
};

/// Why the customer complains [seeds 001, 004].
enum class Motive : std::uint8_t {
    unknown = 0, venting = 1, revenge = 2, respect = 3, compensation = 4, improvement = 5,
};

/// A defect/grievance or a suggestion / unmet expectation (a business opportunity, 商机).
enum class Kind : std::uint8_t { unknown = 0, grievance = 1, suggestion = 2 };

/// Lifecycle state.
enum class Status : std::uint8_t {
    received = 0, acknowledged = 1, investigating = 2, awaiting_customer = 3,
    remedy_proposed = 4, resolved = 5, follow_up_done = 6, closed = 7, reopened = 8,
    withdrawn = 9,
};

/// How the complaint arrived [seeds 003, 004].
enum class Channel : std::uint8_t {
    unknown = 0, phone = 1, email = 2, web_form = 3, in_person = 4, fax = 5, letter = 6,
    social_media = 7, chat = 8, app = 9, suggestion_book = 10, suggestion_box = 11,
    director_mailbox = 12, regulator_referral = 13, other = 14,
};

/// Customer value tier [seed 004].
enum class Tier : std::uint8_t { unknown = 0, standard = 1, high_value = 2, key_account = 3 };

/// Remedy / service recovery [seeds 003, 004].
enum class RemedyType : std::uint8_t {
    apology = 0, explanation = 1, discount = 2, coupon = 3, gift = 4, replacement = 5,
    refund = 6, partial_refund = 7, repair = 8, compensation = 9, redelivery = 10,
    reschedule = 11, price_difference_refund = 12, other = 13,
};

/// Kinds of history events. Workflow commands each append one.
enum class EventType : std::uint8_t {
    received = 0, acknowledged = 1, assigned = 2, investigation_started = 3,
    awaiting_customer = 4, customer_replied = 5, escalated = 6, remedy_proposed = 7,
    remedy_accepted = 8, remedy_rejected = 9, resolved = 10, follow_up = 11, closed = 12,
    reopened = 13, withdrawn = 14, note = 15, reply_to_customer = 16, classified = 17,
    corrective_action = 18, preventive_action = 19, attribute_set = 20, policy_changed = 21,
    sla_warning = 22, sla_breached = 23, other = 24,
};

/// Label languages.
enum class Lang : std::uint8_t { en = 0, zh_hans = 1, zh_hant = 2 };

/// Identifies a taxonomy at run time (also the C API's ck_taxonomy values).
enum class TaxonomyId : std::uint8_t {
    category = 0, subcategory = 1, cause = 2, sub_cause = 3, attribution = 4, dimension = 5,
    severity = 6, personality = 7, motive = 8, kind = 9, status = 10, channel = 11,
    tier = 12, remedy_type = 13, event_type = 14,
};
inline constexpr int taxonomy_count = 15;

/// One value of a taxonomy: numeric value, code and labels. `parent` is the value in the
/// parent taxonomy (Subcategory → Category, SubCause → Cause) or -1.
struct TaxonomyEntry {
    int value;
    std::string_view code;
    std::string_view en;
    std::string_view zh_hans;
    std::string_view zh_hant;
    int parent = -1;

    [[nodiscard]] std::string_view label(Lang lang) const noexcept {
        switch (lang) {
        case Lang::zh_hans: return zh_hans;
        case Lang::zh_hant: return zh_hant;
        default: return en;
        }
    }
};

/// All values of a taxonomy, in numeric order.
std::span<const TaxonomyEntry> taxonomy_entries(TaxonomyId id) noexcept;
/// The taxonomy's own code ("category", "sub_cause", …).
std::string_view taxonomy_name(TaxonomyId id) noexcept;
std::optional<TaxonomyId> taxonomy_from_name(std::string_view name) noexcept;
/// Entry for a value, or nullptr if the value is not defined.
const TaxonomyEntry* taxonomy_find(TaxonomyId id, int value) noexcept;
/// Entry for a code, or nullptr. Codes are matched exactly (lower-snake).
const TaxonomyEntry* taxonomy_find(TaxonomyId id, std::string_view code) noexcept;
/// Label language from a BCP-47 tag: "en", "zh-Hans" (also zh-CN, zh-SG), "zh-Hant"
/// (also zh-TW, zh-HK, zh-MO).
std::optional<Lang> lang_from_tag(std::string_view tag) noexcept;

template <class E> struct taxonomy_traits;
#define CK_TAXONOMY_TRAITS(E, ID) \
    template <> struct taxonomy_traits<E> { static constexpr TaxonomyId id = TaxonomyId::ID; }
CK_TAXONOMY_TRAITS(Category, category);
CK_TAXONOMY_TRAITS(Subcategory, subcategory);
CK_TAXONOMY_TRAITS(Cause, cause);
CK_TAXONOMY_TRAITS(SubCause, sub_cause);
CK_TAXONOMY_TRAITS(Attribution, attribution);
CK_TAXONOMY_TRAITS(Dimension, dimension);
CK_TAXONOMY_TRAITS(Severity, severity);
CK_TAXONOMY_TRAITS(Personality, personality);
CK_TAXONOMY_TRAITS(Motive, motive);
CK_TAXONOMY_TRAITS(Kind, kind);
CK_TAXONOMY_TRAITS(Status, status);
CK_TAXONOMY_TRAITS(Channel, channel);
CK_TAXONOMY_TRAITS(Tier, tier);
CK_TAXONOMY_TRAITS(RemedyType, remedy_type);
CK_TAXONOMY_TRAITS(EventType, event_type);
#undef CK_TAXONOMY_TRAITS

template <class E>
concept TaxonomyEnum = requires { taxonomy_traits<E>::id; };

/// Stable code of a value ("product_quality"); empty for a value outside the taxonomy.
template <TaxonomyEnum E> std::string_view to_code(E v) noexcept {
    const TaxonomyEntry* e = taxonomy_find(taxonomy_traits<E>::id, static_cast<int>(v));
    return e ? e->code : std::string_view{};
}
/// Value for a code, or nullopt for an unknown code.
template <TaxonomyEnum E> std::optional<E> from_code(std::string_view code) noexcept {
    const TaxonomyEntry* e = taxonomy_find(taxonomy_traits<E>::id, code);
    if (!e) return std::nullopt;
    return static_cast<E>(e->value);
}
/// Human label of a value in a language.
template <TaxonomyEnum E> std::string_view label(E v, Lang lang = Lang::en) noexcept {
    const TaxonomyEntry* e = taxonomy_find(taxonomy_traits<E>::id, static_cast<int>(v));
    return e ? e->label(lang) : std::string_view{};
}

/// The Category a Subcategory belongs to; the Cause a SubCause belongs to.
Category parent_of(Subcategory s) noexcept;
Cause parent_of(SubCause s) noexcept;

}  // namespace ck
