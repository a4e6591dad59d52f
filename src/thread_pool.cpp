// complaintkit — the library's worker threads (see thread_pool.hpp).
#include "thread_pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>

namespace ck::detail {
namespace {

/// One run_parallel call: places for helpers, counted while they run.
struct Job {
    const std::function<void(unsigned)>* body = nullptr;
    unsigned next_worker = 1;   ///< index the next helper gets
    unsigned places = 0;        ///< helper places not yet taken (0 once withdrawn)
    unsigned running = 0;       ///< helpers inside body
    std::exception_ptr error;   ///< a helper's first exception
    std::condition_variable finished;  ///< running reached 0 (with the pool's mutex)
};

class Pool {
public:
    std::mutex mu;

    /// Queues the job's helper places and makes sure enough threads are idle or starting to
    /// take every open place (mutex held).
    void offer(Job* job) {
        queue_.push_back(job);
        open_ += job->places;
        while (waiting_ + starting_ < open_ && threads_.size() < 255) {
            try {
                threads_.emplace_back([this] { loop(); });
            } catch (...) {  // no thread to be had: the callers do the work
                break;
            }
            ++starting_;
        }
        for (unsigned i = 0; i < job->places; ++i) wake_.notify_one();
    }

    /// Withdraws the job's untaken places and waits for its running helpers (mutex held).
    void finish(Job* job, std::unique_lock<std::mutex>& lock) {
        if (job->places) {
            open_ -= job->places;
            job->places = 0;
            queue_.erase(std::remove(queue_.begin(), queue_.end(), job), queue_.end());
        }
        job->finished.wait(lock, [&] { return job->running == 0; });
    }

    [[nodiscard]] std::size_t thread_count() const noexcept { return threads_.size(); }

private:
    [[noreturn]] void loop() {
        std::unique_lock lock(mu);
        --starting_;
        for (;;) {
            ++waiting_;
            wake_.wait(lock, [&] { return !queue_.empty(); });
            --waiting_;
            Job* job = queue_.front();
            const unsigned w = job->next_worker++;
            --open_;
            if (--job->places == 0) queue_.pop_front();
            ++job->running;
            lock.unlock();
            try {
                (*job->body)(w);
            } catch (...) {
                lock.lock();
                if (!job->error) job->error = std::current_exception();
                lock.unlock();
            }
            lock.lock();
            if (--job->running == 0) job->finished.notify_all();
        }
    }

    std::deque<Job*> queue_;  ///< jobs with places left, oldest first
    std::vector<std::thread> threads_;  ///< never joined: the pool lives as long as the process
    std::condition_variable wake_;
    std::size_t open_ = 0;      ///< places of the queued jobs
    std::size_t waiting_ = 0;   ///< threads idle in wake_.wait
    std::size_t starting_ = 0;  ///< threads created that have not reached it yet
};

Pool* g_pool = nullptr;
std::vector<Pool*>* g_abandoned = nullptr;  ///< pools of a parent process (kept reachable)
std::once_flag g_once;

void before_fork() {
    if (g_pool) g_pool->mu.lock();
}
void after_fork_parent() {
    if (g_pool) g_pool->mu.unlock();
}
void after_fork_child() {
    // The child has only the forking thread: leak the old pool (its mutex is held, its
    // threads are gone) and start a new one on the next call.
    if (g_pool) {
        if (!g_abandoned) g_abandoned = new std::vector<Pool*>;
        g_abandoned->push_back(g_pool);
        g_pool = new Pool;
    }
}

Pool& pool() {
    std::call_once(g_once, [] {
        // Never destroyed: helpers stay parked until the process ends, and a pool destroyed
        // among the static objects could be needed by another static object's destructor.
        g_pool = new Pool;
        pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    });
    return *g_pool;
}

}  // namespace

void run_parallel(unsigned workers, const std::function<void(unsigned worker)>& body) {
    if (workers <= 1) {
        body(0);
        return;
    }
    Pool& p = pool();
    Job job;
    job.body = &body;
    job.places = std::min(workers, 256u) - 1;
    {
        std::lock_guard lock(p.mu);
        p.offer(&job);
    }
    std::exception_ptr mine;
    try {
        body(0);
    } catch (...) {
        mine = std::current_exception();
    }
    {
        std::unique_lock lock(p.mu);
        p.finish(&job, lock);
    }
    if (mine) std::rethrow_exception(mine);
    if (job.error) std::rethrow_exception(job.error);
}

std::size_t pool_thread_count() {
    Pool& p = pool();
    std::lock_guard lock(p.mu);
    return p.thread_count();
}

}  // namespace ck::detail
