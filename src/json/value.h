// json::Value: the mutable JSON document type used for rows, requests and
// responses. Objects keep insertion order (rows read back keep the key order
// the client wrote) and are small vectors, looked up linearly: span objects
// have tens of keys, not thousands.
//
// Numbers keep their kind: integers that fit int64 stay exact (token counts,
// ids); everything else is a double. Parse() uses simdjson; Dump() writes
// compact JSON with the shortest round-tripping form of doubles.
//
// Thread-safety: a Value is a plain value type; const access from several
// threads is safe, mutation needs external synchronization.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"

namespace spanlake::json {

class Value;
using Array = std::vector<Value>;

class Object {
 public:
  using Member = std::pair<std::string, Value>;
  using iterator = std::vector<Member>::iterator;
  using const_iterator = std::vector<Member>::const_iterator;

  Object() = default;
  Object(std::initializer_list<Member> members);

  // nullptr when absent.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Inserts null at the end when absent.
  Value& operator[](std::string_view key);
  // Replaces the value in place when present, else appends.
  void set(std::string_view key, Value value);
  // Returns whether a member was removed.
  bool erase(std::string_view key);

  // Appends the object as compact JSON, exactly as Value(object).DumpTo would,
  // without copying it into a Value first.
  void DumpTo(std::string& out) const;

  // Defined below Value: clang instantiates the (constexpr) vector members
  // here at once, and they need Value complete.
  size_t size() const;
  bool empty() const;
  iterator begin() { return members_.begin(); }
  iterator end() { return members_.end(); }
  const_iterator begin() const { return members_.begin(); }
  const_iterator end() const { return members_.end(); }

  friend bool operator==(const Object& a, const Object& b);  // order-insensitive

 private:
  friend class ObjectBuilder;  // Parse() appends members without lookups

  // Invariant: keys are unique.
  std::vector<Member> members_;
};

enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(int64_t i) : v_(i) {}
  Value(uint64_t u);  // exact when it fits int64, else a double
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}

  // Parses one JSON document (RFC 8259; trailing garbage is an error).
  // The error message says what is wrong and, where known, the byte offset.
  // Nesting deeper than 1024 is an error. A repeated object key keeps its
  // first position and its last value (as JavaScript and Python do).
  // Integers beyond int64 become doubles.
  static Result<Value> Parse(std::string_view text);

  // Compact JSON (no spaces), strings escaped per RFC 8259, non-finite
  // doubles written as null. Doubles use the shortest round-tripping form, so
  // an integral double prints without a fraction ("1", not "1.0") and reads
  // back as an int equal in value. Invalid UTF-8 in strings is written as
  // U+FFFD so that the output always parses.
  std::string Dump() const;
  void DumpTo(std::string& out) const;

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // REQUIRES: the matching is_*() is true (as_double() accepts both numbers).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const;
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Object member lookup; nullptr when this is not an object or the key is absent.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Follows a path of object keys; nullptr when any step is missing.
  const Value* find_path(const std::vector<std::string>& path) const;

  // Deep equality; an int and a double compare by numeric value; object
  // member order does not matter.
  friend bool operator==(const Value& a, const Value& b);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object> v_;
};

inline size_t Object::size() const { return members_.size(); }
inline bool Object::empty() const { return members_.empty(); }

// Appends `s` to `out` as a quoted, escaped JSON string.
void AppendQuoted(std::string& out, std::string_view s);

}  // namespace spanlake::json
