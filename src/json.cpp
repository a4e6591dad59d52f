// complaintkit — complaint JSON: strict parsing with JSON-pointer errors, lossless writing.
#include "json_internal.hpp"

#include <complaintkit/json.hpp>
#include <complaintkit/utf8.hpp>

#include <algorithm>
#include <cstdint>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ck::detail {

std::string pointer_escape(std::string_view key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

namespace {
thread_local bool t_utf8_valid = false;  // see Utf8AlreadyValid
}  // namespace

Utf8AlreadyValid::Utf8AlreadyValid() noexcept : previous_(t_utf8_valid) { t_utf8_valid = true; }
Utf8AlreadyValid::~Utf8AlreadyValid() { t_utf8_valid = previous_; }

json::value parse_json(std::string_view text) {
    json::parse_options opt;
    opt.allow_invalid_utf8 = true;  // reported later with the path of the string
    opt.max_depth = 64;
    json::stream_parser p({}, opt);
    boost::system::error_code ec;
    std::size_t n = p.write_some(text.data(), text.size(), ec);
    if (!ec && n < text.size()) {
        // write_some stops after one complete value: anything but whitespace is an error.
        auto rest = text.substr(n);
        if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            ec = json::error::extra_data;
            n += rest.find_first_not_of(" \t\r\n");
        }
    }
    if (!ec) p.finish(ec);
    if (ec) {
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i < n && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
                ++col;
            }
        }
        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
            throw Error(ErrorCode::parse, "malformed JSON: empty input");
        throw Error(ErrorCode::parse, "malformed JSON at line " + std::to_string(line) + ", column " +
                                          std::to_string(col) + ": " + ec.message());
    }
    return p.release();
}

static const char* kind_name(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
    }
    return "a value";
}

namespace {

/// A JSON pointer that is only spelled out when an error needs it: a root string, then a
/// chain of links to the parent (on the caller's stack) plus a member key or array index.
/// A child must not outlive its parent; keys are views into the document.
class PathRef {
public:
    static PathRef root(std::string_view base) noexcept { return PathRef(nullptr, base, 0, Kind::root); }
    [[nodiscard]] PathRef key(std::string_view k) const noexcept { return PathRef(this, k, 0, Kind::key); }
    [[nodiscard]] PathRef index(std::size_t i) const noexcept { return PathRef(this, {}, i, Kind::index); }

    [[nodiscard]] std::string str() const {
        std::string out;
        append_to(out);
        return out;
    }
    void append_to(std::string& out) const {
        switch (kind_) {
        case Kind::root: out += text_; break;
        case Kind::key:
            parent_->append_to(out);
            out += '/';
            out += pointer_escape(text_);
            break;
        case Kind::index:
            parent_->append_to(out);
            out += '/';
            out += std::to_string(index_);
            break;
        }
    }

private:
    enum class Kind : unsigned char { root, key, index };
    PathRef(const PathRef* parent, std::string_view text, std::size_t index, Kind kind) noexcept
        : parent_(parent), text_(text), index_(index), kind_(kind) {}
    const PathRef* parent_;
    std::string_view text_;  ///< the root string or the (unescaped) key
    std::size_t index_;
    Kind kind_;
};

/// The allocation-free counterpart of Node: same checks, same messages, lazy path.
struct LNode {
    const json::value* v;
    PathRef path;

    [[nodiscard]] const json::value& operator*() const noexcept { return *v; }
    [[noreturn]] void fail(ErrorCode c, const std::string& message) const { throw Error(c, message, path.str()); }

    /// A UTF-8 string, as a view into the document.
    [[nodiscard]] std::string_view sv() const {
        if (!v->is_string()) fail(ErrorCode::invalid_value, std::string("expected a string, got ") + kind_name(*v));
        const auto& s = v->get_string();
        const std::string_view out(s.data(), s.size());
        if (!t_utf8_valid && !is_valid_utf8(out)) require_utf8(out, path.str());
        return out;
    }
    [[nodiscard]] std::string str() const { return std::string(sv()); }
    [[nodiscard]] std::string str_nonempty() const {
        std::string s = str();
        if (s.empty()) fail(ErrorCode::invalid_value, "must not be empty");
        return s;
    }
    [[nodiscard]] std::int64_t int64() const {
        if (v->is_int64()) return v->get_int64();
        if (v->is_uint64()) fail(ErrorCode::invalid_value, "integer out of range");
        if (v->is_double()) {
            const double d = v->get_double();
            if (std::trunc(d) == d && std::abs(d) < 9.0e15) return static_cast<std::int64_t>(d);
            fail(ErrorCode::invalid_value, "expected an integer, got a fractional number");
        }
        fail(ErrorCode::invalid_value, std::string("expected an integer, got ") + kind_name(*v));
    }
    [[nodiscard]] double number() const {
        if (v->is_int64()) return static_cast<double>(v->get_int64());
        if (v->is_uint64()) return static_cast<double>(v->get_uint64());
        if (v->is_double()) return v->get_double();
        fail(ErrorCode::invalid_value, std::string("expected a number, got ") + kind_name(*v));
    }
    [[nodiscard]] bool boolean() const {
        if (!v->is_bool()) fail(ErrorCode::invalid_value, std::string("expected a boolean, got ") + kind_name(*v));
        return v->get_bool();
    }
    [[nodiscard]] Timestamp time() const {
        const std::string_view s = sv();
        try {
            return parse_timestamp(s);
        } catch (const Error& e) {
            throw Error(e.code(), e.message(), path.str());
        }
    }
    [[nodiscard]] Money money() const;
    [[nodiscard]] const json::array& array() const {
        if (!v->is_array()) fail(ErrorCode::invalid_value, std::string("expected an array, got ") + kind_name(*v));
        return v->get_array();
    }
    /// Element i; the result refers to this node's path, so it must not outlive it.
    [[nodiscard]] LNode at(std::size_t i) const { return LNode{&array()[i], path.index(i)}; }
    [[nodiscard]] std::vector<std::string> strings() const {
        std::vector<std::string> out;
        const auto& a = array();
        out.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) out.emplace_back(at(i).sv());
        return out;
    }
    template <TaxonomyEnum E> [[nodiscard]] E code() const {
        const std::string_view s = sv();
        auto e = from_code<E>(s);
        if (!e)
            fail(ErrorCode::unknown_code, "unknown " + std::string(taxonomy_name(taxonomy_traits<E>::id)) + " code \"" +
                                              std::string(s) + "\"");
        return *e;
    }
    template <TaxonomyEnum E> [[nodiscard]] std::vector<E> codes() const {
        std::vector<E> out;
        const auto& a = array();
        out.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) out.push_back(at(i).code<E>());
        return out;
    }
};

/// Which members of an object were read, by position, without allocating for objects of
/// up to 64 members.
class SeenSet {
public:
    explicit SeenSet(std::size_t n) {
        if (n > 64) big_.assign(n, false);
    }
    void set(std::size_t i) {
        if (big_.empty()) small_ |= std::uint64_t{1} << i;
        else big_[i] = true;
    }
    void set_all(std::size_t n) {
        if (big_.empty()) small_ = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
        else big_.assign(big_.size(), true);
    }
    [[nodiscard]] bool test(std::size_t i) const { return big_.empty() ? (small_ >> i) & 1U : big_[i]; }

private:
    std::uint64_t small_ = 0;
    std::vector<bool> big_;
};

/// Throws for the first key of `obj` that is not valid UTF-8, at "<path>/(key)".
template <class PathFn> void require_utf8_keys(const json::object& obj, PathFn&& path) {
    if (t_utf8_valid) return;
    for (const auto& kv : obj) {
        const std::string_view k(kv.key().data(), kv.key().size());
        if (!is_valid_utf8(k)) require_utf8(k, path() + "/(key)");
    }
}

/// The first member of `obj` whose position `seen` rejects, or nullptr.
template <class Seen> const json::key_value_pair* first_unread(const json::object& obj, Seen&& seen) {
    std::size_t i = 0;
    for (const auto& kv : obj)
        if (!seen(i++)) return &kv;
    return nullptr;
}

/// The members of `obj` whose position `seen` rejects, as a new object.
template <class Seen> json::object unread_members(const json::object& obj, Seen&& seen) {
    json::object out;
    std::size_t i = 0;
    for (const auto& kv : obj)
        if (!seen(i++)) out.emplace(kv.key(), kv.value());
    return out;
}

/// The allocation-free counterpart of ObjectIn. Children refer to this object's path:
/// it must outlive them, and it cannot be copied or moved.
class LObject {
public:
    explicit LObject(const LNode& n) : path_(n.path), obj_(object_of(n)), seen_(obj_->size()) {
        require_utf8_keys(*obj_, [&] { return path_.str(); });
        for (const auto& kv : *obj_) keys_ |= key_bit({kv.key().data(), kv.key().size()});
    }
    LObject(const LObject&) = delete;
    LObject& operator=(const LObject&) = delete;

    [[nodiscard]] std::optional<LNode> opt(std::string_view key) {
        // Most lookups are of optional fields that are absent: a filter of the keys present
        // answers those without comparing the key against every member.
        if (!(keys_ & key_bit(key))) return std::nullopt;
        // Documents written in the order the readers read (complaintkit's own output) find
        // each key right after the previous one.
        auto it = obj_->begin() + static_cast<std::ptrdiff_t>(next_);
        if (next_ >= obj_->size() || std::string_view(it->key().data(), it->key().size()) != key) it = obj_->find(key);
        if (it == obj_->end()) return std::nullopt;
        next_ = static_cast<std::size_t>(it - obj_->begin()) + 1;
        seen_.set(static_cast<std::size_t>(it - obj_->begin()));
        if (it->value().is_null()) return std::nullopt;
        return LNode{&it->value(), path_.key(it->key())};
    }
    [[nodiscard]] LNode req(std::string_view key) {
        auto n = opt(key);
        if (!n) throw Error(ErrorCode::missing_field, "required field is missing", path_.str() + "/" + pointer_escape(key));
        return *n;
    }
    void reject_unknown() const {
        if (const auto* kv = first_unread(*obj_, [this](std::size_t i) { return seen_.test(i); }))
            throw Error(ErrorCode::invalid_value, "unknown field", path_.str() + "/" + pointer_escape(kv->key()));
    }
    [[nodiscard]] json::object unknown() const {
        return unread_members(*obj_, [this](std::size_t i) { return seen_.test(i); });
    }
    /// Marks every member read; iterate object() and use child() for their nodes.
    void take_all() { seen_.set_all(obj_->size()); }
    [[nodiscard]] const json::object& object() const noexcept { return *obj_; }
    [[nodiscard]] LNode child(const json::key_value_pair& kv) const noexcept {
        return LNode{&kv.value(), path_.key(kv.key())};
    }
    [[nodiscard]] const PathRef& path() const noexcept { return path_; }

private:
    static const json::object* object_of(const LNode& n) {
        if (!n.v->is_object()) n.fail(ErrorCode::invalid_value, std::string("expected an object, got ") + kind_name(*n.v));
        return &n.v->get_object();
    }
    /// One of 64 bits for a key, from its length and its first and last bytes.
    static std::uint64_t key_bit(std::string_view k) noexcept {
        if (k.empty()) return 1;
        const unsigned h = static_cast<unsigned>(k.size()) * 7u + static_cast<unsigned char>(k.front()) * 3u +
                           static_cast<unsigned char>(k.back());
        return std::uint64_t{1} << (h & 63u);
    }
    PathRef path_;
    const json::object* obj_;
    SeenSet seen_;
    std::uint64_t keys_ = 0;  ///< key_bit of every member
    std::size_t next_ = 0;    ///< position after the member found last
};

Money LNode::money() const {
    LObject o(*this);
    Money m;
    LNode minor = o.req("minor");
    m.minor = minor.int64();
    if (m.minor < 0) minor.fail(ErrorCode::invalid_value, "money must not be negative");
    LNode cur = o.req("currency");
    m.currency = cur.str();
    if (m.currency.size() != 3 ||
        !std::all_of(m.currency.begin(), m.currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        cur.fail(ErrorCode::invalid_value, "not an ISO 4217 currency code: \"" + m.currency + "\"");
    o.reject_unknown();
    return m;
}

}  // namespace

// Node: the same checks through a lazily spelled path.
std::string Node::str() const { return LNode{v, PathRef::root(path)}.str(); }
std::string Node::str_nonempty() const { return LNode{v, PathRef::root(path)}.str_nonempty(); }
std::int64_t Node::int64() const { return LNode{v, PathRef::root(path)}.int64(); }
double Node::number() const { return LNode{v, PathRef::root(path)}.number(); }
bool Node::boolean() const { return LNode{v, PathRef::root(path)}.boolean(); }
Timestamp Node::time() const { return LNode{v, PathRef::root(path)}.time(); }
Money Node::money() const { return LNode{v, PathRef::root(path)}.money(); }
const json::array& Node::array() const { return LNode{v, PathRef::root(path)}.array(); }

Node Node::at(std::size_t i) const { return Node{&array()[i], path + "/" + std::to_string(i)}; }

std::vector<std::string> Node::strings() const { return LNode{v, PathRef::root(path)}.strings(); }

ObjectIn::ObjectIn(const Node& n) : path_(n.path) {
    if (!n.v->is_object()) n.fail(ErrorCode::invalid_value, std::string("expected an object, got ") + kind_name(*n.v));
    obj_ = &n.v->get_object();
    require_utf8_keys(*obj_, [&] { return path_; });
    seen_.assign(obj_->size(), false);
}

std::optional<Node> ObjectIn::opt(std::string_view key) {
    auto it = obj_->find(key);
    if (it == obj_->end()) return std::nullopt;
    seen_[static_cast<std::size_t>(it - obj_->begin())] = true;
    if (it->value().is_null()) return std::nullopt;
    return Node{&it->value(), path_ + "/" + pointer_escape(key)};
}

Node ObjectIn::req(std::string_view key) {
    auto n = opt(key);
    if (!n) throw Error(ErrorCode::missing_field, "required field is missing", path_ + "/" + pointer_escape(key));
    return *n;
}

void ObjectIn::reject_unknown() const {
    if (const auto* kv = first_unread(*obj_, [this](std::size_t i) { return bool(seen_[i]); }))
        throw Error(ErrorCode::invalid_value, "unknown field", path_ + "/" + pointer_escape(kv->key()));
}

json::object ObjectIn::unknown() const {
    return unread_members(*obj_, [this](std::size_t i) { return bool(seen_[i]); });
}

std::vector<std::pair<std::string, Node>> ObjectIn::members() {
    std::vector<std::pair<std::string, Node>> out;
    out.reserve(obj_->size());
    seen_.assign(obj_->size(), true);
    for (const auto& kv : *obj_)
        out.emplace_back(std::string(kv.key()), Node{&kv.value(), path_ + "/" + pointer_escape(kv.key())});
    return out;
}

// ---------------------------------------------------------------- writing

json::value to_value(const Money& m) { return json::object{{"minor", m.minor}, {"currency", m.currency}}; }

static json::value to_value(const AttributeValue& a) {
    return std::visit(
        [](const auto& x) -> json::value {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Timestamp>) return json::object{{"time", format_timestamp(x)}};
            else if constexpr (std::is_same_v<T, Money>) return to_value(x);
            else if constexpr (std::is_same_v<T, std::string>) return json::value(x);
            else return json::value(x);
        },
        a);
}

template <TaxonomyEnum E> static void put_code(json::object& o, std::string_view key, E v) {
    if (v != E{}) o[key] = to_code(v);
}

json::value to_value(const Facets& f) {
    json::object o;
    put_code(o, "kind", f.kind);
    put_code(o, "category", f.category);
    put_code(o, "subcategory", f.subcategory);
    put_code(o, "cause", f.cause);
    put_code(o, "sub_cause", f.sub_cause);
    put_code(o, "attribution", f.attribution);
    put_code(o, "dimension", f.dimension);
    put_code(o, "severity", f.severity);
    put_code(o, "personality", f.personality);
    put_code(o, "motive", f.motive);
    if (f.reasonable) o["reasonable"] = *f.reasonable;
    if (!f.tags.empty()) {
        json::array a;
        for (const auto& t : f.tags) a.emplace_back(t);
        o["tags"] = std::move(a);
    }
    return o;
}

json::value to_value(const Event& e) {
    json::object o;
    o["at"] = format_timestamp(e.at);
    o["type"] = to_code(e.type);
    if (!e.actor.empty()) o["actor"] = e.actor;
    if (!e.text.empty()) o["text"] = e.text;
    if (!e.payload.empty() && e.payload != "{}") o["payload"] = parse_json(e.payload);
    return o;
}

static void put_str(json::object& o, std::string_view key, const std::string& s) {
    if (!s.empty()) o[key] = s;
}

json::value to_value(const Complaint& c) {
    json::object o;
    o["id"] = c.id;
    o["received_at"] = format_timestamp(c.received_at);
    if (c.channel != Channel::unknown) o["channel"] = to_code(c.channel);
    if (!(c.customer == Customer{})) {
        json::object cu;
        put_str(cu, "id", c.customer.id);
        put_str(cu, "name", c.customer.name);
        put_str(cu, "contact", c.customer.contact);
        put_code(cu, "tier", c.customer.tier);
        put_code(cu, "personality", c.customer.personality);
        put_str(cu, "owner", c.customer.owner);
        o["customer"] = std::move(cu);
    }
    put_str(o, "complainant", c.complainant);
    put_str(o, "branch", c.branch);
    if (!c.region.empty()) {
        json::array a;
        for (const auto& r : c.region) a.emplace_back(r);
        o["region"] = std::move(a);
    }
    put_str(o, "product", c.product);
    put_str(o, "order", c.order);
    if (!c.amounts.empty()) {
        json::object a;
        for (const auto& [k, m] : c.amounts) a[k] = to_value(m);
        o["amounts"] = std::move(a);
    }
    put_str(o, "language", c.language);
    put_str(o, "title", c.title);
    put_str(o, "text", c.text);
    if (!(c.remedy_sought == RemedySought{})) {
        json::object r;
        if (!c.remedy_sought.types.empty()) {
            json::array a;
            for (auto t : c.remedy_sought.types) a.emplace_back(to_code(t));
            r["types"] = std::move(a);
        }
        put_str(r, "text", c.remedy_sought.text);
        if (c.remedy_sought.amount) r["amount"] = to_value(*c.remedy_sought.amount);
        o["remedy_sought"] = std::move(r);
    }
    if (!c.attributes.empty()) {
        json::object a;
        for (const auto& [k, v] : c.attributes) a[k] = to_value(v);
        o["attributes"] = std::move(a);
    }
    if (!c.facets.empty()) o["facets"] = to_value(c.facets);
    if (!c.events.empty()) {
        json::array a;
        for (const auto& e : c.events) a.push_back(to_value(e));
        o["events"] = std::move(a);
    }
    if (!c.extensions.empty()) {
        auto ext = parse_json(c.extensions);
        for (const auto& kv : ext.as_object()) o[kv.key()] = kv.value();
    }
    return o;
}

static void write(std::string& out, const json::value& v, int indent, int depth) {
    if (indent < 0) {
        out += json::serialize(v);
        return;
    }
    const std::string pad(static_cast<std::size_t>(indent * (depth + 1)), ' ');
    const std::string pad_end(static_cast<std::size_t>(indent * depth), ' ');
    if (v.is_object() && !v.get_object().empty()) {
        out += "{\n";
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) out += ",\n";
            first = false;
            out += pad;
            out += json::serialize(json::value(kv.key()));
            out += ": ";
            write(out, kv.value(), indent, depth + 1);
        }
        out += "\n" + pad_end + "}";
    } else if (v.is_array() && !v.get_array().empty()) {
        out += "[\n";
        bool first = true;
        for (const auto& x : v.get_array()) {
            if (!first) out += ",\n";
            first = false;
            out += pad;
            write(out, x, indent, depth + 1);
        }
        out += "\n" + pad_end + "]";
    } else {
        out += json::serialize(v);
    }
}

std::string serialize(const json::value& v, bool pretty) {
    std::string out;
    write(out, v, pretty ? 2 : -1, 0);
    return out;
}

// ---------------------------------------------------------------- reading

static AttributeValue attribute_from_node(const LNode& n) {
    const json::value& v = *n;
    switch (v.kind()) {
    case json::kind::bool_: return v.get_bool();
    case json::kind::int64: return v.get_int64();
    case json::kind::uint64: n.fail(ErrorCode::invalid_value, "integer out of range");
    case json::kind::double_: {
        const double d = v.get_double();
        if (!std::isfinite(d)) n.fail(ErrorCode::invalid_value, "number is not finite");
        return d;
    }
    case json::kind::string: return n.str();
    case json::kind::object: {
        const auto& o = v.get_object();
        if (o.contains("time")) {
            LObject in(n);
            Timestamp t = in.req("time").time();
            in.reject_unknown();
            return t;
        }
        if (o.contains("minor") || o.contains("currency")) return n.money();
        n.fail(ErrorCode::invalid_value, "an attribute object must be a time {\"time\": …} or money {\"minor\": …, \"currency\": …}");
    }
    default:
        n.fail(ErrorCode::invalid_value, std::string("an attribute must be a boolean, number, string, time or money, got ") +
                                             kind_name(v));
    }
}

static bool is_lower_snake(std::string_view s) {
    if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

static bool is_language_tag(std::string_view s) {
    // BCP-47 shape: 2–3 letter primary subtag, then alphanumeric subtags of 1–8.
    std::size_t i = 0;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    if (i < 2 || i > 3) return false;
    while (i < s.size()) {
        if (s[i] != '-') return false;
        std::size_t j = ++i;
        while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
        if (j - i < 1 || j - i > 8) return false;
        i = j;
    }
    return true;
}

static Facets facets_from(const LNode& n) {
    LObject o(n);
    Facets f;
    if (auto x = o.opt("kind")) f.kind = x->code<Kind>();
    if (auto x = o.opt("category")) f.category = x->code<Category>();
    if (auto x = o.opt("subcategory")) {
        f.subcategory = x->code<Subcategory>();
        if (f.category != Category::unknown && f.subcategory != Subcategory::unknown &&
            parent_of(f.subcategory) != f.category)
            x->fail(ErrorCode::invalid_value, "subcategory \"" + std::string(to_code(f.subcategory)) +
                                                  "\" does not belong to category \"" +
                                                  std::string(to_code(f.category)) + "\"");
    }
    if (auto x = o.opt("cause")) f.cause = x->code<Cause>();
    if (auto x = o.opt("sub_cause")) {
        f.sub_cause = x->code<SubCause>();
        if (f.cause != Cause::unknown && f.sub_cause != SubCause::unknown && parent_of(f.sub_cause) != f.cause)
            x->fail(ErrorCode::invalid_value, "sub_cause \"" + std::string(to_code(f.sub_cause)) +
                                                  "\" does not belong to cause \"" + std::string(to_code(f.cause)) +
                                                  "\"");
    }
    if (auto x = o.opt("attribution")) f.attribution = x->code<Attribution>();
    if (auto x = o.opt("dimension")) f.dimension = x->code<Dimension>();
    if (auto x = o.opt("severity")) f.severity = x->code<Severity>();
    if (auto x = o.opt("personality")) f.personality = x->code<Personality>();
    if (auto x = o.opt("motive")) f.motive = x->code<Motive>();
    if (auto x = o.opt("reasonable")) f.reasonable = x->boolean();
    if (auto x = o.opt("tags")) f.tags = x->strings();
    o.reject_unknown();
    return f;
}

Facets facets_from_node(const Node& n) { return facets_from(LNode{n.v, PathRef::root(n.path)}); }

/// Every string (and key) under a payload must be valid UTF-8. The first error reported is
/// the one a depth-first walk meets when it takes the last child first.
static void require_utf8_tree(const LNode& n) {
    if (t_utf8_valid) return;
    const json::value& v = *n;
    if (v.is_string()) {
        (void)n.sv();
    } else if (v.is_array()) {
        const auto& a = v.get_array();
        for (std::size_t i = a.size(); i-- > 0;) require_utf8_tree(LNode{&a[i], n.path.index(i)});
    } else if (v.is_object()) {
        const auto& o = v.get_object();
        require_utf8_keys(o, [&] { return n.path.str(); });
        for (auto it = o.end(); it != o.begin();) {
            --it;
            require_utf8_tree(LNode{&it->value(), n.path.key(it->key())});
        }
    }
}

static Event event_from(const LNode& n) {
    LObject o(n);
    Event e;
    e.at = o.req("at").time();
    e.type = o.req("type").code<EventType>();
    if (auto x = o.opt("actor")) e.actor = x->str();
    if (auto x = o.opt("text")) e.text = x->str();
    if (auto x = o.opt("payload")) {
        { LObject p(*x); }  // must be an object
        require_utf8_tree(*x);
        e.payload = json::serialize(**x);
    } else {
        e.payload = "{}";
    }
    o.reject_unknown();
    return e;
}

Event event_from_node(const Node& n) { return event_from(LNode{n.v, PathRef::root(n.path)}); }

Complaint complaint_from_value(const json::value& v, const ParseOptions& options, const std::string& path) {
    const LNode root{&v, PathRef::root(path)};
    LObject o(root);
    Complaint c;
    LNode id = o.req("id");
    c.id = id.str_nonempty();
    if (c.id.size() > 128) id.fail(ErrorCode::invalid_value, "id longer than 128 bytes");
    if (std::any_of(c.id.begin(), c.id.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }))
        id.fail(ErrorCode::invalid_value, "id contains control characters");
    c.received_at = o.req("received_at").time();
    if (auto x = o.opt("channel")) c.channel = x->code<Channel>();
    if (auto x = o.opt("customer")) {
        LObject cu(*x);
        if (auto y = cu.opt("id")) c.customer.id = y->str();
        if (auto y = cu.opt("name")) c.customer.name = y->str();
        if (auto y = cu.opt("contact")) c.customer.contact = y->str();
        if (auto y = cu.opt("tier")) c.customer.tier = y->code<Tier>();
        if (auto y = cu.opt("personality")) c.customer.personality = y->code<Personality>();
        if (auto y = cu.opt("owner")) c.customer.owner = y->str();
        cu.reject_unknown();
    }
    if (auto x = o.opt("complainant")) c.complainant = x->str();
    if (auto x = o.opt("branch")) c.branch = x->str();
    if (auto x = o.opt("region")) c.region = x->strings();
    if (auto x = o.opt("product")) c.product = x->str();
    if (auto x = o.opt("order")) c.order = x->str();
    if (auto x = o.opt("amounts")) {
        LObject a(*x);
        a.take_all();
        for (const auto& kv : a.object()) {
            const LNode n = a.child(kv);
            const std::string_view k(kv.key().data(), kv.key().size());
            if (!is_lower_snake(k)) n.fail(ErrorCode::invalid_value, "amount kind must be lower_snake_case");
            Money m = n.money();
            c.amounts.emplace(std::string(k), std::move(m));
        }
    }
    if (auto x = o.opt("language")) {
        c.language = x->str();
        if (!is_language_tag(c.language))
            x->fail(ErrorCode::invalid_value, "not a BCP-47 language tag: \"" + c.language + "\"");
    }
    if (auto x = o.opt("title")) c.title = x->str();
    if (auto x = o.opt("text")) c.text = x->str();
    if (auto x = o.opt("remedy_sought")) {
        LObject r(*x);
        if (auto y = r.opt("types")) c.remedy_sought.types = y->codes<RemedyType>();
        if (auto y = r.opt("text")) c.remedy_sought.text = y->str();
        if (auto y = r.opt("amount")) c.remedy_sought.amount = y->money();
        r.reject_unknown();
    }
    if (auto x = o.opt("attributes")) {
        LObject a(*x);
        a.take_all();
        for (const auto& kv : a.object()) {
            const LNode n = a.child(kv);
            const std::string_view k(kv.key().data(), kv.key().size());
            if (k.empty()) n.fail(ErrorCode::invalid_value, "attribute name must not be empty");
            AttributeValue av = attribute_from_node(n);
            c.attributes.emplace(std::string(k), std::move(av));
        }
    }
    if (auto x = o.opt("facets")) c.facets = facets_from(*x);
    if (auto x = o.opt("events")) {
        const auto& arr = x->array();
        c.events.reserve(arr.size());
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const LNode en = x->at(i);
            Event e = event_from(en);
            if (!c.events.empty() && e.at < c.events.back().at)
                throw Error(ErrorCode::out_of_order,
                            "event is earlier than the previous event (" + format_timestamp(c.events.back().at) + ")",
                            en.path.str() + "/at");
            c.events.push_back(std::move(e));
        }
    }
    if (options.preserve_unknown) {
        json::object unk = o.unknown();
        if (!unk.empty()) {
            // still require valid UTF-8 everywhere
            for (const auto& kv : unk) {
                const LNode n{&kv.value(), root.path.key(kv.key())};
                if (n.v->is_string()) (void)n.sv();
            }
            c.extensions = json::serialize(unk);
        }
    } else {
        o.reject_unknown();
    }
    return c;
}

void append_json_string(std::string& out, std::string_view v) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain = 0;  // start of the run not yet copied
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(v.data() + plain, i - plain);
        plain = i + 1;
        out += '\\';
        switch (c) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '\b': out += 'b'; break;
        case '\f': out += 'f'; break;
        case '\n': out += 'n'; break;
        case '\r': out += 'r'; break;
        case '\t': out += 't'; break;
        default:
            out += "u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out.append(v.data() + plain, v.size() - plain);
    out += '"';
}

namespace {

// --- Cutting a member out of validated JSON text (object_without_member) ------------------
// The text has already been parsed and validated, so these skippers may trust its syntax;
// they only find where each top-level member starts and ends.

/// The first byte at or after p that is one of `"` `\` (strings) or, with `nested`, also
/// one of `[ ] { }` (composite values); `end` if none.
template <bool nested> const char* find_special(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    // '[' and ']' differ from '{' and '}' only by 0x20: an OR folds them together.
    [[maybe_unused]] const __m128i case_bit = _mm_set1_epi8(0x20), lbrace = _mm_set1_epi8('{'), rbrace = _mm_set1_epi8('}');
    for (; end - p >= 16; p += 16) {
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, backslash));
        if constexpr (nested) {
            const __m128i lower = _mm_or_si128(b, case_bit);
            hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(lower, lbrace), _mm_cmpeq_epi8(lower, rbrace)));
        }
        if (const int m = _mm_movemask_epi8(hit)) return p + __builtin_ctz(static_cast<unsigned>(m));
    }
#endif
    for (; p < end; ++p) {
        const char c = *p;
        if (c == '"' || c == '\\') return p;
        if (nested && (c == '[' || c == ']' || c == '{' || c == '}')) return p;
    }
    return end;
}

/// p: just after a string's opening quote; returns just after its closing quote.
const char* skip_json_string(const char* p, const char* end) {
    while ((p = find_special<false>(p, end)) < end) {
        if (*p == '"') return p + 1;
        p += 2;  // a backslash and the byte it escapes (a \u escape's hex digits are no quotes)
    }
    return end;
}

/// p: at the first byte of a value; returns just after it.
const char* skip_json_value(const char* p, const char* end) {
    if (*p == '"') return skip_json_string(p + 1, end);
    if (*p == '[' || *p == '{') {
        int depth = 0;
        while ((p = find_special<true>(p, end)) < end) {
            switch (*p) {
            case '"': p = skip_json_string(p + 1, end); break;
            case '[':
            case '{': ++depth, ++p; break;
            default:  // ']' or '}' (a backslash occurs only inside strings)
                ++p;
                if (--depth == 0) return p;
            }
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') ++p;
    return p;  // a number, true, false or null
}

const char* skip_json_ws(const char* p, const char* end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    return p;
}

}  // namespace

bool object_without_member(std::string_view text, std::string_view name, std::string& out) {
    const char* p = text.data();
    const char* const end = p + text.size();
    p = skip_json_ws(p, end);
    if (p == end || *p != '{') return false;
    ++p;
    out.clear();
    out.reserve(text.size());
    out += '{';
    bool first = true;
    while (true) {
        p = skip_json_ws(p, end);
        if (p == end) return false;
        if (*p == '}') break;
        if (*p == ',') {
            ++p;
            continue;
        }
        if (*p != '"') return false;
        const char* const member = p;
        const char* const key_end = skip_json_string(p + 1, end);  // after the closing quote
        const std::string_view key(member + 1, static_cast<std::size_t>(key_end - member - 2));
        if (key.find('\\') != std::string_view::npos) return false;
        p = skip_json_ws(key_end, end);
        if (p == end || *p != ':') return false;
        p = skip_json_ws(p + 1, end);
        if (p == end) return false;
        p = skip_json_value(p, end);
        if (key == name) continue;
        if (!first) out += ',';
        out.append(member, static_cast<std::size_t>(p - member));
        first = false;
    }
    out += '}';
    return true;
}

}  // namespace ck::detail

namespace ck {

Complaint complaint_from_json(std::string_view text, const ParseOptions& options) {
    const auto v = detail::parse_json(text);
    return detail::complaint_from_value(v, options);
}

std::string to_json(const Complaint& c, bool pretty) { return detail::serialize(detail::to_value(c), pretty); }

std::string to_json(const Facets& f) { return detail::serialize(detail::to_value(f)); }

Facets facets_from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    return detail::facets_from_node(detail::Node{&v, ""});
}

std::size_t read_jsonl(std::string_view text, const std::function<void(Complaint&&)>& on_complaint,
                       const std::function<void(std::size_t, const Error&)>& on_error, const ParseOptions& options) {
    std::size_t good = 0, line_no = 0;
    std::string_view line;
    detail::JsonLines lines(text);
    while (lines.next(line, line_no)) {
        try {
            on_complaint(complaint_from_json(line, options));
            ++good;
        } catch (const Error& e) {
            on_error(line_no, e);
        }
    }
    return good;
}

std::vector<Complaint> complaints_from_jsonl(std::string_view text, const ParseOptions& options) {
    std::vector<Complaint> out;
    read_jsonl(
        text, [&](Complaint&& c) { out.push_back(std::move(c)); },
        [](std::size_t line, const Error& e) {
            throw e.with_context("line " + std::to_string(line));
        },
        options);
    return out;
}

}  // namespace ck
