// CRC-32C (Castagnoli), the checksum of every persisted record and footer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace spanlake::crc32c {

// Extends `crc` (the CRC of some prefix) with `data`. Value(data) == Extend(0, data).
uint32_t Extend(uint32_t crc, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Value(s.data(), s.size()); }

}  // namespace spanlake::crc32c
