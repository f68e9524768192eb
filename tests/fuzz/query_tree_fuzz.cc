// libFuzzer target for the JSON query tree the SDK sends: JSON text → the
// binder → the evaluator on sample rows. Built only with clang
// (src/query/CMakeLists.txt); run by tests/fuzz/run.sh. Checks: no crash or
// sanitizer report, and a bad tree is always an InvalidArgument (a 400).
#include <cstdint>
#include <string_view>

#include "query_fuzz.h"

using namespace spanlake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<json::Value> tree =
      json::Value::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!tree.ok()) return 0;
  fuzz::BindAndEvaluate(*tree);
  return 0;
}
