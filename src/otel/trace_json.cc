// OTLP/JSON decoding of ExportTraceServiceRequest, per the OTLP
// specification's JSON encoding: the protobuf JSON mapping with hex ids and
// integer enums. The document is parsed by json::Value::Parse first.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "otel/trace.h"

namespace spanlake::otel {

namespace {

std::string Indexed(const char* name, size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

Status WrongType(const char* name, const char* want) {
  return Status::InvalidArgument(std::string("'") + name + "' must be " + want);
}

// The member named `camel` (or its proto name `snake`); nullptr when absent or null.
const json::Value* Field(const json::Value& obj, const char* camel, const char* snake = nullptr) {
  const json::Value* v = obj.find(camel);
  if (v == nullptr && snake != nullptr) v = obj.find(snake);
  return v == nullptr || v->is_null() ? nullptr : v;
}

Status ReadString(const json::Value& obj, const char* camel, const char* snake, std::string* out) {
  const json::Value* v = Field(obj, camel, snake);
  if (v == nullptr) return Status::Ok();
  if (!v->is_string()) return WrongType(camel, "a string");
  *out = v->as_string();
  return Status::Ok();
}

// A 64-bit integer: a JSON number or a decimal string.
Status ReadInt(const json::Value& v, const char* name, bool is_unsigned, uint64_t* out) {
  if (v.is_int() && (!is_unsigned || v.as_int() >= 0)) {
    *out = static_cast<uint64_t>(v.as_int());
    return Status::Ok();
  }
  if (v.is_double() && is_unsigned && v.as_double() >= 0 && v.as_double() < 1.8e19 &&
      std::floor(v.as_double()) == v.as_double()) {
    *out = static_cast<uint64_t>(v.as_double());  // beyond int64, e.g. far-future nanos
    return Status::Ok();
  }
  if (v.is_string() && !v.as_string().empty() && v.as_string().size() < 24) {
    const std::string& s = v.as_string();
    char* end = nullptr;
    errno = 0;
    *out = is_unsigned ? std::strtoull(s.c_str(), &end, 10)
                       : static_cast<uint64_t>(std::strtoll(s.c_str(), &end, 10));
    bool sign_ok = !is_unsigned || s[0] != '-';
    if (errno == 0 && end == s.c_str() + s.size() && sign_ok) return Status::Ok();
  }
  return WrongType(name, is_unsigned ? "an unsigned 64-bit integer (number or decimal string)"
                                     : "a 64-bit integer (number or decimal string)");
}

Status ReadUint(const json::Value& obj, const char* camel, const char* snake, uint64_t* out) {
  const json::Value* v = Field(obj, camel, snake);
  return v == nullptr ? Status::Ok() : ReadInt(*v, camel, /*is_unsigned=*/true, out);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Ids are hex strings in OTLP/JSON (not base64 as in the generic mapping).
Status ReadHexId(const json::Value& obj, const char* camel, const char* snake, std::string* out) {
  std::string hex;
  RETURN_IF_ERROR(ReadString(obj, camel, snake, &hex));
  if (hex.size() % 2 != 0) return WrongType(camel, "a hex string of even length");
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigit(hex[i]);
    int lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return WrongType(camel, "a hex string");
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return Status::Ok();
}

// An enum: its integer value or its name (names[i] is value i).
Status ReadEnum(const json::Value& obj, const char* camel, const std::vector<const char*>& names,
                int* out) {
  const json::Value* v = Field(obj, camel);
  if (v == nullptr) return Status::Ok();
  if (v->is_int() && v->as_int() >= INT32_MIN && v->as_int() <= INT32_MAX) {
    *out = static_cast<int>(v->as_int());
    return Status::Ok();
  }
  for (size_t i = 0; v->is_string() && i < names.size(); ++i) {
    if (v->as_string() == names[i]) {
      *out = static_cast<int>(i);
      return Status::Ok();
    }
  }
  return WrongType(camel, "an integer or a known enum name");
}

class Decoder {
 public:
  explicit Decoder(size_t budget) : budget_(budget), limit_(budget) {}

  Status Request(const json::Value& doc, TraceRequest* req);

 private:
  Status Charge(size_t n) {
    if (n > budget_) {
      return Status::TooLarge("request decodes to more than " + std::to_string(limit_) +
                              " bytes of spans");
    }
    budget_ -= n;
    return Status::Ok();
  }
  // Calls `fn(element, index)` for each element of the array member `camel`.
  template <typename Fn>
  Status ForEach(const json::Value& obj, const char* camel, const char* snake, Fn fn);

  Status ResourceSpans(const json::Value& v, size_t resource, TraceRequest* req);
  Status ScopeSpans(const json::Value& v, size_t scope, TraceRequest* req);
  Status Span(const json::Value& v, otel::Span* s);
  Status SpanStatus(const json::Value& v, otel::Span* s);
  Status Event(const json::Value& v, otel::Event* e);
  Status Link(const json::Value& v, otel::Link* l);
  Status KeyValues(const json::Value& obj, const char* camel, int depth, Attributes* out);
  Status AnyValue(const json::Value& v, int depth, json::Value* out);
  Status ScalarValue(const json::Value& v, const std::string& key, json::Value* out);

  size_t budget_;
  const size_t limit_;
};

template <typename Fn>
Status Decoder::ForEach(const json::Value& obj, const char* camel, const char* snake, Fn fn) {
  if (!obj.is_object()) return Status::InvalidArgument("must be an object");
  const json::Value* arr = Field(obj, camel, snake);
  if (arr == nullptr) return Status::Ok();
  if (!arr->is_array()) return WrongType(camel, "an array");
  for (size_t i = 0; i < arr->as_array().size(); ++i) {
    const json::Value& e = arr->as_array()[i];
    if (!e.is_object()) return Status::InvalidArgument(Indexed(camel, i) + ": must be an object");
    RETURN_IF_ERROR(fn(e, i).WithContext(Indexed(camel, i)));
  }
  return Status::Ok();
}

Status Decoder::Request(const json::Value& doc, TraceRequest* req) {
  return ForEach(doc, "resourceSpans", "resource_spans", [&](const json::Value& rs, size_t) {
    RETURN_IF_ERROR(Charge(sizeof(Resource)));
    req->resources.emplace_back();
    return ResourceSpans(rs, req->resources.size() - 1, req);
  });
}

Status Decoder::ResourceSpans(const json::Value& v, size_t resource, TraceRequest* req) {
  if (const json::Value* r = Field(v, "resource")) {
    if (!r->is_object()) return WrongType("resource", "an object");
    RETURN_IF_ERROR(KeyValues(*r, "attributes", 0, &req->resources[resource].attributes)
                        .WithContext("resource"));
  }
  RETURN_IF_ERROR(ReadString(v, "schemaUrl", "schema_url", &req->resources[resource].schema_url));
  return ForEach(v, "scopeSpans", "scope_spans", [&](const json::Value& ss, size_t) {
    RETURN_IF_ERROR(Charge(sizeof(otel::Scope)));
    req->scopes.emplace_back();
    req->scopes.back().resource = resource;
    return ScopeSpans(ss, req->scopes.size() - 1, req);
  });
}

Status Decoder::ScopeSpans(const json::Value& v, size_t scope, TraceRequest* req) {
  if (const json::Value* s = Field(v, "scope")) {
    if (!s->is_object()) return WrongType("scope", "an object");
    otel::Scope& out = req->scopes[scope];
    RETURN_IF_ERROR(ReadString(*s, "name", nullptr, &out.name).WithContext("scope"));
    RETURN_IF_ERROR(ReadString(*s, "version", nullptr, &out.version).WithContext("scope"));
    RETURN_IF_ERROR(KeyValues(*s, "attributes", 0, &out.attributes).WithContext("scope"));
  }
  return ForEach(v, "spans", nullptr, [&](const json::Value& sp, size_t) {
    RETURN_IF_ERROR(Charge(sizeof(otel::Span)));
    otel::Span span;
    span.scope = scope;
    RETURN_IF_ERROR(Span(sp, &span));
    req->spans.push_back(std::move(span));
    return Status::Ok();
  });
}

Status Decoder::Span(const json::Value& v, otel::Span* s) {
  RETURN_IF_ERROR(ReadHexId(v, "traceId", "trace_id", &s->trace_id));
  RETURN_IF_ERROR(ReadHexId(v, "spanId", "span_id", &s->span_id));
  RETURN_IF_ERROR(ReadHexId(v, "parentSpanId", "parent_span_id", &s->parent_span_id));
  RETURN_IF_ERROR(ReadString(v, "traceState", "trace_state", &s->trace_state));
  RETURN_IF_ERROR(ReadString(v, "name", nullptr, &s->name));
  int kind = 0;
  RETURN_IF_ERROR(ReadEnum(v, "kind",
                           {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                            "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"},
                           &kind));
  s->kind = static_cast<SpanKind>(kind);
  RETURN_IF_ERROR(
      ReadUint(v, "startTimeUnixNano", "start_time_unix_nano", &s->start_time_unix_nano));
  RETURN_IF_ERROR(ReadUint(v, "endTimeUnixNano", "end_time_unix_nano", &s->end_time_unix_nano));
  RETURN_IF_ERROR(KeyValues(v, "attributes", 0, &s->attributes));
  uint64_t flags = 0;
  RETURN_IF_ERROR(ReadUint(v, "flags", nullptr, &flags));
  s->flags = static_cast<uint32_t>(flags);
  RETURN_IF_ERROR(ForEach(v, "events", nullptr, [&](const json::Value& e, size_t) {
    RETURN_IF_ERROR(Charge(sizeof(otel::Event)));
    s->events.emplace_back();
    return Event(e, &s->events.back());
  }));
  RETURN_IF_ERROR(ForEach(v, "links", nullptr, [&](const json::Value& l, size_t) {
    RETURN_IF_ERROR(Charge(sizeof(otel::Link)));
    s->links.emplace_back();
    return Link(l, &s->links.back());
  }));
  if (const json::Value* st = Field(v, "status")) {
    if (!st->is_object()) return WrongType("status", "an object");
    RETURN_IF_ERROR(SpanStatus(*st, s).WithContext("status"));
  }
  return Status::Ok();
}

Status Decoder::SpanStatus(const json::Value& v, otel::Span* s) {
  RETURN_IF_ERROR(ReadString(v, "message", nullptr, &s->status_message));
  int code = 0;
  RETURN_IF_ERROR(
      ReadEnum(v, "code", {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"}, &code));
  s->status_code = static_cast<StatusCode>(code);
  return Status::Ok();
}

Status Decoder::Event(const json::Value& v, otel::Event* e) {
  RETURN_IF_ERROR(ReadUint(v, "timeUnixNano", "time_unix_nano", &e->time_unix_nano));
  RETURN_IF_ERROR(ReadString(v, "name", nullptr, &e->name));
  return KeyValues(v, "attributes", 0, &e->attributes);
}

Status Decoder::Link(const json::Value& v, otel::Link* l) {
  RETURN_IF_ERROR(ReadHexId(v, "traceId", "trace_id", &l->trace_id));
  RETURN_IF_ERROR(ReadHexId(v, "spanId", "span_id", &l->span_id));
  RETURN_IF_ERROR(ReadString(v, "traceState", "trace_state", &l->trace_state));
  return KeyValues(v, "attributes", 0, &l->attributes);
}

Status Decoder::KeyValues(const json::Value& obj, const char* camel, int depth, Attributes* out) {
  return ForEach(obj, camel, nullptr, [&](const json::Value& kv, size_t i) {
    if (i >= kMaxKeyedEntries) {
      return Status::InvalidArgument("more than " + std::to_string(kMaxKeyedEntries) + " entries");
    }
    RETURN_IF_ERROR(Charge(sizeof(Attributes::value_type)));
    std::string key;
    RETURN_IF_ERROR(ReadString(kv, "key", nullptr, &key));
    json::Value value;
    if (const json::Value* v = Field(kv, "value")) {
      RETURN_IF_ERROR(AnyValue(*v, depth, &value).WithContext("value"));
    }
    out->emplace_back(std::move(key), std::move(value));
    return Status::Ok();
  });
}

Status Decoder::AnyValue(const json::Value& v, int depth, json::Value* out) {
  if (depth > kMaxValueDepth) {
    return Status::InvalidArgument("values nested deeper than " + std::to_string(kMaxValueDepth));
  }
  if (!v.is_object()) return Status::InvalidArgument("an AnyValue must be an object");
  *out = json::Value();
  for (const auto& [key, member] : v.as_object()) {
    if (member.is_null()) continue;
    if (key == "arrayValue" || key == "array_value") {
      json::Array values;
      RETURN_IF_ERROR(ForEach(member, "values", nullptr, [&](const json::Value& e, size_t) {
                        RETURN_IF_ERROR(Charge(sizeof(json::Value)));
                        values.emplace_back();
                        return AnyValue(e, depth + 1, &values.back());
                      }).WithContext(key));
      *out = json::Value(std::move(values));
    } else if (key == "kvlistValue" || key == "kvlist_value") {
      Attributes entries;
      RETURN_IF_ERROR(KeyValues(member, "values", depth + 1, &entries).WithContext(key));
      json::Object obj;
      for (auto& [k, e] : entries) obj.set(k, std::move(e));
      *out = json::Value(std::move(obj));
    } else {
      RETURN_IF_ERROR(ScalarValue(member, key, out));
    }
  }
  return Status::Ok();
}

Status Decoder::ScalarValue(const json::Value& v, const std::string& key, json::Value* out) {
  if (key == "stringValue" || key == "string_value" || key == "bytesValue" ||
      key == "bytes_value") {
    if (!v.is_string()) return WrongType(key.c_str(), "a string");
    *out = v;  // bytes stay base64, as the header promises
  } else if (key == "boolValue" || key == "bool_value") {
    if (!v.is_bool()) return WrongType(key.c_str(), "a boolean");
    *out = v;
  } else if (key == "intValue" || key == "int_value") {
    uint64_t n = 0;
    RETURN_IF_ERROR(ReadInt(v, key.c_str(), /*is_unsigned=*/false, &n));
    *out = json::Value(static_cast<int64_t>(n));
  } else if (key == "doubleValue" || key == "double_value") {
    if (v.is_number()) {
      *out = json::Value(v.as_double());
    } else if (v.is_string() && (v.as_string() == "NaN" || v.as_string() == "Infinity" ||
                                 v.as_string() == "-Infinity")) {
      *out = json::Value(v.as_string());  // not representable in JSON rows: kept as text
    } else {
      return WrongType(key.c_str(), "a number");
    }
  }
  return Status::Ok();  // unknown members are ignored
}

}  // namespace

Result<TraceRequest> DecodeJsonValue(const json::Value& doc, size_t max_decoded_bytes) {
  if (!doc.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  TraceRequest req;
  Decoder d(max_decoded_bytes);
  RETURN_IF_ERROR(d.Request(doc, &req));
  return req;
}

Result<TraceRequest> DecodeJson(std::string_view body, size_t max_decoded_bytes) {
  Result<json::Value> doc = json::Value::Parse(body);
  if (!doc.ok()) return doc.status().WithContext("request body is not JSON");
  return DecodeJsonValue(*doc, max_decoded_bytes);
}

}  // namespace spanlake::otel
