// Per-container wake-ups for the web UI's live tail (docs/ui.md): which
// container each applied transaction touched, and waiting for one of them.
// Kept apart from engine.cc so the write path only gains one call.
#include "engine/engine.h"

namespace spanlake::engine {

namespace {

uint64_t Find(const std::unordered_map<std::string, uint64_t>& m, const std::string& container) {
  auto it = m.find(container);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

void Engine::NoteContainersLocked(uint64_t xact, const std::vector<RowWrite>& rows) {
  // Rows of one transaction mostly share a container: skip repeats cheaply.
  const std::string* last = nullptr;
  for (const RowWrite& r : rows) {
    if (last != nullptr && *last == r.container) continue;
    container_xact_[r.container] = xact;
    last = &r.container;
  }
}

uint64_t Engine::ContainerXact(const std::string& container) const {
  std::lock_guard<std::mutex> l(apply_mu_);
  return Find(container_xact_, container);
}

uint64_t Engine::WaitForContainerXactAfter(const std::string& container, uint64_t after,
                                           std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(apply_mu_);
  apply_cv_.wait_for(l, timeout, [&] { return Find(container_xact_, container) > after; });
  return Find(container_xact_, container);
}

}  // namespace spanlake::engine
