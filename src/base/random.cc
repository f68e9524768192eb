#include "base/random.h"

#include <sys/random.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace spanlake {

namespace {
void FillRandom(unsigned char* buf, size_t n) {
  while (n > 0) {
    ssize_t got = getrandom(buf, n, 0);
    if (got < 0) std::abort();  // the kernel's CSPRNG does not fail after boot
    buf += got;
    n -= static_cast<size_t>(got);
  }
}
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

std::string RandomHex(size_t n_bytes) {
  std::string bytes(n_bytes, '\0');
  FillRandom(reinterpret_cast<unsigned char*>(bytes.data()), n_bytes);
  std::string out;
  out.reserve(2 * n_bytes);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string NewUuid() {
  unsigned char b[16];
  FillRandom(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace spanlake
