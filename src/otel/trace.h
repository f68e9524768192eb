// OTLP trace export requests (opentelemetry.proto.collector.trace.v1.
// ExportTraceServiceRequest) decoded into plain structs, from either OTLP/HTTP
// encoding: binary protobuf or OTLP/JSON. Both decoders produce the same
// TraceRequest for the same data.
//
// Attribute values (AnyValue) become json::Values: string, bool, int64,
// double, array (ArrayValue), object (KeyValueList; a repeated key keeps its
// last value), and bytes as a base64 string (what OTLP/JSON carries anyway).
//
// Limits, so that hostile input costs bounded memory, stack and time:
// AnyValue nesting deeper than kMaxValueDepth and keyed lists (attributes,
// kvlists; Object lookups are linear) longer than kMaxKeyedEntries are
// InvalidArgument. A request whose decoded structs would take more than
// kMaxDecodedBytes (a few bytes of protobuf can stand for a large empty
// struct) is TooLarge. A body that is not a valid encoding is an
// InvalidArgument whose message names the place
// ("resource_spans[0]: scope_spans[1]: spans[4]: attributes[2]: ...").
//
// Ids are kept as sent (raw bytes; the JSON decoder un-hexes them). Whether
// they are valid (16/8 bytes, not all zero) is the mapping's call: a span
// with a bad id is rejected alone, not the whole request.
//
// Thread-safety: pure functions over immutable input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace spanlake::otel {

inline constexpr int kMaxValueDepth = 64;
inline constexpr size_t kMaxKeyedEntries = 1024;
inline constexpr size_t kMaxDecodedBytes = size_t{128} << 20;

// Attributes in wire order. Keys should be unique; when they are not, the
// mapping keeps the last value.
using Attributes = std::vector<std::pair<std::string, json::Value>>;

enum class SpanKind : int {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};
enum class StatusCode : int { kUnset = 0, kOk = 1, kError = 2 };

struct Resource {
  Attributes attributes;
  std::string schema_url;
};

struct Scope {
  std::string name;
  std::string version;
  Attributes attributes;
  size_t resource = 0;  // index into TraceRequest::resources
};

struct Event {
  uint64_t time_unix_nano = 0;
  std::string name;
  Attributes attributes;
};

struct Link {
  std::string trace_id;  // raw bytes
  std::string span_id;   // raw bytes
  std::string trace_state;
  Attributes attributes;
};

struct Span {
  std::string trace_id;        // raw bytes; valid: 16 bytes, not all zero
  std::string span_id;         // raw bytes; valid: 8 bytes, not all zero
  std::string parent_span_id;  // raw bytes; empty for a root
  std::string trace_state;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  std::vector<Event> events;
  std::vector<Link> links;
  StatusCode status_code = StatusCode::kUnset;
  std::string status_message;
  uint32_t dropped_attributes_count = 0;
  uint32_t dropped_events_count = 0;
  uint32_t dropped_links_count = 0;
  uint32_t flags = 0;
  size_t scope = 0;  // index into TraceRequest::scopes
};

struct TraceRequest {
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<Span> spans;
};

// Binary protobuf (Content-Type application/x-protobuf). Unknown fields are
// skipped, as protobuf requires; wrong wire types for known fields are errors.
// `max_decoded_bytes` is for tests.
Result<TraceRequest> DecodeProtobuf(std::string_view body,
                                    size_t max_decoded_bytes = kMaxDecodedBytes);

// OTLP/JSON (Content-Type application/json): lowerCamelCase field names
// (snake_case accepted too), ids as hex strings, 64-bit integers as numbers
// or decimal strings, enums as integers or their names. Unknown fields are
// ignored.
Result<TraceRequest> DecodeJson(std::string_view body, size_t max_decoded_bytes = kMaxDecodedBytes);
// The same, over an already parsed document.
Result<TraceRequest> DecodeJsonValue(const json::Value& doc,
                                     size_t max_decoded_bytes = kMaxDecodedBytes);

// Lowercase hex of raw id bytes.
std::string HexId(std::string_view raw);
// Standard base64 with padding.
std::string Base64(std::string_view raw);

// Encoders for the response bodies of OTLP/HTTP. An empty partial success
// (0 rejected, no message) encodes as the empty message, meaning success.
std::string EncodeExportResponseProto(int64_t rejected_spans, const std::string& error_message);
json::Value EncodeExportResponseJson(int64_t rejected_spans, const std::string& error_message);
// google.rpc.Status, the body of OTLP/HTTP error responses.
std::string EncodeStatusProto(int32_t grpc_code, const std::string& message);
json::Value EncodeStatusJson(int32_t grpc_code, const std::string& message);

// An ExportTraceServiceRequest in binary protobuf: the inverse of
// DecodeProtobuf for the fields it reads. Used by tests, the fuzz corpus and
// benchmarks.
std::string EncodeProtobuf(const TraceRequest& request);

}  // namespace spanlake::otel
