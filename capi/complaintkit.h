/*
 * complaintkit — the stable C API (C99).
 *
 * Conventions (after GEOS, SQLite, libgit2 and zstd):
 *  - Every symbol is prefixed ck_ / CK_. Only these leave libcomplaintkit.so.
 *  - Every call that can fail takes a ck_context* first, returns an int status
 *    (CK_OK = 0, negative CK_E_* on error) and delivers results through out-parameters.
 *    The context keeps the last error's code, message and JSON path until the next
 *    failing call on it; a success does not clear it, so test the return code, never
 *    the message. An optional handler is called with each error as it happens.
 *  - No C++ exception ever crosses this interface.
 *  - Objects are opaque handles made by ck_*_new / ck_*_from_* / ck_*_compile and
 *    released by the matching ck_*_free, which accepts NULL.
 *  - Strings in are UTF-8 with an explicit length (pass (size_t)-1 = CK_NUL_TERMINATED
 *    for a NUL-terminated string). Strings out are UTF-8 and NUL-terminated; those the
 *    caller owns (char **) are released with ck_string_free; borrowed ones (const char **)
 *    live as long as the object they came from, until it is modified or freed.
 *  - Enumerations have explicit values and only grow; options are bit flags.
 *
 * Thread safety:
 *  - A ck_context must be used by one thread at a time (make one per thread).
 *  - A ck_complaint may be read from several threads at once; modifying it (appending
 *    events, applying commands) needs exclusive access.
 *  - Compiled, immutable objects (rule sets, calendars, policies, models) are safe to
 *    share between threads once built.
 *  - Taxonomy strings and ck_version() are static and always safe.
 */
#ifndef COMPLAINTKIT_H
#define COMPLAINTKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  if defined(CK_BUILDING_DLL)
#    define CK_EXTERN(type) __declspec(dllexport) type
#  else
#    define CK_EXTERN(type) __declspec(dllimport) type
#  endif
#else
#  define CK_EXTERN(type) __attribute__((visibility("default"))) type
#endif

/* ------------------------------------------------------------------ version */

#define CK_VERSION_MAJOR 0
#define CK_VERSION_MINOR 1
#define CK_VERSION_PATCH 0
#define CK_VERSION_NUMBER (CK_VERSION_MAJOR * 10000 + CK_VERSION_MINOR * 100 + CK_VERSION_PATCH)
#define CK_VERSION_STRING "0.1.0"
#define CK_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define CK_AT_LEAST_VERSION(major, minor, patch) (CK_VERSION_NUMBER >= CK_MAKE_VERSION(major, minor, patch))

/** Library version as "MAJOR.MINOR.PATCH" (static string). \since 0.1 */
CK_EXTERN(const char *) ck_version(void);
/** CK_VERSION_NUMBER of the library actually loaded. \since 0.1 */
CK_EXTERN(int) ck_version_number(void);
/** C-ABI interface number (CURRENT of the libtool scheme). \since 0.1 */
CK_EXTERN(int) ck_abi_interface(void);

#define CK_NUL_TERMINATED ((size_t)-1)

/* ------------------------------------------------------------------ status codes */

typedef enum ck_status {
    CK_OK = 0,
    CK_E_INVALID_ARGUMENT = -1,   /* NULL where an object is required, bad index or flag */
    CK_E_PARSE = -2,              /* malformed JSON / CSV / syntax */
    CK_E_INVALID_UTF8 = -3,
    CK_E_INVALID_VALUE = -4,      /* well-formed but unacceptable (negative money, bad date) */
    CK_E_UNKNOWN_CODE = -5,       /* a taxonomy code that does not exist */
    CK_E_MISSING_FIELD = -6,
    CK_E_OUT_OF_ORDER = -7,       /* events or commands out of time order */
    CK_E_ILLEGAL_TRANSITION = -8, /* workflow command not allowed in this state */
    CK_E_NOT_FOUND = -9,
    CK_E_IO = -10,
    CK_E_COMPILE = -11,           /* rule pack / model does not compile or load */
    CK_E_UNSUPPORTED = -12,
    CK_E_INTERNAL = -13,          /* a bug in complaintkit: please report it */
    CK_E_NO_MEMORY = -14
} ck_status;

/** Stable lower-snake name of a status ("invalid_utf8"); "unknown" for other values. \since 0.1 */
CK_EXTERN(const char *) ck_status_name(int status);

/* ------------------------------------------------------------------ context */

typedef struct ck_context ck_context;

/** Error handler: called on every failing call with the status, the full message
 *  ("path: message") and the caller's userdata. It must not call back into the context. */
typedef void (*ck_error_handler)(int status, const char *message, void *userdata);

/** New context, or NULL if out of memory. \since 0.1 */
CK_EXTERN(ck_context *) ck_context_new(void);
/** Frees a context (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_context_free(ck_context *ctx);
/** Installs (or with NULL removes) the error handler. \since 0.1 */
CK_EXTERN(void) ck_context_set_error_handler(ck_context *ctx, ck_error_handler handler, void *userdata);
/** Status of the last failing call on ctx (CK_OK if none failed yet). \since 0.1 */
CK_EXTERN(int) ck_context_errcode(const ck_context *ctx);
/** Full message of the last error, "" if none; owned by ctx, valid until its next error. \since 0.1 */
CK_EXTERN(const char *) ck_context_errmsg(const ck_context *ctx);
/** JSON pointer of the last input error ("/events/2/at"), "" if none. \since 0.1 */
CK_EXTERN(const char *) ck_context_errpath(const ck_context *ctx);
/** Forgets the last error. \since 0.1 */
CK_EXTERN(void) ck_context_clear_error(ck_context *ctx);

/** Frees a string the library returned through a char ** (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_string_free(char *s);

/* ------------------------------------------------------------------ taxonomies */

typedef enum ck_taxonomy {
    CK_TAXONOMY_CATEGORY = 0,
    CK_TAXONOMY_SUBCATEGORY = 1,
    CK_TAXONOMY_CAUSE = 2,
    CK_TAXONOMY_SUB_CAUSE = 3,
    CK_TAXONOMY_ATTRIBUTION = 4,
    CK_TAXONOMY_DIMENSION = 5,
    CK_TAXONOMY_SEVERITY = 6,
    CK_TAXONOMY_PERSONALITY = 7,
    CK_TAXONOMY_MOTIVE = 8,
    CK_TAXONOMY_KIND = 9,
    CK_TAXONOMY_STATUS = 10,
    CK_TAXONOMY_CHANNEL = 11,
    CK_TAXONOMY_TIER = 12,
    CK_TAXONOMY_REMEDY_TYPE = 13,
    CK_TAXONOMY_EVENT_TYPE = 14
} ck_taxonomy;

typedef enum ck_lang { CK_LANG_EN = 0, CK_LANG_ZH_HANS = 1, CK_LANG_ZH_HANT = 2 } ck_lang;

/** Number of values in a taxonomy. \since 0.1 */
CK_EXTERN(int) ck_taxonomy_size(ck_context *ctx, int taxonomy, size_t *out_count);
/** The index-th value (0 ≤ index < size) of a taxonomy, in numeric order. \since 0.1 */
CK_EXTERN(int) ck_taxonomy_value_at(ck_context *ctx, int taxonomy, size_t index, int *out_value);
/** Stable code of a value ("product_quality"); static string. \since 0.1 */
CK_EXTERN(int) ck_taxonomy_code(ck_context *ctx, int taxonomy, int value, const char **out_code);
/** Label of a value in a language (ck_lang); static string. \since 0.1 */
CK_EXTERN(int) ck_taxonomy_label(ck_context *ctx, int taxonomy, int value, int lang, const char **out_label);
/** Value of a code; CK_E_UNKNOWN_CODE if there is none. \since 0.1 */
CK_EXTERN(int) ck_taxonomy_from_code(ck_context *ctx, int taxonomy, const char *code, size_t len, int *out_value);

/* ------------------------------------------------------------------ complaints */

typedef struct ck_complaint ck_complaint;

/** Parse flags. */
#define CK_PARSE_PRESERVE_UNKNOWN 0x1u /* keep unknown top-level fields instead of rejecting them */
/** Serialisation flags. */
#define CK_JSON_PRETTY 0x1u

/** String fields of a complaint. */
typedef enum ck_field {
    CK_FIELD_ID = 0,
    CK_FIELD_CUSTOMER_ID = 1,
    CK_FIELD_CUSTOMER_NAME = 2,
    CK_FIELD_CUSTOMER_CONTACT = 3,
    CK_FIELD_CUSTOMER_OWNER = 4,
    CK_FIELD_COMPLAINANT = 5,
    CK_FIELD_BRANCH = 6,
    CK_FIELD_PRODUCT = 7,
    CK_FIELD_ORDER = 8,
    CK_FIELD_LANGUAGE = 9,
    CK_FIELD_TITLE = 10,
    CK_FIELD_TEXT = 11,
    CK_FIELD_REMEDY_TEXT = 12
} ck_field;

/** Coded fields of a complaint and their taxonomy. */
typedef enum ck_code_field {
    CK_CODE_CHANNEL = 0,        /* ck_taxonomy CHANNEL */
    CK_CODE_TIER = 1,           /* TIER */
    CK_CODE_PERSONALITY = 2,    /* PERSONALITY: the customer's, as recorded */
    CK_CODE_KIND = 3,           /* the facets assigned to the complaint: */
    CK_CODE_CATEGORY = 4,
    CK_CODE_SUBCATEGORY = 5,
    CK_CODE_CAUSE = 6,
    CK_CODE_SUB_CAUSE = 7,
    CK_CODE_ATTRIBUTION = 8,
    CK_CODE_DIMENSION = 9,
    CK_CODE_SEVERITY = 10,
    CK_CODE_FACET_PERSONALITY = 11,
    CK_CODE_MOTIVE = 12
} ck_code_field;

/** Parses a complaint from a JSON object (docs/complaint-json.md). On error *out is
 *  NULL, the status says what kind of error and ck_context_errpath the JSON pointer. \since 0.1 */
CK_EXTERN(int) ck_complaint_from_json(ck_context *ctx, ck_complaint **out, const char *json, size_t len,
                                      unsigned flags);
/** Frees a complaint (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_complaint_free(ck_complaint *c);
/** Deep copy. \since 0.1 */
CK_EXTERN(int) ck_complaint_clone(ck_context *ctx, ck_complaint **out, const ck_complaint *c);
/** Serialises to JSON; *out is owned by the caller (ck_string_free). out_len may be NULL. \since 0.1 */
CK_EXTERN(int) ck_complaint_to_json(ck_context *ctx, const ck_complaint *c, unsigned flags, char **out,
                                    size_t *out_len);
/** A string field (borrowed; "" when absent). out_len may be NULL. \since 0.1 */
CK_EXTERN(int) ck_complaint_string(ck_context *ctx, const ck_complaint *c, int field, const char **out,
                                   size_t *out_len);
/** A coded field's numeric value (see ck_taxonomy_code for its code). \since 0.1 */
CK_EXTERN(int) ck_complaint_code(ck_context *ctx, const ck_complaint *c, int field, int *out_value);
/** When received: microseconds since the Unix epoch (UTC) and the original UTC offset in minutes. \since 0.1 */
CK_EXTERN(int) ck_complaint_received_at(ck_context *ctx, const ck_complaint *c, int64_t *out_unix_us,
                                        int *out_offset_minutes);
/** A money amount by kind ("paid", "overcharged"); CK_E_NOT_FOUND if absent. Currency borrowed. \since 0.1 */
CK_EXTERN(int) ck_complaint_amount(ck_context *ctx, const ck_complaint *c, const char *kind, int64_t *out_minor,
                                   const char **out_currency);
/** Region path: number of levels, and the index-th (0 = top) level. \since 0.1 */
CK_EXTERN(int) ck_complaint_region_count(ck_context *ctx, const ck_complaint *c, size_t *out_count);
CK_EXTERN(int) ck_complaint_region_at(ck_context *ctx, const ck_complaint *c, size_t index, const char **out);
/** A free attribute as JSON text (owned by caller); CK_E_NOT_FOUND if absent. \since 0.1 */
CK_EXTERN(int) ck_complaint_attribute_json(ck_context *ctx, const ck_complaint *c, const char *name, char **out);
/** Number of history events. \since 0.1 */
CK_EXTERN(int) ck_complaint_event_count(ck_context *ctx, const ck_complaint *c, size_t *out_count);
/** The index-th event: type (ck_taxonomy EVENT_TYPE), time (µs since epoch, UTC), actor and text
 *  (borrowed). Any out-parameter may be NULL. \since 0.1 */
CK_EXTERN(int) ck_complaint_event_at(ck_context *ctx, const ck_complaint *c, size_t index, int *out_type,
                                     int64_t *out_unix_us, const char **out_actor, const char **out_text);
/** Appends one event given as JSON ({"at", "type", "actor", "text", "payload"}); an event earlier
 *  than the last one is CK_E_OUT_OF_ORDER and changes nothing. \since 0.1 */
CK_EXTERN(int) ck_complaint_append_event_json(ck_context *ctx, ck_complaint *c, const char *json, size_t len);

/* ------------------------------------------------------------------ rules */

/** A compiled rule pack: immutable, and safe to share between threads (every classify call
 *  is read-only); each thread uses its own ck_context. See docs/rules.md for the language. */
typedef struct ck_ruleset ck_ruleset;
/** The result of classifying one complaint (facets, score, evidence). A result may be read
 *  from several threads at once. */
typedef struct ck_classification ck_classification;

/** Classification flags (bitwise or). */
#define CK_CLASSIFY_EXPLAIN 0x1u       /* also report rules that did not fire, with the reason */
#define CK_CLASSIFY_LENIENT_UTF8 0x2u  /* replace invalid UTF-8 (and count it) instead of failing */
#define CK_CLASSIFY_NO_HITS 0x4u       /* lean evidence for bulk jobs: fired rules, scores and facets
                                          as usual, but no keyword hits (ignored with EXPLAIN) */

/** Facets a rule can set (values of ck_classification_facet). */
typedef enum ck_facet {
    CK_FACET_KIND = 0,
    CK_FACET_CATEGORY = 1,
    CK_FACET_SUBCATEGORY = 2,
    CK_FACET_CAUSE = 3,
    CK_FACET_SUB_CAUSE = 4,
    CK_FACET_ATTRIBUTION = 5,
    CK_FACET_DIMENSION = 6,
    CK_FACET_SEVERITY = 7,
    CK_FACET_PERSONALITY = 8,
    CK_FACET_MOTIVE = 9,
    CK_FACET_REASONABLE = 10,
    CK_FACET_TAGS = 11
} ck_facet;

/** Compiles a JSON rule pack. On CK_E_COMPILE (or CK_E_PARSE) the context message lists every
 *  problem, one per line, with rule ids and JSON pointers; *out is NULL. \since 0.1 */
CK_EXTERN(int) ck_ruleset_compile(ck_context *ctx, ck_ruleset **out, const char *json, size_t len);
/** The built-in trilingual rule pack (a new handle on the shared compiled pack). \since 0.1 */
CK_EXTERN(int) ck_ruleset_default(ck_context *ctx, ck_ruleset **out);
/** The built-in pack's JSON text (static storage; do not free). \since 0.1 */
CK_EXTERN(int) ck_ruleset_default_json(ck_context *ctx, const char **out, size_t *out_len);
/** Frees a rule set (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_ruleset_free(ck_ruleset *rs);
/** Every error and warning of a pack as a JSON array of {"level","rule","path","message"}
 *  (owned by the caller: ck_string_free). Succeeds for a pack with errors. \since 0.1 */
CK_EXTERN(int) ck_ruleset_lint(ck_context *ctx, const char *json, size_t len, char **out, size_t *out_len);
/** Number of rules and of distinct keywords. Either out-parameter may be NULL. \since 0.1 */
CK_EXTERN(int) ck_ruleset_counts(ck_context *ctx, const ck_ruleset *rs, size_t *out_rules, size_t *out_keywords);
/** Warnings of the compiled pack as a JSON array (owned by the caller). \since 0.1 */
CK_EXTERN(int) ck_ruleset_warnings_json(ck_context *ctx, const ck_ruleset *rs, char **out, size_t *out_len);
/** The pack's "models" entries (docs/textmodel.md; supply the models with
 *  ck_ruleset_with_models): their number, and entry `index`'s model name (borrowed: lives as
 *  long as the rule set), facet (a ck_facet) and threshold. Any out-parameter may be NULL;
 *  an index out of range is CK_E_INVALID_ARGUMENT. \since 0.1 */
CK_EXTERN(int) ck_ruleset_model_count(ck_context *ctx, const ck_ruleset *rs, size_t *out_count);
CK_EXTERN(int) ck_ruleset_model_binding(ck_context *ctx, const ck_ruleset *rs, size_t index, const char **out_name,
                                        int *out_facet, double *out_threshold);

/** Classifies a UTF-8 text. Empty or blank text gives all facets unknown. \since 0.1 */
CK_EXTERN(int) ck_ruleset_classify_text(ck_context *ctx, const ck_ruleset *rs, const char *text, size_t len,
                                        unsigned flags, ck_classification **out);
/** Classifies a complaint record (title, text and the fields rules test). prior_complaints is the
 *  number of earlier complaints by the same customer, or -1 when unknown (then the record's
 *  "prior_complaints" attribute is used if present). \since 0.1 */
CK_EXTERN(int) ck_ruleset_classify_complaint(ck_context *ctx, const ck_ruleset *rs, const ck_complaint *c,
                                             int prior_complaints, unsigned flags, ck_classification **out);
/** Classifies n texts on `threads` threads (0: one per hardware thread). out must hold n
 *  pointers; out[i] is the result of texts[i] (lens[i] bytes, or CK_NUL_TERMINATED; lens may be
 *  NULL for NUL-terminated texts). On failure every out[i] is NULL and the message names the
 *  first failing item ("item 3: …"). \since 0.1 */
CK_EXTERN(int) ck_ruleset_classify_batch(ck_context *ctx, const ck_ruleset *rs, const char *const *texts,
                                         const size_t *lens, size_t n, unsigned threads, unsigned flags,
                                         ck_classification **out);
/** Receives ck_ruleset_classify_each's results: `result` is borrowed for the call only (read
 *  it, or ck_classification_to_json it; do not free or keep the pointer). Return 0 to go on;
 *  any other value stops the batch. \since 0.1 */
typedef int (*ck_classification_sink)(void *user, size_t index, const ck_classification *result);
/** Streams a batch: classifies n texts (as ck_ruleset_classify_batch) on `threads` threads and
 *  calls sink(user, i, result) for every text in input order, never two calls at once (a call
 *  may come from any of the pool's threads, the caller's included). Memory stays bounded
 *  (4 x 64 results a thread) however large n is. On an invalid text the results before it are
 *  delivered and the error names the item ("item 3: ..."). A sink returning non-zero stops the
 *  batch: nothing more is delivered and that value is returned (keep it positive to tell it
 *  from the CK_E_* codes; the context's error is not set). The sink may call the C API with
 *  `ctx` (the call does not touch it until it returns). \since 0.1 */
CK_EXTERN(int) ck_ruleset_classify_each(ck_context *ctx, const ck_ruleset *rs, const char *const *texts,
                                        const size_t *lens, size_t n, unsigned threads, unsigned flags,
                                        ck_classification_sink sink, void *user);
/** Frees a result (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_classification_free(ck_classification *c);
/** A facet's value as its taxonomy number (0 = unknown). For CK_FACET_REASONABLE: -1 unknown,
 *  0 false, 1 true. CK_FACET_TAGS is not a single value: use ck_classification_tag_*. \since 0.1 */
CK_EXTERN(int) ck_classification_facet(ck_context *ctx, const ck_classification *c, int facet, int *out_value);
/** Overall score: the sum of the scores of the rules that decided a facet. \since 0.1 */
CK_EXTERN(int) ck_classification_score(ck_context *ctx, const ck_classification *c, double *out_score);
/** Tags: count, and the index-th tag (borrowed; valid while c lives). \since 0.1 */
CK_EXTERN(int) ck_classification_tag_count(ck_context *ctx, const ck_classification *c, size_t *out_count);
CK_EXTERN(int) ck_classification_tag_at(ck_context *ctx, const ck_classification *c, size_t index, const char **out);
/** Rules that fired, in evaluation order: count; the index-th rule's id (borrowed), score and
 *  number of keyword hits (any out-parameter may be NULL). \since 0.1 */
CK_EXTERN(int) ck_classification_evidence_count(ck_context *ctx, const ck_classification *c, size_t *out_count);
CK_EXTERN(int) ck_classification_evidence_at(ck_context *ctx, const ck_classification *c, size_t index,
                                             const char **out_rule_id, double *out_score, size_t *out_hit_count);
/** The hit-th keyword hit of the index-th fired rule: the keyword as written in the pack
 *  (borrowed), and its byte offsets [begin, end) in the original text (or title when
 *  *out_in_title is 1). Any out-parameter may be NULL. \since 0.1 */
CK_EXTERN(int) ck_classification_hit_at(ck_context *ctx, const ck_classification *c, size_t index, size_t hit,
                                        const char **out_keyword, size_t *out_begin, size_t *out_end,
                                        int *out_in_title);
/** The whole result as JSON (facets, score, evidence, and misses in explain mode); owned by the
 *  caller. flags: CK_JSON_PRETTY. \since 0.1 */
CK_EXTERN(int) ck_classification_to_json(ck_context *ctx, const ck_classification *c, unsigned flags, char **out,
                                         size_t *out_len);

/* ------------------------------------------------------------------ workflow */

/** A business calendar (opening hours, zone, holidays, make-up days); immutable once built
 *  and safe to share between threads. Instants are microseconds since the Unix epoch (UTC);
 *  durations are microseconds of business time. \since 0.1 */
typedef struct ck_calendar ck_calendar;
/** The handling workflow: calendars, SLA policies, escalation chain, remedy table;
 *  immutable once built and safe to share between threads. \since 0.1 */
typedef struct ck_workflow ck_workflow;

/** Compiles a calendar from JSON (docs/workflow.md). Overlapping or inverted intervals,
 *  unknown zones and invalid dates are errors naming the JSON pointer. \since 0.1 */
CK_EXTERN(int) ck_calendar_from_json(ck_context *ctx, ck_calendar **out, const char *json, size_t len);
/** Frees a calendar (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_calendar_free(ck_calendar *cal);
/** 1 in *out_open if the instant is in business hours, else 0. \since 0.1 */
CK_EXTERN(int) ck_calendar_is_open(ck_context *ctx, const ck_calendar *cal, int64_t unix_us, int *out_open);
/** The instant if open, else the start of the next business interval. \since 0.1 */
CK_EXTERN(int) ck_calendar_next_open(ck_context *ctx, const ck_calendar *cal, int64_t unix_us, int64_t *out_unix_us);
/** The earliest instant at which `business_us` (≥ 0) of business time has passed. \since 0.1 */
CK_EXTERN(int) ck_calendar_add(ck_context *ctx, const ck_calendar *cal, int64_t unix_us, int64_t business_us,
                               int64_t *out_unix_us);
/** Business time in [a, b) (negative when b < a). \since 0.1 */
CK_EXTERN(int) ck_calendar_business_between(ck_context *ctx, const ck_calendar *cal, int64_t a_unix_us,
                                            int64_t b_unix_us, int64_t *out_us);
/** The UTC offset (minutes) of the calendar's zone at the instant. \since 0.1 */
CK_EXTERN(int) ck_calendar_offset_minutes(ck_context *ctx, const ck_calendar *cal, int64_t unix_us, int *out_minutes);
/** A readable timeline of ck_calendar_add as a JSON array of strings (free with ck_string_free). \since 0.1 */
CK_EXTERN(int) ck_calendar_explain_add(ck_context *ctx, const ck_calendar *cal, int64_t unix_us, int64_t business_us,
                                       char **out_json);

/** The default workflow (seed defaults; Workflow::default_json). \since 0.1 */
CK_EXTERN(int) ck_workflow_new(ck_context *ctx, ck_workflow **out);
/** A workflow from JSON; sections left out take the defaults. \since 0.1 */
CK_EXTERN(int) ck_workflow_from_json(ck_context *ctx, ck_workflow **out, const char *json, size_t len);
/** Frees a workflow (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_workflow_free(ck_workflow *wf);
/** The default configuration as JSON text (static string). \since 0.1 */
CK_EXTERN(const char *) ck_workflow_default_json(void);
/** Applies one command ({"command": "acknowledge", "at": "…", "actor": "…", "text": "…", …}) to
 *  the complaint: on success one event is appended; an illegal transition
 *  (CK_E_ILLEGAL_TRANSITION), a time before the last event (CK_E_OUT_OF_ORDER) or a bad
 *  field changes nothing. \since 0.1 */
CK_EXTERN(int) ck_workflow_apply_json(ck_context *ctx, const ck_workflow *wf, ck_complaint *c, const char *command_json,
                                      size_t len);
/** State, deadlines, warnings, breaches, escalations, remedies and next wake-up at `now_unix_us`
 *  as JSON (CK_JSON_PRETTY allowed); free with ck_string_free. \since 0.1 */
CK_EXTERN(int) ck_workflow_state_json(ck_context *ctx, const ck_workflow *wf, const ck_complaint *c,
                                      int64_t now_unix_us, unsigned flags, char **out, size_t *out_len);
/** Appends, at now, an sla_warning / sla_breached event for each warning or breach due by now
 *  that the log does not record yet (audit records; replay ignores them). \since 0.1 */
CK_EXTERN(int) ck_workflow_record_sla_events(ck_context *ctx, const ck_workflow *wf, ck_complaint *c,
                                             int64_t now_unix_us, size_t *out_appended);
/** The next warning or breach after now: *out_has = 1 and the instant, or *out_has = 0. \since 0.1 */
CK_EXTERN(int) ck_workflow_next_wakeup(ck_context *ctx, const ck_workflow *wf, const ck_complaint *c,
                                       int64_t now_unix_us, int *out_has, int64_t *out_unix_us);
/** A readable timeline of one clock ("acknowledge", "first_response", "update", "resolution",
 *  "follow_up") at now, as a JSON array of strings (free with ck_string_free). \since 0.1 */
CK_EXTERN(int) ck_workflow_explain_json(ck_context *ctx, const ck_workflow *wf, const ck_complaint *c,
                                        int64_t now_unix_us, const char *target, char **out);
/** Recommended remedies as a JSON array [{"type", "rules", "note"}] in a language (ck_lang). \since 0.1 */
CK_EXTERN(int) ck_workflow_recommend_json(ck_context *ctx, const ck_workflow *wf, const ck_complaint *c, int lang,
                                          char **out);
/** A new copy of the workflow's named calendar ("default" always exists). \since 0.1 */
CK_EXTERN(int) ck_workflow_calendar(ck_context *ctx, const ck_workflow *wf, const char *name, size_t len,
                                    ck_calendar **out);
/** The handling strategy for a personality (ck_taxonomy PERSONALITY value) in a language; static string. \since 0.1 */
CK_EXTERN(int) ck_personality_strategy(ck_context *ctx, int personality, int lang, const char **out);
/* ------------------------------------------------------------------ metrics */

/** A metrics report: a chosen set of satisfaction and complaint metrics over a complaint
 *  set, grouped by facets (docs/metrics.md). Reports are mergeable: partitions computed
 *  apart (other threads, processes or machines) and merged give exactly the result of
 *  one report over everything. A report is not thread-safe, not even for concurrent
 *  reads (rendering selects quantiles in place): use one report per thread and merge
 *  them. \since 0.1 */
typedef struct ck_report ck_report;

/** Flags of ck_report_add_json. */
#define CK_REPORT_JSONL 0x1u /* the input is JSON Lines: one complaint (or wrapper) per line */

/** Creates a report from a configuration (JSON object, docs/metrics.md "Report
 *  configuration"); json NULL with len 0 means all defaults. Errors name the field
 *  (ck_context_errpath). \since 0.1 */
CK_EXTERN(int) ck_report_new(ck_context *ctx, ck_report **out, const char *config_json, size_t len);
/** Releases a report; NULL is accepted. \since 0.1 */
CK_EXTERN(void) ck_report_free(ck_report *r);
/** Adds one complaint. A bad complaint (e.g. a survey score outside its scale) is an
 *  error and changes nothing. \since 0.1 */
CK_EXTERN(int) ck_report_add(ck_context *ctx, ck_report *r, const ck_complaint *c);
/** Adds one complaint with facts known to the host (workflow engine): business-time
 *  durations and SLA outcomes as JSON {"business_acknowledge_s", "business_first_response_s",
 *  "business_resolution_s", "sla": {"target": true|false}, "staff"}. \since 0.1 */
CK_EXTERN(int) ck_report_add_with_host(ck_context *ctx, ck_report *r, const ck_complaint *c, const char *host_json,
                                       size_t len);
/** Adds complaints given as JSON: one complaint object, or a wrapper {"complaint": {...},
 *  "host": {...}}; with CK_REPORT_JSONL, JSON Lines of either. All or nothing: on the
 *  first bad complaint nothing is added and the message names the line. *out_added
 *  (may be NULL) receives the number added. \since 0.1 */
CK_EXTERN(int) ck_report_add_json(ck_context *ctx, ck_report *r, const char *json, size_t len, unsigned flags,
                                  size_t *out_added);
/** Merges `other` into `into`; both must have the same configuration
 *  (CK_E_INVALID_ARGUMENT otherwise, nothing changed). \since 0.1 */
CK_EXTERN(int) ck_report_merge(ck_context *ctx, ck_report *into, const ck_report *other);
/** Number of complaints added. \since 0.1 */
CK_EXTERN(int) ck_report_count(ck_context *ctx, const ck_report *r, uint64_t *out_count);
/** The results as JSON (caller frees with ck_string_free); flags CK_JSON_PRETTY. Values
 *  that cannot be computed are null with a "reason"; never NaN or infinity. \since 0.1 */
CK_EXTERN(int) ck_report_result_json(ck_context *ctx, const ck_report *r, unsigned flags, char **out,
                                     size_t *out_len);
/** The complete state as JSON, for another process to restore and merge. \since 0.1 */
CK_EXTERN(int) ck_report_state_json(ck_context *ctx, const ck_report *r, char **out, size_t *out_len);
/** Restores a report from ck_report_state_json output. \since 0.1 */
CK_EXTERN(int) ck_report_from_state_json(ck_context *ctx, ck_report **out, const char *json, size_t len);

/** Wilson score interval of the proportion k/n at a confidence level (e.g. 0.95);
 *  CK_E_INVALID_ARGUMENT when n is 0, k > n or the confidence is not in (0, 1). \since 0.1 */
CK_EXTERN(int) ck_metrics_wilson(ck_context *ctx, uint64_t k, uint64_t n, double confidence, double *out_low,
                                 double *out_high);
/** Iceberg estimate: silent dissatisfied customers behind `complaints` complaints when a
 *  share `complaint_rate` of dissatisfied customers complain (0.05 per seed 000; TARP 0.04),
 *  with an interval at `confidence`. Any out-parameter may be NULL. \since 0.1 */
CK_EXTERN(int) ck_metrics_iceberg(ck_context *ctx, uint64_t complaints, double complaint_rate, double confidence,
                                  double *out_silent, double *out_low, double *out_high);
/* ------------------------------------------------------------------ archive */

/** The complaint archive: one SQLite file (docs/archive.md). A handle is one connection:
 *  use it from one thread at a time; open one handle per thread for concurrent readers
 *  while another handle (or process) ingests. */
typedef struct ck_archive ck_archive;

/** Open flags. */
#define CK_ARCHIVE_READ_ONLY 0x1u /* no writes; ingest / append / rebuild fail with CK_E_IO */
#define CK_ARCHIVE_NO_CREATE 0x2u /* fail with CK_E_NOT_FOUND instead of creating the file */
#define CK_ARCHIVE_SYNC_FULL 0x4u /* committed batches also survive power loss (slower) */
#define CK_ARCHIVE_NO_SLA 0x8u    /* snapshots without SLA deadlines (default: the built-in workflow's policies) */

/** What ingest does with a complaint whose id is already archived. */
typedef enum ck_duplicates {
    CK_DUPLICATES_REJECT = 0, /* a bad row (the default): never silently doubled */
    CK_DUPLICATES_UPSERT = 1, /* replace the record, append the newer events */
    CK_DUPLICATES_SKIP = 2    /* keep the stored complaint */
} ck_duplicates;

/** Ingest flags. */
#define CK_INGEST_KEEP_GOING 0x1u /* report bad rows and store the good ones (default: stop, roll back the batch) */

/** Opens or creates an archive. A file that is not a complaintkit archive, or one of a newer
 *  schema, is refused with CK_E_UNSUPPORTED and left untouched; older schemas are migrated.
 *  On error *out is NULL. \since 0.1 */
CK_EXTERN(int) ck_archive_open(ck_context *ctx, ck_archive **out, const char *path, unsigned flags);
/** Closes an archive (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_archive_close(ck_archive *a);
/** Schema version of the open archive (PRAGMA user_version). \since 0.1 */
CK_EXTERN(int) ck_archive_schema_version(ck_context *ctx, const ck_archive *a, int *out_version);
/** Number of complaints. \since 0.1 */
CK_EXTERN(int) ck_archive_count(ck_context *ctx, const ck_archive *a, size_t *out_count);
/** Ingests one complaint given as a JSON object, in its own transaction. A duplicate id under
 *  CK_DUPLICATES_REJECT is CK_E_INVALID_VALUE. \since 0.1 */
CK_EXTERN(int) ck_archive_ingest_json(ck_context *ctx, ck_archive *a, const char *json, size_t len, int duplicates);
/** Ingests JSON Lines in batches of `batch_size` complaints per transaction (0: one transaction).
 *  Without CK_INGEST_KEEP_GOING the first bad line fails the call (the message names the line
 *  and JSON pointer; earlier batches stay committed). With it, bad lines are skipped and
 *  listed in the report. out_report (may be NULL) receives the report as JSON, owned by the
 *  caller: {"rows","inserted","updated","skipped","rejected","batches","errors":[{"line",
 *  "column","id","code","message"}]}. \since 0.1 */
CK_EXTERN(int) ck_archive_ingest_jsonl(ck_context *ctx, ck_archive *a, const char *text, size_t len, int duplicates,
                                       size_t batch_size, unsigned flags, char **out_report);
/** The complaint with its full history as JSON (owned by the caller); CK_E_NOT_FOUND if
 *  there is none. \since 0.1 */
CK_EXTERN(int) ck_archive_get_json(ck_context *ctx, const ck_archive *a, const char *id, size_t id_len, char **out);
/** Runs a query given as JSON (docs/archive.md: status, open, overdue_at, at_risk_at,
 *  received_from, received_to, customer, place, facets, limit, offset; "{}" selects all) and
 *  returns a JSON array of result rows (owned by the caller). \since 0.1 */
CK_EXTERN(int) ck_archive_query_json(ck_context *ctx, const ck_archive *a, const char *query, size_t len, char **out);
/** Appends one event (JSON: {"at","type","actor","text","payload"}) to a complaint's history
 *  and updates its snapshot. CK_E_NOT_FOUND without the complaint, CK_E_OUT_OF_ORDER if
 *  earlier than its last event; nothing changes on error. \since 0.1 */
CK_EXTERN(int) ck_archive_append_event_json(ck_context *ctx, ck_archive *a, const char *id, size_t id_len,
                                            const char *event_json, size_t len);
/** Applies a workflow command (JSON: {"command": "acknowledge", "at", "actor", "text", …fields};
 *  docs/workflow.md) with the built-in workflow: checked against the state replayed from the
 *  history, then appended as one event. CK_E_ILLEGAL_TRANSITION / CK_E_OUT_OF_ORDER /
 *  CK_E_NOT_FOUND change nothing. \since 0.1 */
CK_EXTERN(int) ck_archive_apply_json(ck_context *ctx, ck_archive *a, const char *id, size_t id_len,
                                     const char *command_json, size_t len);
/** Recomputes every snapshot from the event history in one transaction. \since 0.1 */
CK_EXTERN(int) ck_archive_rebuild(ck_context *ctx, ck_archive *a, size_t *out_count);
/* ------------------------------------------------------------------ text model */

/* A trainable text classifier (docs/textmodel.md): learns a CRM's own labels from labelled
 * history and predicts them for new texts. A ck_textmodel is immutable once made: it may be
 * used from several threads at once (each with its own ck_context). */
typedef struct ck_textmodel ck_textmodel;

/** Trains on a labelled set in JSON Lines: one object per line; text_field and label_field
 *  are member names or JSON pointers (NULL: "text" and "label"; "title,text" joins several
 *  fields). options is NULL or a NULL-terminated list of "key=value" strings (c, min_df,
 *  class_weight=none|balanced, seed, latin_char_min/max, cjk_char_min/max, word_ngram_max,
 *  sublinear_tf, use_idf, max_epochs, tolerance, calibration_folds, prune, threads). Errors: an empty
 *  set or a single class (CK_E_INVALID_VALUE), a bad line (the message names it), invalid
 *  UTF-8 (CK_E_INVALID_UTF8), an unknown option (CK_E_INVALID_ARGUMENT). \since 0.1 */
CK_EXTERN(int) ck_textmodel_train_jsonl(ck_context *ctx, ck_textmodel **out, const char *jsonl, size_t len,
                                        const char *text_field, const char *label_field,
                                        const char *const *options);
/** Stratified k-fold cross-validation of the same training on a JSONL set; *out_json (owned by
 *  the caller, ck_string_free) holds accuracy, macro_f1, per-class precision / recall / f1 /
 *  support and the confusion matrix ([true][predicted], classes in "classes" order). \since 0.1 */
CK_EXTERN(int) ck_textmodel_cross_validate_jsonl(ck_context *ctx, const char *jsonl, size_t len,
                                                 const char *text_field, const char *label_field, size_t folds,
                                                 const char *const *options, char **out_json, size_t *out_len);
/** Loads a model file. CK_E_IO: cannot read; CK_E_UNSUPPORTED: not a text model, or another
 *  format / feature version (retrain); CK_E_COMPILE: corrupt (checksum, truncation). \since 0.1 */
CK_EXTERN(int) ck_textmodel_load(ck_context *ctx, ck_textmodel **out, const char *path);
/** The same from bytes in memory (copied). \since 0.1 */
CK_EXTERN(int) ck_textmodel_from_bytes(ck_context *ctx, ck_textmodel **out, const void *data, size_t len);
/** Writes the model file (atomically: temporary file, then rename). \since 0.1 */
CK_EXTERN(int) ck_textmodel_save(ck_context *ctx, const ck_textmodel *model, const char *path);
/** Frees a model (NULL is a no-op). \since 0.1 */
CK_EXTERN(void) ck_textmodel_free(ck_textmodel *model);
/** Number of classes. \since 0.1 */
CK_EXTERN(int) ck_textmodel_class_count(ck_context *ctx, const ck_textmodel *model, size_t *out_count);
/** Label of class index (0 ≤ index < count; sorted by label); borrowed, lives as long as the model. \since 0.1 */
CK_EXTERN(int) ck_textmodel_class_label(ck_context *ctx, const ck_textmodel *model, size_t index,
                                        const char **out_label);
/** Best class of a text and its calibrated probability (either out-parameter may be NULL).
 *  An empty text gets the prior; invalid UTF-8 is CK_E_INVALID_UTF8. \since 0.1 */
CK_EXTERN(int) ck_textmodel_predict(ck_context *ctx, const ck_textmodel *model, const char *text, size_t len,
                                    size_t *out_class, double *out_probability);
/** Calibrated probability of every class into out_probs[0 .. count-1]; capacity must be at
 *  least the class count (CK_E_INVALID_ARGUMENT otherwise). \since 0.1 */
CK_EXTERN(int) ck_textmodel_predict_proba(ck_context *ctx, const ck_textmodel *model, const char *text, size_t len,
                                          double *out_probs, size_t capacity);
/** Best class and probability of n texts (lens NULL: NUL-terminated texts) on `threads` native
 *  threads (0 = one per core). out_probabilities may be NULL. The first invalid text fails the
 *  call (the message names its index) and nothing is written. \since 0.1 */
CK_EXTERN(int) ck_textmodel_predict_batch(ck_context *ctx, const ck_textmodel *model, const char *const *texts,
                                          const size_t *lens, size_t n, unsigned threads, size_t *out_classes,
                                          double *out_probabilities);
/** The k best classes and the features that contributed most to the best one, as JSON
 *  {"top":[{"label","probability","score"}],"bias","features":[{"feature","weight"}]};
 *  owned by the caller (ck_string_free). \since 0.1 */
CK_EXTERN(int) ck_textmodel_explain_json(ck_context *ctx, const ck_textmodel *model, const char *text, size_t len,
                                         size_t k, size_t features, char **out_json, size_t *out_len);
/** The rule-engine integration (docs/textmodel.md): a new rule set, sharing the compiled rules
 *  of `rs`, whose classifications fill each facet that the pack's "models" entries bind and no
 *  rule decided from the model of that name, when it is confident enough (the evidence then
 *  holds an entry "model:<name>"). names[i] names models[i], for n pairs; names the pack does
 *  not use are ignored. The new rule set keeps the models alive: their handles may be freed
 *  after the call. Errors: CK_E_NOT_FOUND, a model the pack names is not supplied (the path is
 *  /models/N/model); CK_E_UNKNOWN_CODE, a model predicts a label that is not a code of its
 *  facet; CK_E_INVALID_ARGUMENT, a NULL or repeated name or a NULL model. \since 0.1 */
CK_EXTERN(int) ck_ruleset_with_models(ck_context *ctx, const ck_ruleset *rs, const char *const *names,
                                      const ck_textmodel *const *models, size_t n, ck_ruleset **out);

#ifdef __cplusplus
}
#endif

#endif /* COMPLAINTKIT_H */
