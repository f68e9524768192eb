// Protobuf encoding: the OTLP/HTTP response bodies, and whole export requests
// (for tests, the fuzz seed corpus and benchmarks). Ids and small helpers too.
#include "otel/proto.h"
#include "otel/trace.h"

namespace spanlake::otel {

namespace {

void PutAnyValue(std::string* out, const json::Value& v);

void PutKeyValue(std::string* out, uint32_t number, const std::string& key, const json::Value& v) {
  std::string kv;
  PutLenField(&kv, 1, key);
  std::string any;
  PutAnyValue(&any, v);
  PutLenField(&kv, 2, any);
  PutLenField(out, number, kv);
}

void PutAttributes(std::string* out, uint32_t number, const Attributes& attributes) {
  for (const auto& [k, v] : attributes) PutKeyValue(out, number, k, v);
}

// AnyValue fields: 1 string, 2 bool, 3 int, 4 double, 5 array, 6 kvlist.
// Null encodes as the empty AnyValue.
void PutAnyValue(std::string* out, const json::Value& v) {
  switch (v.type()) {
    case json::Type::kNull:
      break;
    case json::Type::kBool:
      PutVarintField(out, 2, v.as_bool() ? 1 : 0);
      break;
    case json::Type::kInt:
      PutVarintField(out, 3, static_cast<uint64_t>(v.as_int()));
      break;
    case json::Type::kDouble:
      PutDoubleField(out, 4, v.as_double());
      break;
    case json::Type::kString:
      PutLenField(out, 1, v.as_string());
      break;
    case json::Type::kArray: {
      std::string arr;
      for (const json::Value& e : v.as_array()) {
        std::string any;
        PutAnyValue(&any, e);
        PutLenField(&arr, 1, any);
      }
      PutLenField(out, 5, arr);
      break;
    }
    case json::Type::kObject: {
      std::string kvs;
      for (const auto& [k, e] : v.as_object()) PutKeyValue(&kvs, 1, k, e);
      PutLenField(out, 6, kvs);
      break;
    }
  }
}

std::string EncodeSpan(const Span& s) {
  std::string out;
  PutLenField(&out, 1, s.trace_id);
  PutLenField(&out, 2, s.span_id);
  if (!s.trace_state.empty()) PutLenField(&out, 3, s.trace_state);
  if (!s.parent_span_id.empty()) PutLenField(&out, 4, s.parent_span_id);
  PutLenField(&out, 5, s.name);
  if (s.kind != SpanKind::kUnspecified) PutVarintField(&out, 6, static_cast<uint64_t>(s.kind));
  PutFixed64Field(&out, 7, s.start_time_unix_nano);
  PutFixed64Field(&out, 8, s.end_time_unix_nano);
  PutAttributes(&out, 9, s.attributes);
  for (const Event& e : s.events) {
    std::string ev;
    PutFixed64Field(&ev, 1, e.time_unix_nano);
    PutLenField(&ev, 2, e.name);
    PutAttributes(&ev, 3, e.attributes);
    PutLenField(&out, 11, ev);
  }
  for (const Link& l : s.links) {
    std::string lk;
    PutLenField(&lk, 1, l.trace_id);
    PutLenField(&lk, 2, l.span_id);
    PutAttributes(&lk, 4, l.attributes);
    PutLenField(&out, 13, lk);
  }
  if (s.status_code != StatusCode::kUnset || !s.status_message.empty()) {
    std::string st;
    if (!s.status_message.empty()) PutLenField(&st, 2, s.status_message);
    PutVarintField(&st, 3, static_cast<uint64_t>(s.status_code));
    PutLenField(&out, 15, st);
  }
  return out;
}

std::string EncodeScopeSpans(const TraceRequest& req, size_t scope_index) {
  const Scope& scope = req.scopes[scope_index];
  std::string out;
  std::string sc;
  PutLenField(&sc, 1, scope.name);
  if (!scope.version.empty()) PutLenField(&sc, 2, scope.version);
  PutAttributes(&sc, 3, scope.attributes);
  PutLenField(&out, 1, sc);
  for (const Span& s : req.spans) {
    if (s.scope == scope_index) PutLenField(&out, 2, EncodeSpan(s));
  }
  return out;
}

}  // namespace

std::string EncodeProtobuf(const TraceRequest& req) {
  std::string out;
  for (size_t r = 0; r < req.resources.size(); ++r) {
    std::string rs;
    std::string resource;
    PutAttributes(&resource, 1, req.resources[r].attributes);
    PutLenField(&rs, 1, resource);
    for (size_t s = 0; s < req.scopes.size(); ++s) {
      if (req.scopes[s].resource == r) PutLenField(&rs, 2, EncodeScopeSpans(req, s));
    }
    if (!req.resources[r].schema_url.empty()) PutLenField(&rs, 3, req.resources[r].schema_url);
    PutLenField(&out, 1, rs);
  }
  return out;
}

std::string EncodeExportResponseProto(int64_t rejected_spans, const std::string& error_message) {
  if (rejected_spans == 0 && error_message.empty()) return "";
  std::string partial;
  if (rejected_spans != 0) PutVarintField(&partial, 1, static_cast<uint64_t>(rejected_spans));
  if (!error_message.empty()) PutLenField(&partial, 2, error_message);
  std::string out;
  PutLenField(&out, 1, partial);
  return out;
}

json::Value EncodeExportResponseJson(int64_t rejected_spans, const std::string& error_message) {
  if (rejected_spans == 0 && error_message.empty()) return json::Value(json::Object{});
  json::Object partial{{"rejectedSpans", rejected_spans}, {"errorMessage", error_message}};
  return json::Value(json::Object{{"partialSuccess", std::move(partial)}});
}

std::string EncodeStatusProto(int32_t grpc_code, const std::string& message) {
  std::string out;
  if (grpc_code != 0) {
    PutVarintField(&out, 1, static_cast<uint64_t>(static_cast<int64_t>(grpc_code)));
  }
  if (!message.empty()) PutLenField(&out, 2, message);
  return out;
}

json::Value EncodeStatusJson(int32_t grpc_code, const std::string& message) {
  return json::Value(json::Object{{"code", grpc_code}, {"message", message}});
}

std::string HexId(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Base64(std::string_view raw) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(raw[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(raw[i + 1])} << 8) |
                 static_cast<uint8_t>(raw[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  size_t rest = raw.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(raw[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<uint8_t>(raw[i + 1])} << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace spanlake::otel
