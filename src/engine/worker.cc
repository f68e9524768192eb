#include "engine/worker.h"

#include <algorithm>

namespace spanlake::engine {

BackgroundWorker::BackgroundWorker(Step step, std::chrono::seconds max_backoff)
    : step_(std::move(step)), max_backoff_(max_backoff), thread_([this] { Loop(); }) {}

BackgroundWorker::~BackgroundWorker() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundWorker::Kick() {
  {
    std::lock_guard l(mu_);
    kick_ = true;
  }
  cv_.notify_all();
}

void BackgroundWorker::Loop() {
  auto backoff = std::chrono::seconds(1);
  bool more = false;
  while (true) {
    {
      std::unique_lock l(mu_);
      if (!more) cv_.wait_for(l, backoff, [&] { return stop_ || kick_; });
      if (stop_) return;
      kick_ = false;
    }
    Result<bool> r = step_();
    more = r.ok() && *r;
    backoff = r.ok() ? std::chrono::seconds(1) : std::min(backoff * 2, max_backoff_);
  }
}

}  // namespace spanlake::engine
