// libFuzzer target for the OTLP/JSON decoder and the span mapping.
// Built only with clang (src/otel/CMakeLists.txt); run by tests/fuzz/run.sh.
#include <cstdint>
#include <string_view>

#include "otel/map.h"
#include "otel/trace.h"

using namespace spanlake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Result<otel::TraceRequest> req = otel::DecodeJson(body);
  if (!req.ok()) return 0;
  for (const otel::Span& span : req->spans) {
    Result<otel::MappedSpan> row = otel::MapSpan(*req, span);
    if (row.ok()) json::Value(row->row).Dump();
  }
  return 0;
}
