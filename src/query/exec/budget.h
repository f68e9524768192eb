// Limits that keep the server up while a query runs: a time budget, a memory
// budget for what the query holds (rows kept for sorting, groups, traces),
// and a cap on the size of the result. Exceeding the time or memory budget
// ends that query with a clear error; other queries are unaffected.
//
// Not thread-safe: one Budget per query.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::query::exec {

struct Limits {
  std::chrono::milliseconds time{30000};
  size_t memory_bytes = size_t{512} << 20;
  size_t result_bytes = size_t{64} << 20;
};

class Budget {
 public:
  explicit Budget(Limits limits);

  // Call per row visited; checks the clock every few hundred calls.
  Status Tick();
  // Accounts for `bytes` more held by the query (rows, groups); negative releases.
  Status Hold(int64_t bytes);
  const Limits& limits() const { return limits_; }
  size_t rows_visited() const { return rows_; }
  size_t peak_bytes() const { return peak_; }

 private:
  Limits limits_;
  std::chrono::steady_clock::time_point deadline_;
  size_t rows_ = 0;
  int64_t held_ = 0;
  size_t peak_ = 0;
};

// A cheap estimate of the memory a JSON value occupies.
size_t ApproxBytes(const json::Value& v);

}  // namespace spanlake::query::exec
