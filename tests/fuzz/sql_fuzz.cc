// libFuzzer target for the SQL text parser (and the binder and evaluator
// behind it). Built only with clang (src/query/CMakeLists.txt); run by
// tests/fuzz/run.sh. Checks as btql_fuzz.cc; also that auto-detection agrees
// with the SQL parser on text that starts with SELECT.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/syntax/syntax.h"
#include "query_fuzz.h"

using namespace spanlake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<json::Value> tree = query::syntax::ParseSql(text);
  if (!tree.ok()) {
    if (tree.status().code() != Code::kInvalidArgument) std::abort();
    return 0;
  }
  Result<json::Value> detected = query::syntax::ParseQueryText(text);
  if (!detected.ok() || !(*detected == *tree)) std::abort();
  fuzz::CheckRoundTrip(*tree);
  return 0;
}
