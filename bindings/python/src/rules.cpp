// Bindings of the rule engine (RuleSet, Classification) and the text normaliser.
#include "bindings.hpp"

#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>

#include <pybind11/numpy.h>
#include <structmember.h>  // (PyMemberDef flags, Python 3.11)

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <new>
#include <thread>

// Classification objects are a plain CPython type that holds the ck::Classification by value,
// not a pybind11 class. A pybind11 instance costs a heap copy of the value and an entry in
// pybind11's instance registry (a hash-map insertion on creation, a look-up and erasure on
// destruction): about 0.6 µs an object, a fifth of classify_many's time for a batch of dense
// complaints. This type costs one small-object allocation and a move. The caster below lets
// every binding return and take ck::Classification as before.
namespace ckpy {
struct PyClassificationHead {
    PyObject_HEAD
    PyObject* weakrefs;  // (weak references are allowed, as on pybind11 classes)
};
struct PyClassification {
    PyClassificationHead head;  // (first: the object's address is the PyObject's)
    ck::Classification value;
};
PyTypeObject* classification_type = nullptr;  // set by init_rules

/// A new Python Classification holding `c` (moved or copied in).
template <class C> PyObject* new_classification(C&& c) {
    PyObject* o = classification_type->tp_alloc(classification_type, 0);
    if (!o) throw py::error_already_set();
    auto* self = reinterpret_cast<PyClassification*>(o);
    try {
        new (&self->value) ck::Classification(std::forward<C>(c));
    } catch (...) {
        Py_TYPE(o)->tp_free(o);  // (the value was not constructed)
        Py_DECREF(classification_type);
        throw;
    }
    return o;
}
}  // namespace ckpy

namespace pybind11::detail {
/// ck::Classification <-> ckpy's Classification type: arguments are references to the held
/// value (no copy), results are moved (or copied) into a new object.
template <> struct type_caster<ck::Classification> {
    ck::Classification* ptr = nullptr;
    static constexpr auto name = const_name("Classification");
    template <class T> using cast_op_type = pybind11::detail::cast_op_type<T>;
    bool load(handle src, bool) {
        if (!src || !PyObject_TypeCheck(src.ptr(), ckpy::classification_type)) return false;
        ptr = &reinterpret_cast<ckpy::PyClassification*>(src.ptr())->value;
        return true;
    }
    operator ck::Classification*() { return ptr; }
    operator ck::Classification&() { return *ptr; }
    static handle cast(ck::Classification&& c, return_value_policy, handle) { return ckpy::new_classification(std::move(c)); }
    static handle cast(const ck::Classification& c, return_value_policy, handle) { return ckpy::new_classification(c); }
    static handle cast(const ck::Classification* c, return_value_policy policy, handle parent) {
        if (!c) return none().release();
        return cast(*c, policy, parent);
    }
};
}  // namespace pybind11::detail

namespace ckpy {
namespace {

template <ck::TaxonomyEnum E> py::object code_or_none(E v) {
    if (v == E{}) return py::none();
    return py::str(std::string(ck::to_code(v)));
}

py::dict facets_dict(const ck::Facets& f) {
    py::dict d;
    d["kind"] = code_or_none(f.kind);
    d["category"] = code_or_none(f.category);
    d["subcategory"] = code_or_none(f.subcategory);
    d["cause"] = code_or_none(f.cause);
    d["sub_cause"] = code_or_none(f.sub_cause);
    d["attribution"] = code_or_none(f.attribution);
    d["dimension"] = code_or_none(f.dimension);
    d["severity"] = code_or_none(f.severity);
    d["personality"] = code_or_none(f.personality);
    d["motive"] = code_or_none(f.motive);
    d["reasonable"] = f.reasonable ? py::object(py::bool_(*f.reasonable)) : py::object(py::none());
    py::list tags;
    for (const auto& t : f.tags) tags.append(t);
    d["tags"] = tags;
    return d;
}

py::list evidence_list(const ck::Classification& c) {
    py::list out;
    for (const auto& e : c.evidence) {
        py::dict d;
        d["rule"] = std::string(e.rule_id);
        d["score"] = e.score;
        py::list decided;
        for (auto f : e.decided_facets()) decided.append(std::string(ck::facet_name(f)));
        d["decided"] = decided;
        d["overridden"] = py::cast(static_cast<std::vector<std::string>>(e.overridden));
        py::list hits;
        for (const auto& h : e.hits) {
            py::dict hd;
            hd["keyword"] = std::string(h.keyword);
            hd["field"] = h.field == ck::TextField::title ? "title" : "text";
            hd["start"] = h.char_begin;  // Python string indices (code points)
            hd["end"] = h.char_end;
            hd["byte_start"] = h.begin;
            hd["byte_end"] = h.end;
            hits.append(hd);
        }
        d["hits"] = hits;
        out.append(d);
    }
    return out;
}

ck::ClassifyOptions options(bool explain, bool lenient, std::string_view evidence = "full") {
    ck::ClassifyOptions o;
    o.explain = explain;
    o.strict_utf8 = !lenient;
    if (evidence == "rules") o.evidence = ck::EvidenceLevel::rules;
    else if (evidence != "full")
        throw py::value_error("evidence must be \"full\" or \"rules\", not \"" + std::string(evidence) + "\"");
    return o;
}

/// Texts of a batch as views into the Python objects (str: their cached UTF-8; bytes:
/// their buffer), which `keep` holds while the GIL is released. Complaints are copied.
struct ViewInput {
    std::vector<py::object> keep;
    std::vector<std::string_view> views;
    std::vector<ck::Complaint> complaints;  ///< when any item is a Complaint: every item, texts as complaints

    [[nodiscard]] std::size_t size() const noexcept { return complaints.empty() ? views.size() : complaints.size(); }
};

ViewInput convert_views(const py::iterable& items) {
    ViewInput in;
    if (py::isinstance<py::list>(items) || py::isinstance<py::tuple>(items)) {
        const auto n = static_cast<std::size_t>(py::len(items));
        in.keep.reserve(n);
        in.views.reserve(n);
    }
    bool any_complaint = false;
    for (const py::handle& item : items) {
        std::string_view v;
        if (PyUnicode_Check(item.ptr())) {
            Py_ssize_t n = 0;
            const char* s = PyUnicode_AsUTF8AndSize(item.ptr(), &n);
            if (!s) {
                PyErr_Clear();
                throw ck::Error(ck::ErrorCode::invalid_utf8,
                                "item " + std::to_string(in.views.size()) + ": text is not encodable as UTF-8 (lone surrogate)");
            }
            v = std::string_view(s, static_cast<std::size_t>(n));
        } else if (PyBytes_Check(item.ptr())) {
            v = std::string_view(PyBytes_AS_STRING(item.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(item.ptr())));
        } else if (item.is_none()) {
        } else if (py::isinstance<ck::Complaint>(item)) {
            any_complaint = true;
        } else {
            throw py::type_error("item " + std::to_string(in.views.size()) + ": expected str, bytes, None or Complaint");
        }
        in.keep.push_back(py::reinterpret_borrow<py::object>(item));
        in.views.push_back(v);
    }
    if (any_complaint) {  // mixed input: texts become complaints with only a text
        in.complaints.reserve(in.views.size());
        for (std::size_t i = 0; i < in.views.size(); ++i) {
            if (py::isinstance<ck::Complaint>(in.keep[i])) {
                in.complaints.push_back(in.keep[i].cast<const ck::Complaint&>());
            } else {
                ck::Complaint x;
                x.text = std::string(in.views[i]);
                in.complaints.push_back(std::move(x));
            }
        }
    }
    return in;
}

/// Classifies converted input with the GIL released.
std::vector<ck::Classification> run_batch(const ck::RuleSet& rs, const ViewInput& in, unsigned threads,
                                          const ck::ClassifyOptions& opt) {
    py::gil_scoped_release release;
    ck::BatchOptions bo;
    bo.threads = threads;
    bo.classify = opt;
    if (in.complaints.empty()) return rs.classify_many(std::span<const std::string_view>(in.views), bo);
    return rs.classify_many(std::span<const ck::Complaint>(in.complaints), bo);
}

/// RuleSet::classify_each over converted input.
void classify_each(const ck::RuleSet& rs, const ViewInput& in, const ck::RuleSet::ClassificationSink& sink,
                   const ck::BatchOptions& bo) {
    if (in.complaints.empty()) rs.classify_each(std::span<const std::string_view>(in.views), sink, bo);
    else rs.classify_each(std::span<const ck::Complaint>(in.complaints), sink, bo);
}

/// A batch classified by a native thread (RuleSet::classify_each on `threads` workers, GIL
/// released) while this thread waits for results: `on_ready(out, from, to)` is called with
/// the GIL for each run of results completed since the last call, so that converting them to
/// Python objects overlaps the classification. Signals are checked at least every 100 ms:
/// Ctrl-C cancels the native batch and raises KeyboardInterrupt. Returns every result, in
/// input order (those handed to on_ready may have been moved from).
template <class OnReady>
std::vector<ck::Classification> stream_batch(const ck::RuleSet& rs, const ViewInput& in, unsigned threads,
                                             const ck::ClassifyOptions& opt, OnReady&& on_ready) {
    const std::size_t n = in.size();
    std::vector<ck::Classification> out(n);
    std::mutex mu;
    std::condition_variable delivered;
    std::size_t ready = 0;  // results out[0, ready) are complete (mu)
    bool done = false;      // the stream returned (mu)
    std::exception_ptr error;
    std::atomic<bool> cancel{false};
    struct Cancelled {};
    std::thread runner([&] {
        try {
            ck::BatchOptions bo;
            bo.threads = threads;
            bo.classify = opt;
            auto sink = [&](std::size_t i, ck::Classification& c) {
                if (cancel.load(std::memory_order_relaxed)) throw Cancelled{};
                out[i] = std::move(c);
                if ((i + 1) % 256 == 0 || i + 1 == n) {
                    {
                        std::lock_guard lock(mu);
                        ready = i + 1;
                    }
                    delivered.notify_one();
                }
            };
            classify_each(rs, in, sink, bo);
        } catch (const Cancelled&) {
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lock(mu);
            done = true;
        }
        delivered.notify_one();
    });
    // however this function is left, the runner is stopped and joined before `out` goes
    struct Join {
        std::thread& t;
        std::atomic<bool>& cancel;
        ~Join() {
            cancel = true;
            py::gil_scoped_release release;
            t.join();
        }
    } join{runner, cancel};
    std::size_t handed = 0;
    for (;;) {
        std::size_t upto = 0;
        bool finished = false;
        {
            py::gil_scoped_release release;  // wait without the GIL
            std::unique_lock lock(mu);
            delivered.wait_for(lock, std::chrono::milliseconds(100), [&] { return done || ready > handed; });
            upto = ready;
            finished = done;
        }
        if (!finished && PyErr_CheckSignals() != 0) throw py::error_already_set();  // (a flag test)
        if (upto > handed) {
            on_ready(out, handed, upto);
            handed = upto;
        }
        if (finished) break;
    }
    if (error) std::rethrow_exception(error);
    return out;
}

/// A batch on the calling thread alone (GIL released), in input order; every 4,096 results
/// the GIL is taken back for a moment to check signals, so that Ctrl-C stops it too.
std::vector<ck::Classification> classify_here(const ck::RuleSet& rs, const ViewInput& in, const ck::ClassifyOptions& opt) {
    const std::size_t n = in.size();
    std::vector<ck::Classification> out(n);
    struct Interrupted {};
    bool interrupted = false;
    {
        py::gil_scoped_release release;
        ck::BatchOptions bo;
        bo.threads = 1;  // (classify_each then runs on this thread)
        bo.classify = opt;
        auto sink = [&](std::size_t i, ck::Classification& c) {
            out[i] = std::move(c);
            if ((i + 1) % 4096 == 0) {
                py::gil_scoped_acquire gil;
                if (PyErr_CheckSignals() != 0) {
                    interrupted = true;
                    throw Interrupted{};
                }
            }
        };
        try {
            classify_each(rs, in, sink, bo);
        } catch (const Interrupted&) {
        }
    }
    if (interrupted) throw py::error_already_set();  // the KeyboardInterrupt PyErr_CheckSignals set
    return out;
}

/// Batches larger than this are interruptible (stream_batch on several threads, classify_here
/// on one); smaller ones are classified in one call.
constexpr std::size_t kStreamedBatch = 256;

/// Every result of a batch, with `on_ready(out, from, to)` called (with the GIL) on each run of
/// results as they become available: on several threads while the batch still classifies
/// (stream_batch), on one thread or for a small batch once at the end. Batches over
/// kStreamedBatch items stop on Ctrl-C.
template <class OnReady>
std::vector<ck::Classification> classify_python(const ck::RuleSet& rs, const ViewInput& in, unsigned threads,
                                                const ck::ClassifyOptions& opt, OnReady&& on_ready) {
    const std::size_t n = in.size();
    const unsigned workers = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    if (n > kStreamedBatch && workers > 1) return stream_batch(rs, in, threads, opt, on_ready);
    std::vector<ck::Classification> out = n > kStreamedBatch ? classify_here(rs, in, opt) : run_batch(rs, in, threads, opt);
    on_ready(out, 0, n);
    return out;
}

/// classify_many's list: the results become Python objects as classify_python hands them over.
py::list classify_many_list(const ck::RuleSet& rs, const ViewInput& in, unsigned threads, const ck::ClassifyOptions& opt) {
    py::list result(static_cast<py::ssize_t>(in.size()));
    classify_python(rs, in, threads, opt, [&](std::vector<ck::Classification>& out, std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i)
            PyList_SET_ITEM(result.ptr(), static_cast<py::ssize_t>(i), new_classification(std::move(out[i])));
    });
    return result;
}

/// The results of classify_batch: kept as C++ objects, converted to Python on access
/// (whole columns at once, or one Classification at a time).
struct ClassificationBatch {
    std::vector<ck::Classification> items;

    [[nodiscard]] std::size_t index(py::ssize_t i) const {
        const auto n = static_cast<py::ssize_t>(items.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) throw py::index_error("batch index out of range");
        return static_cast<std::size_t>(i);
    }
};

template <ck::TaxonomyEnum E> py::list code_column(const std::vector<ck::Classification>& items, E ck::Facets::*member) {
    std::vector<py::object> cache;  // one str object per code, shared by the rows
    py::list out(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const E v = items[i].facets.*member;
        const auto k = static_cast<std::size_t>(v);
        if (k >= cache.size()) cache.resize(k + 1);
        if (!cache[k]) cache[k] = code_or_none(v);
        PyList_SET_ITEM(out.ptr(), static_cast<py::ssize_t>(i), cache[k].inc_ref().ptr());
    }
    return out;
}

py::list facet_column(const ClassificationBatch& b, const std::string& facet) {
    using F = ck::Facets;
    const auto& it = b.items;
    if (facet == "kind") return code_column(it, &F::kind);
    if (facet == "category") return code_column(it, &F::category);
    if (facet == "subcategory") return code_column(it, &F::subcategory);
    if (facet == "cause") return code_column(it, &F::cause);
    if (facet == "sub_cause") return code_column(it, &F::sub_cause);
    if (facet == "attribution") return code_column(it, &F::attribution);
    if (facet == "dimension") return code_column(it, &F::dimension);
    if (facet == "severity") return code_column(it, &F::severity);
    if (facet == "personality") return code_column(it, &F::personality);
    if (facet == "motive") return code_column(it, &F::motive);
    py::list out(it.size());
    if (facet == "reasonable") {
        for (std::size_t i = 0; i < it.size(); ++i) {
            const auto& r = it[i].facets.reasonable;
            py::object v = r ? py::object(py::bool_(*r)) : py::object(py::none());
            PyList_SET_ITEM(out.ptr(), static_cast<py::ssize_t>(i), v.release().ptr());
        }
        return out;
    }
    if (facet == "tags") {
        for (std::size_t i = 0; i < it.size(); ++i)
            PyList_SET_ITEM(out.ptr(), static_cast<py::ssize_t>(i), py::cast(it[i].facets.tags).release().ptr());
        return out;
    }
    throw py::key_error("unknown facet \"" + facet + "\"");
}

std::string classification_repr(const ck::Classification& c) {
    std::string s = "<Classification";
    auto add = [&](const char* k, std::string_view v) {
        if (!v.empty() && v != "unknown") s += std::string(" ") + k + "=" + std::string(v);
    };
    add("category", ck::to_code(c.facets.category));
    add("cause", ck::to_code(c.facets.cause));
    add("sub_cause", ck::to_code(c.facets.sub_cause));
    add("severity", ck::to_code(c.facets.severity));
    char buf[32];
    std::snprintf(buf, sizeof buf, " score=%g>", c.score);
    return s + buf;
}

// The type's slots: no exception may leave them (a C++ error becomes a Python one).
void classification_dealloc(PyObject* o) {
    auto* self = reinterpret_cast<PyClassification*>(o);
    if (self->head.weakrefs) PyObject_ClearWeakRefs(o);
    self->value.~Classification();
    PyTypeObject* type = Py_TYPE(o);
    type->tp_free(o);
    Py_DECREF(type);  // (instances of a heap type hold a reference to it)
}

PyObject* classification_repr_slot(PyObject* o) {
    try {
        const std::string r = classification_repr(reinterpret_cast<PyClassification*>(o)->value);
        return PyUnicode_FromStringAndSize(r.data(), static_cast<Py_ssize_t>(r.size()));
    } catch (const std::bad_alloc&) {
        return PyErr_NoMemory();
    }
}

/// == and != between Classifications (equal facets, scores, evidence and misses); other
/// comparisons and other types: NotImplemented.
PyObject* classification_richcompare(PyObject* a, PyObject* b, int op) {
    if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(a, classification_type) ||
        !PyObject_TypeCheck(b, classification_type))
        Py_RETURN_NOTIMPLEMENTED;
    const bool eq = reinterpret_cast<PyClassification*>(a)->value == reinterpret_cast<PyClassification*>(b)->value;
    return PyBool_FromLong((op == Py_EQ) == eq ? 1 : 0);
}

/// Creates the Classification type in `m`: the slots above, then its properties and methods
/// as pybind11 functions (argument conversion, errors and signatures as elsewhere).
void init_classification_type(py::module_& m) {
    static PyMemberDef members[] = {
        {"__weaklistoffset__", T_PYSSIZET, static_cast<Py_ssize_t>(offsetof(PyClassificationHead, weakrefs)), READONLY, nullptr},
        {nullptr, 0, 0, 0, nullptr}};
    static const char doc[] = R"pbdoc(The result of classifying one complaint.

Facet values are stable codes (None when no rule decided the facet); `evidence` lists
every rule that fired with the keywords it matched and their offsets in the original
text (`start`/`end` are Python string indices).)pbdoc";
    static PyType_Slot slots[] = {
        {Py_tp_dealloc, reinterpret_cast<void*>(&classification_dealloc)},
        {Py_tp_repr, reinterpret_cast<void*>(&classification_repr_slot)},
        {Py_tp_richcompare, reinterpret_cast<void*>(&classification_richcompare)},
        {Py_tp_members, members},
        {Py_tp_doc, const_cast<char*>(doc)},
        {0, nullptr}};
    static PyType_Spec spec = {"complaintkit._complaintkit.Classification", static_cast<int>(sizeof(PyClassification)), 0,
                               Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots};  // (results only)
    PyObject* t = PyType_FromSpec(&spec);
    if (!t) throw py::error_already_set();
    classification_type = reinterpret_cast<PyTypeObject*>(t);
    py::object type = py::reinterpret_steal<py::object>(t);
    const py::object property = py::module_::import("builtins").attr("property");
    auto prop = [&](const char* name, auto getter, const char* help = nullptr) {
        type.attr(name) = property(py::cpp_function(std::move(getter), py::is_method(type)), py::none(), py::none(),
                                   help ? py::object(py::str(help)) : py::object(py::none()));
    };
    auto method = [&](const char* name, auto fn, auto... extra) {
        type.attr(name) = py::cpp_function(std::move(fn), py::name(name), py::is_method(type), extra...);
    };
    using C = const ck::Classification&;
    prop("facets", [](C c) { return facets_dict(c.facets); });
    prop("kind", [](C c) { return code_or_none(c.facets.kind); });
    prop("category", [](C c) { return code_or_none(c.facets.category); });
    prop("subcategory", [](C c) { return code_or_none(c.facets.subcategory); });
    prop("cause", [](C c) { return code_or_none(c.facets.cause); });
    prop("sub_cause", [](C c) { return code_or_none(c.facets.sub_cause); });
    prop("attribution", [](C c) { return code_or_none(c.facets.attribution); });
    prop("dimension", [](C c) { return code_or_none(c.facets.dimension); });
    prop("severity", [](C c) { return code_or_none(c.facets.severity); });
    prop("personality", [](C c) { return code_or_none(c.facets.personality); });
    prop("motive", [](C c) { return code_or_none(c.facets.motive); });
    prop("tags", [](C c) { return c.facets.tags; });
    prop("score", [](C c) { return c.score; });
    prop("empty_text", [](C c) { return c.empty_text; });
    prop("replaced_invalid_utf8", [](C c) { return c.replaced_invalid_utf8; });
    prop("evidence", [](C c) { return evidence_list(c); });
    prop("rules", [](C c) {
        std::vector<std::string> ids;
        for (const auto& e : c.evidence) ids.emplace_back(e.rule_id);
        return ids;
    }, "Ids of the rules that fired, in evaluation order.");
    prop("misses", [](C c) {
        py::list out;
        for (const auto& x : c.misses) out.append(py::dict(py::arg("rule") = x.rule_id, py::arg("reason") = x.reason));
        return out;
    }, "Explain mode: rules that did not fire, with the reason.");
    method("fired", [](C c, std::string_view rule_id) { return c.fired(rule_id); }, py::arg("rule_id"));
    method("to_json", [](C c, bool pretty) { return ck::to_json(c, pretty); }, py::arg("pretty") = false);
    method("to_dict", [](C c) { return json_loads(ck::to_json(c)); });
    m.add_object("Classification", type);
}

}  // namespace

void init_rules(py::module_& m) {
    init_classification_type(m);

    py::class_<ClassificationBatch>(m, "ClassificationBatch", R"pbdoc(The results of RuleSet.classify_batch, in input order.

The results stay native until read: `facet(name)` gives a whole column (codes, None when
undecided; `tags` gives lists), `scores` a numpy array, `rules()` the fired rule ids per
item; `batch[i]` (or iteration) gives one Classification, equal to what classify_many gives.)pbdoc")
        .def("__len__", [](const ClassificationBatch& b) { return b.items.size(); })
        .def("__getitem__", [](const ClassificationBatch& b, py::ssize_t i) { return b.items[b.index(i)]; }, py::arg("index"))
        .def("__iter__", [](const ClassificationBatch& b) {
            return py::make_iterator<py::return_value_policy::copy>(b.items.begin(), b.items.end());
        }, py::keep_alive<0, 1>())
        .def("facet", &facet_column, py::arg("name"),
             "One facet for every item: codes (None when undecided); `reasonable` gives bools, `tags` lists.")
        .def_property_readonly("scores", [](const ClassificationBatch& b) {
            py::array_t<double> a(static_cast<py::ssize_t>(b.items.size()));
            auto* d = a.mutable_data();
            for (std::size_t i = 0; i < b.items.size(); ++i) d[i] = b.items[i].score;
            return a;
        }, "numpy float64 array of the scores.")
        .def_property_readonly("empty_text", [](const ClassificationBatch& b) {
            py::array_t<bool> a(static_cast<py::ssize_t>(b.items.size()));
            auto* d = a.mutable_data();
            for (std::size_t i = 0; i < b.items.size(); ++i) d[i] = b.items[i].empty_text;
            return a;
        }, "numpy bool array: the item had no text.")
        .def_property_readonly("replaced_invalid_utf8", [](const ClassificationBatch& b) {
            py::array_t<std::int64_t> a(static_cast<py::ssize_t>(b.items.size()));
            auto* d = a.mutable_data();
            for (std::size_t i = 0; i < b.items.size(); ++i) d[i] = static_cast<std::int64_t>(b.items[i].replaced_invalid_utf8);
            return a;
        }, "numpy int64 array: invalid UTF-8 bytes replaced (lenient mode).")
        .def("rules", [](const ClassificationBatch& b) {
            py::list out(b.items.size());
            for (std::size_t i = 0; i < b.items.size(); ++i) {
                py::list ids(b.items[i].evidence.size());
                for (std::size_t k = 0; k < b.items[i].evidence.size(); ++k) {
                    const auto& id = b.items[i].evidence[k].rule_id;
                    PyList_SET_ITEM(ids.ptr(), static_cast<py::ssize_t>(k),
                                    py::str(id.data(), id.size()).release().ptr());
                }
                PyList_SET_ITEM(out.ptr(), static_cast<py::ssize_t>(i), ids.release().ptr());
            }
            return out;
        }, "Ids of the rules that fired, per item (evaluation order).")
        .def("to_list", [](const ClassificationBatch& b) { return b.items; }, "Every result as a Classification.")
        .def("__repr__", [](const ClassificationBatch& b) {
            return "<ClassificationBatch of " + std::to_string(b.items.size()) + ">";
        });

    py::class_<ck::RuleSet>(m, "RuleSet", R"pbdoc(A compiled, immutable rule pack (see docs/rules.md).

RuleSet.default() is the built-in trilingual pack; RuleSet.compile(json_or_dict) compiles
your own and raises CompileError listing every problem with rule ids and JSON paths.)pbdoc")
        // (compiling is tens of milliseconds of native work: other Python threads run meanwhile)
        .def_static("compile", [](const py::object& pack) {
            const std::string json = json_text_of(pack, "pack");
            py::gil_scoped_release release;
            return ck::RuleSet::compile(json);
        }, py::arg("pack"))
        .def_static("default", [] {
            py::gil_scoped_release release;  // (the first call compiles the pack)
            return ck::RuleSet::default_rules();
        }, "The built-in trilingual rule pack.")
        .def_static("default_pack_json", [] { return std::string(ck::RuleSet::default_pack_json()); },
                    "The built-in pack as JSON text (copy and edit it).")
        .def_static("lint", [](const py::object& pack) {
            const std::string json = json_text_of(pack, "pack");
            std::string diagnostics;
            {
                py::gil_scoped_release release;
                diagnostics = ck::to_json(ck::RuleSet::lint(json));
            }
            return json_loads(diagnostics);
        }, py::arg("pack"), "Every error and warning of a pack as a list of dicts (level, rule, path, message).")
        .def_property_readonly("name", &ck::RuleSet::name)
        .def_property_readonly("rule_count", &ck::RuleSet::rule_count)
        .def_property_readonly("keyword_count", &ck::RuleSet::keyword_count)
        .def_property_readonly("rule_ids", &ck::RuleSet::rule_ids)
        .def_property_readonly("warnings", [](const ck::RuleSet& rs) { return json_loads(ck::to_json(rs.warnings())); })
        .def_property_readonly("model_bindings", [](const ck::RuleSet& rs) {
            py::list out;
            for (const auto& b : rs.model_bindings())
                out.append(py::dict(py::arg("facet") = std::string(ck::facet_name(b.facet)), py::arg("model") = b.model,
                                    py::arg("threshold") = b.threshold));
            return out;
        }, "The pack's \"models\" entries: [{\"facet\", \"model\", \"threshold\"}] (supply them with with_models).")
        .def("classify", [](const ck::RuleSet& rs, const py::object& item, bool explain, bool lenient,
                            std::optional<int> prior_complaints) {
            const auto opt = options(explain, lenient);
            if (py::isinstance<ck::Complaint>(item)) {
                const auto& c = item.cast<const ck::Complaint&>();
                ck::ClassifyContext ctx;
                ctx.prior_complaints = prior_complaints;
                py::gil_scoped_release release;
                return rs.classify(c, opt, ctx);
            }
            const std::string text = item.is_none() ? std::string() : text_of(item, "text");
            py::gil_scoped_release release;
            return rs.classify(std::string_view(text), opt);
        }, py::arg("item"), py::arg("explain") = false, py::arg("lenient") = false,
           py::arg("prior_complaints") = py::none(),
           "Classifies a text (str / bytes) or a Complaint.")
        .def("classify_many", [](const ck::RuleSet& rs, const py::iterable& items, unsigned threads, bool explain,
                                 bool lenient, const std::string& evidence) {
            const auto opt = options(explain, lenient, evidence);
            const ViewInput in = convert_views(items);
            return classify_many_list(rs, in, threads, opt);
        }, py::arg("items"), py::arg("threads") = 0, py::arg("explain") = false, py::arg("lenient") = false,
           py::arg("evidence") = "full",
           "Classifies many texts / Complaints on native threads (GIL released); results in input order. "
           "On several threads the results become Python objects while the batch is still classifying; "
           "Ctrl-C stops the batch (KeyboardInterrupt). "
           "evidence=\"rules\" skips the keyword hits (same facets, scores and fired rules; faster).")
        .def("classify_batch", [](const ck::RuleSet& rs, const py::iterable& items, unsigned threads, bool lenient,
                                  const std::string& evidence) {
            const auto opt = options(false, lenient, evidence);
            const ViewInput in = convert_views(items);
            ClassificationBatch b;
            b.items = classify_python(rs, in, threads, opt, [](auto&, std::size_t, std::size_t) {});
            return b;
        }, py::arg("items"), py::arg("threads") = 0, py::arg("lenient") = false, py::arg("evidence") = "rules",
           "Like classify_many, but returns a ClassificationBatch that keeps the results native and converts "
           "them on access (columns: batch.facet(\"category\"), batch.scores, batch.rules(); or batch[i]). "
           "For bulk jobs; evidence defaults to \"rules\".")
        .def("__repr__", [](const ck::RuleSet& rs) {
            return "<RuleSet " + rs.name() + ": " + std::to_string(rs.rule_count()) + " rules, " +
                   std::to_string(rs.keyword_count()) + " keywords>";
        });

    m.def("normalize", [](const py::object& text) {
        const std::string s = text_of(text, "text");
        ck::NormalizedText n;
        {
            py::gil_scoped_release release;
            n = ck::normalize(s);
        }
        return py::make_tuple(py::bytes(n.text).attr("decode")("utf-8", "replace"), n.source_offset);
    }, py::arg("text"), "Folded text and, per byte of its UTF-8, the source byte offset.");
    m.def("normalize_text", [](const py::object& text) {
        return py::bytes(ck::normalize_text(text_of(text, "text"))).attr("decode")("utf-8", "replace");
    }, py::arg("text"), "Text folded for matching: Latin case, full-width forms, Traditional → Simplified.");
}

}  // namespace ckpy
