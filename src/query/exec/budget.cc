#include "query/exec/budget.h"

namespace spanlake::query::exec {

Budget::Budget(Limits limits)
    : limits_(limits), deadline_(std::chrono::steady_clock::now() + limits.time) {}

Status Budget::Tick() {
  ++rows_;
  if (rows_ % 256 != 0 && limits_.time.count() > 0) return Status::Ok();
  if (std::chrono::steady_clock::now() > deadline_) {
    return Status::InvalidArgument(
        "query stopped: it ran past its time budget of " + std::to_string(limits_.time.count()) +
        " ms after visiting " + std::to_string(rows_) +
        " rows; narrow it with a filter (e.g. on created) or a smaller limit");
  }
  return Status::Ok();
}

Status Budget::Hold(int64_t bytes) {
  held_ += bytes;
  if (held_ > 0 && static_cast<size_t>(held_) > peak_) peak_ = static_cast<size_t>(held_);
  if (held_ > 0 && static_cast<size_t>(held_) > limits_.memory_bytes) {
    return Status::TooLarge("query stopped: it needs more than its memory budget of " +
                            std::to_string(limits_.memory_bytes >> 20) +
                            " MiB (rows held for sorting, grouping or traces); narrow it with a "
                            "filter, fewer groups or a smaller limit");
  }
  return Status::Ok();
}

size_t ApproxBytes(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kString: return 32 + v.as_string().size();
    case json::Type::kArray: {
      size_t n = 32;
      for (const json::Value& e : v.as_array()) n += ApproxBytes(e);
      return n;
    }
    case json::Type::kObject: {
      size_t n = 32;
      for (const auto& [k, e] : v.as_object()) n += 32 + k.size() + ApproxBytes(e);
      return n;
    }
    default: return 16;
  }
}

}  // namespace spanlake::query::exec
