// libFuzzer target for the BTQL text parser (and the binder and evaluator
// behind it). Built only with clang (src/query/CMakeLists.txt); run by
// tests/fuzz/run.sh. Checks: no crash or sanitizer report; every rejection
// is an InvalidArgument with "line L, column C"; an accepted query's tree
// round-trips through JSON and binds without crashing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/syntax/syntax.h"
#include "query_fuzz.h"

using namespace spanlake;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<json::Value> tree = query::syntax::ParseBtql(text);
  if (!tree.ok()) {
    if (tree.status().code() != Code::kInvalidArgument ||
        tree.status().message().rfind("line ", 0) != 0) {
      std::abort();
    }
    return 0;
  }
  fuzz::CheckRoundTrip(*tree);
  return 0;
}
