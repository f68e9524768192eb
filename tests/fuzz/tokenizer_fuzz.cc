// libFuzzer target for the analyzer (src/index/tokenizer.h): any bytes,
// valid UTF-8 or not, must tokenize without a crash, into tokens whose terms
// are valid UTF-8 of 1..kMaxTermBytes bytes, whose offsets lie inside the
// input, and whose positions increase per term.
//
// Built only with clang (src/index/CMakeLists.txt); run by tests/fuzz/run.sh.
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "index/tokenizer.h"

namespace {

bool ValidUtf8(const std::string& s) {
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c < 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::unordered_map<std::string, uint32_t> last;
  spanlake::index::Tokenize(text, [&](const spanlake::index::Token& t) {
    if (t.term.empty() || t.term.size() > spanlake::index::kMaxTermBytes) __builtin_trap();
    if (!ValidUtf8(t.term) || t.begin >= t.end || t.end > size) __builtin_trap();
    auto it = last.find(t.term);
    if (it != last.end() && it->second >= t.position) __builtin_trap();
    last[t.term] = t.position;
  });
  return 0;
}
