// FaultyObjectStore: wraps any ObjectStore and fails, tears or delays chosen
// calls, deterministically, so crash and recovery tests can say exactly which
// write dies ("the 3rd put under segments/") and check what survives.
//
// A rule matches a call by operation and key prefix (for List, the listed
// prefix). Each matching call first passes `skip` times untouched, then the
// rule fires `times` times (kForever: every later match) and is spent. Rules
// are checked in the order added; the first that fires decides the call, and
// every other rule still counts the call as a match.
//
// Actions:
//   kFail   return `error` without touching the inner store;
//   kTear   for Put/PutIfAbsent: write only the first `tear_bytes` bytes to
//           the inner store (with Put, so the torn object is visible), then
//           return `error` — a store that loses atomicity, or a crash in a
//           non-atomic upload; for any other operation the same as kFail;
//   kDelay  sleep `delay`, then run the call normally.
// Thread-safe: rules and counters are under one mutex; the inner call runs
// outside it (a delayed call does not block others).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/object_store.h"

namespace spanlake::io {

enum class StoreOp : unsigned {
  kPut = 1,
  kPutIfAbsent = 2,
  kGet = 4,
  kGetRange = 8,
  kSize = 16,
  kList = 32,
  kDelete = 64,
};
// A set of operations, as a bit mask of StoreOp values.
using StoreOps = unsigned;
inline constexpr StoreOps kAllOps = 127;
inline constexpr StoreOps kWriteOps = 1 | 2;
inline constexpr StoreOps Ops(StoreOp op) { return static_cast<StoreOps>(op); }

struct FaultRule {
  enum class Action { kFail, kTear, kDelay };
  static constexpr int kForever = -1;

  StoreOps ops = kAllOps;
  std::string prefix;  // matches keys starting with this ("" = every key)
  int skip = 0;        // matching calls to let through before firing
  int times = 1;       // calls to fire on, or kForever
  Action action = Action::kFail;
  size_t tear_bytes = 0;
  std::chrono::milliseconds delay{0};
  Status error = Status::IOError("injected fault");

  // Fails the `n`th (1-based) call of `ops` under `prefix`.
  static FaultRule FailNth(StoreOps ops, std::string prefix, int n);
  // Fails every call of `ops` under `prefix` from the `n`th on: a dead disk.
  static FaultRule FailFrom(StoreOps ops, std::string prefix, int n);
  // Tears the next put under `prefix` after `bytes` bytes.
  static FaultRule TearNext(std::string prefix, size_t bytes);
  // Delays every call of `ops` under `prefix` by `delay`.
  static FaultRule DelayAll(StoreOps ops, std::string prefix, std::chrono::milliseconds delay);
};

class FaultyObjectStore : public ObjectStore {
 public:
  explicit FaultyObjectStore(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  void AddRule(FaultRule rule);
  void ClearRules();
  // How many calls a rule has failed or torn (delays not counted).
  int faults_injected() const;

  Status Put(std::string_view key, std::string_view bytes) override;
  Status PutIfAbsent(std::string_view key, std::string_view bytes) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<uint64_t> Size(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override { return "faulty(" + inner_->Describe() + ")"; }

  ObjectStore& inner() { return *inner_; }

 private:
  struct Armed {
    FaultRule rule;
    int seen = 0;   // matching calls so far
    int fired = 0;  // calls it acted on
  };
  // What to do with one call: nothing, or a copy of the rule that fired.
  struct Decision {
    bool fire = false;
    FaultRule rule;
  };

  Decision Decide(StoreOp op, std::string_view key);
  // Applies a fired rule to a call that is not a put: delay, or the error.
  Status Interfere(const Decision& d) const;
  Status WriteWithFaults(StoreOp op, std::string_view key, std::string_view bytes);

  const std::shared_ptr<ObjectStore> inner_;
  mutable std::mutex mu_;
  std::vector<Armed> rules_;  // guarded by mu_
  int faults_ = 0;            // guarded by mu_
};

}  // namespace spanlake::io
