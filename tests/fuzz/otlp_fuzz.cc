// libFuzzer target for the OTLP protobuf decoder and the span mapping.
// Built only with clang (src/otel/CMakeLists.txt); run by tests/fuzz/run.sh.
//
// Properties checked beyond "no crash, no sanitizer report": a request that
// decodes re-encodes to bytes that decode to the same spans, and every
// decoded span maps to a row or to a rejection.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "otel/map.h"
#include "otel/trace.h"

using namespace spanlake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Result<otel::TraceRequest> req = otel::DecodeProtobuf(body);
  if (!req.ok()) return 0;
  for (const otel::Span& span : req->spans) {
    Result<otel::MappedSpan> row = otel::MapSpan(*req, span);
    if (row.ok()) json::Value(row->row).Dump();
  }
  Result<otel::TraceRequest> again = otel::DecodeProtobuf(otel::EncodeProtobuf(*req));
  if (!again.ok() || again->spans.size() != req->spans.size()) std::abort();
  for (size_t i = 0; i < req->spans.size(); ++i) {
    const otel::Span& a = req->spans[i];
    const otel::Span& b = again->spans[i];
    if (a.span_id != b.span_id || a.trace_id != b.trace_id || a.name != b.name ||
        a.attributes.size() != b.attributes.size()) {
      std::abort();
    }
  }
  return 0;
}
