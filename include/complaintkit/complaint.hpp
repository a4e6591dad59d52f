// complaintkit — the complaint record, the archive entry of DOMAIN.md §1 (投诉档案).
//
// Value types with regular semantics. No Boost in this header: a consumer of the model
// needs only the standard library. JSON lives in json.hpp.
#pragma once

#include <complaintkit/taxonomy.hpp>
#include <complaintkit/time.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ck {

/// Money in integer minor units (fen, cents) of an ISO 4217 currency. Never floating point.
struct Money {
    std::int64_t minor = 0;
    std::string currency;  ///< three upper-case letters, e.g. "CNY", "TWD", "USD"
    friend bool operator==(const Money&, const Money&) = default;
};

/// A free typed attribute for root-cause work (the Pontiac case: fuel type, minutes the
/// engine was off, flavour bought). JSON: booleans, integers, numbers and strings map to
/// themselves; a time is {"time": "…ISO-8601…"}; money is {"minor": n, "currency": "CNY"}.
using AttributeValue = std::variant<bool, std::int64_t, double, std::string, Timestamp, Money>;
using Attributes = std::map<std::string, AttributeValue, std::less<>>;

/// Who complained and whose customer it is ("whoever owns the customer is responsible").
struct Customer {
    std::string id;              ///< the host's customer reference
    std::string name;
    std::string contact;         ///< phone / e-mail / address as given
    Tier tier = Tier::unknown;
    Personality personality = Personality::unknown;  ///< if known
    std::string owner;           ///< staff member who owns the customer relationship
    friend bool operator==(const Customer&, const Customer&) = default;
};

/// What would satisfy the customer, as recorded at receipt (ISO 10002 "remedy sought").
struct RemedySought {
    std::vector<RemedyType> types;
    std::string text;
    std::optional<Money> amount;
    friend bool operator==(const RemedySought&, const RemedySought&) = default;
};

/// Facets assigned to the complaint by people (or accepted from the classifier). Each
/// may be unknown. Also the gold labels of evaluation sets.
struct Facets {
    Kind kind = Kind::unknown;
    Category category = Category::unknown;
    Subcategory subcategory = Subcategory::unknown;
    Cause cause = Cause::unknown;
    SubCause sub_cause = SubCause::unknown;
    Attribution attribution = Attribution::unknown;
    Dimension dimension = Dimension::unknown;
    Severity severity = Severity::unknown;
    Personality personality = Personality::unknown;
    Motive motive = Motive::unknown;
    std::optional<bool> reasonable;  ///< staff judgement [seed 004]
    std::vector<std::string> tags;
    friend bool operator==(const Facets&, const Facets&) = default;
    [[nodiscard]] bool empty() const noexcept { return *this == Facets{}; }
};

/// One entry of the append-only history.
struct Event {
    Timestamp at;
    EventType type = EventType::note;
    std::string actor;    ///< staff id, "customer", "system", …
    std::string text;     ///< note / reply text
    std::string payload;  ///< a JSON object as compact text ("{}" when none)
    friend bool operator==(const Event&, const Event&) = default;
};

/// A complaint: the full record.
struct Complaint {
    std::string id;
    Timestamp received_at;
    Channel channel = Channel::unknown;
    Customer customer;               ///< the customer the complaint belongs to
    std::string complainant;         ///< who actually complained, when not the customer
    std::string branch;              ///< branch / store / outlet concerned
    std::vector<std::string> region; ///< region path above the branch, top first (province, city, …)
    std::string product;
    std::string order;
    std::map<std::string, Money, std::less<>> amounts;  ///< "paid", "overcharged", "claimed", …
    std::string language;            ///< BCP-47 tag of the text: "zh-Hans", "zh-Hant", "en", or "mul"
    std::string title;
    std::string text;
    RemedySought remedy_sought;
    Attributes attributes;
    Facets facets;
    std::vector<Event> events;       ///< append-only, non-decreasing in time
    std::string extensions;          ///< unknown top-level fields kept by ParseOptions::preserve_unknown (JSON object text)

    friend bool operator==(const Complaint&, const Complaint&) = default;

    /// Appends an event; throws ck::Error (code out_of_order) if it is earlier than the
    /// last event, leaving the history unchanged.
    void append(Event e);
};

}  // namespace ck
