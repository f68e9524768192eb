#include "io/faulty_store.h"

#include <algorithm>
#include <thread>

namespace spanlake::io {

FaultRule FaultRule::FailNth(StoreOps ops, std::string prefix, int n) {
  FaultRule r;
  r.ops = ops;
  r.prefix = std::move(prefix);
  r.skip = n - 1;
  r.times = 1;
  return r;
}

FaultRule FaultRule::FailFrom(StoreOps ops, std::string prefix, int n) {
  FaultRule r = FailNth(ops, std::move(prefix), n);
  r.times = kForever;
  return r;
}

FaultRule FaultRule::TearNext(std::string prefix, size_t bytes) {
  FaultRule r;
  r.ops = kWriteOps;
  r.prefix = std::move(prefix);
  r.action = Action::kTear;
  r.tear_bytes = bytes;
  r.error = Status::IOError("injected fault: put torn after " + std::to_string(bytes) + " bytes");
  return r;
}

FaultRule FaultRule::DelayAll(StoreOps ops, std::string prefix, std::chrono::milliseconds delay) {
  FaultRule r;
  r.ops = ops;
  r.prefix = std::move(prefix);
  r.times = kForever;
  r.action = Action::kDelay;
  r.delay = delay;
  return r;
}

void FaultyObjectStore::AddRule(FaultRule rule) {
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(rule)});
}

void FaultyObjectStore::ClearRules() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

int FaultyObjectStore::faults_injected() const {
  std::lock_guard lock(mu_);
  return faults_;
}

FaultyObjectStore::Decision FaultyObjectStore::Decide(StoreOp op, std::string_view key) {
  std::lock_guard lock(mu_);
  Decision d;
  for (Armed& a : rules_) {
    if ((a.rule.ops & Ops(op)) == 0 || !key.starts_with(a.rule.prefix)) continue;
    bool spent = a.rule.times != FaultRule::kForever && a.fired >= a.rule.times;
    bool ready = a.seen++ >= a.rule.skip;
    if (d.fire || spent || !ready) continue;
    a.fired++;
    d.fire = true;
    d.rule = a.rule;
  }
  if (d.fire && d.rule.action != FaultRule::Action::kDelay) faults_++;
  return d;
}

Status FaultyObjectStore::Interfere(const Decision& d) const {
  if (!d.fire) return Status::Ok();
  if (d.rule.action == FaultRule::Action::kDelay) {
    std::this_thread::sleep_for(d.rule.delay);
    return Status::Ok();
  }
  return d.rule.error;
}

Status FaultyObjectStore::WriteWithFaults(StoreOp op, std::string_view key,
                                          std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  Decision d = Decide(op, key);
  if (d.fire && d.rule.action == FaultRule::Action::kTear) {
    Status st = inner_->Put(key, bytes.substr(0, std::min(d.rule.tear_bytes, bytes.size())));
    return st.ok() ? d.rule.error : st;
  }
  RETURN_IF_ERROR(Interfere(d));
  return op == StoreOp::kPut ? inner_->Put(key, bytes) : inner_->PutIfAbsent(key, bytes);
}

Status FaultyObjectStore::Put(std::string_view key, std::string_view bytes) {
  return WriteWithFaults(StoreOp::kPut, key, bytes);
}

Status FaultyObjectStore::PutIfAbsent(std::string_view key, std::string_view bytes) {
  return WriteWithFaults(StoreOp::kPutIfAbsent, key, bytes);
}

Result<std::string> FaultyObjectStore::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(Interfere(Decide(StoreOp::kGet, key)));
  return inner_->Get(key);
}

Result<std::string> FaultyObjectStore::GetRange(std::string_view key, uint64_t offset,
                                                uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(Interfere(Decide(StoreOp::kGetRange, key)));
  return inner_->GetRange(key, offset, length);
}

Result<uint64_t> FaultyObjectStore::Size(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(Interfere(Decide(StoreOp::kSize, key)));
  return inner_->Size(key);
}

Result<std::vector<ObjectInfo>> FaultyObjectStore::List(std::string_view prefix) {
  RETURN_IF_ERROR(ValidatePrefix(prefix));
  RETURN_IF_ERROR(Interfere(Decide(StoreOp::kList, prefix)));
  return inner_->List(prefix);
}

Status FaultyObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  RETURN_IF_ERROR(Interfere(Decide(StoreOp::kDelete, key)));
  return inner_->Delete(key);
}

}  // namespace spanlake::io
