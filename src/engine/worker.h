// A background thread that runs one step of work when kicked, and at least
// once a second when idle; after a failed step it waits with doubling
// backoff (up to a limit) before the next, unless kicked. The engine's sealer
// and compactor are each one.
//
// Thread-safety: Kick() from any thread; the destructor stops the thread
// after the step in progress, and must not run on the worker's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "base/status.h"

namespace spanlake::engine {

class BackgroundWorker {
 public:
  // One unit of work: true when more is due right away (the next step runs
  // without waiting); an error backs off. The step logs its own errors.
  using Step = std::function<Result<bool>()>;

  BackgroundWorker(Step step, std::chrono::seconds max_backoff);
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  void Kick();

 private:
  void Loop();

  const Step step_;
  const std::chrono::seconds max_backoff_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, kick_ = false;  // guarded by mu_
  std::thread thread_;                // last: starts once the rest is set
};

}  // namespace spanlake::engine
