#include "json/value.h"

#include <cmath>
#include <limits>

namespace spanlake::json {

Object::Object(std::initializer_list<Member> members) {
  members_.reserve(members.size());
  for (const Member& m : members) set(m.first, m.second);
}

const Value* Object::find(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value* Object::find(std::string_view key) {
  for (Member& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value& Object::operator[](std::string_view key) {
  if (Value* v = find(key)) return *v;
  members_.emplace_back(std::string(key), Value());
  return members_.back().second;
}

void Object::set(std::string_view key, Value value) {
  if (Value* v = find(key)) {
    *v = std::move(value);
  } else {
    members_.emplace_back(std::string(key), std::move(value));
  }
}

bool Object::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

bool operator==(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  // Keys are unique on both sides, so equal sizes plus "every member of a is
  // in b with an equal value" is equality. Same-order objects (the common
  // case) compare without lookups.
  for (size_t i = 0; i < a.members_.size(); ++i) {
    const Object::Member& m = a.members_[i];
    const Object::Member& same_slot = b.members_[i];
    const Value* other = same_slot.first == m.first ? &same_slot.second : b.find(m.first);
    if (other == nullptr || !(*other == m.second)) return false;
  }
  return true;
}

Value::Value(uint64_t u) {
  if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    v_ = static_cast<int64_t>(u);
  } else {
    v_ = static_cast<double>(u);
  }
}

double Value::as_double() const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  return std::get<double>(v_);
}

const Value* Value::find(std::string_view key) const {
  return is_object() ? as_object().find(key) : nullptr;
}

Value* Value::find(std::string_view key) {
  return is_object() ? as_object().find(key) : nullptr;
}

const Value* Value::find_path(const std::vector<std::string>& path) const {
  const Value* v = this;
  for (const std::string& key : path) {
    v = v->find(key);
    if (v == nullptr) return nullptr;
  }
  return v;
}

namespace {

// Exact: 2^53 + 1 (an int) is not equal to 2^53 (a double), although the
// int converts to that double.
bool IntEqualsDouble(int64_t i, double d) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!(d >= -kTwo63 && d < kTwo63) || std::trunc(d) != d) return false;
  return static_cast<int64_t>(d) == i;
}

}  // namespace

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) {
    if (a.is_int() && b.is_double()) return IntEqualsDouble(a.as_int(), std::get<double>(b.v_));
    if (a.is_double() && b.is_int()) return IntEqualsDouble(b.as_int(), std::get<double>(a.v_));
    return false;
  }
  return a.v_ == b.v_;
}

}  // namespace spanlake::json
