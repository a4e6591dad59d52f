// complaintkit — the library's worker threads (internal).
//
// Batch calls (RuleSet::classify_many / classify_each, TextModel::predict_batch, training)
// run their work on the calling thread plus helpers from one process-wide pool, instead of
// starting threads on every call: a call costs no thread creation, and the helpers'
// thread-local workspaces (the rule engine's scan state, the text model's per-document
// counters) survive from one call to the next, so a host that classifies in batches of a
// few hundred pays their set-up once.
//
// The caller always takes part and never waits for a helper that has not started: when its
// own share is done it withdraws the helpers' places that nobody took and waits only for
// those running. Nested calls (a batch inside a pool task) therefore cannot deadlock, and a
// call is correct with any number of helpers, none included (the caller then does it all):
// bodies must share their work dynamically (an atomic cursor), not by worker index.
//
// The pool grows on demand to the largest number of helpers asked for (at most 255) and its
// threads wait on a condition variable between calls. After fork() the child starts with an
// empty pool (pthread_atfork), so a forked process (Python multiprocessing) works.
#pragma once

#include <cstddef>
#include <functional>

namespace ck::detail {

/// Calls body(0) on the calling thread and body(1) … body(workers - 1) on pool threads, as
/// many of them as start before the caller's body(0) returns; returns when every started
/// call has returned. Each index is used at most once, 0 always. The first exception (the
/// caller's first) is rethrown after all started calls returned.
void run_parallel(unsigned workers, const std::function<void(unsigned worker)>& body);

/// Threads the pool has started so far (tests).
std::size_t pool_thread_count();

}  // namespace ck::detail
