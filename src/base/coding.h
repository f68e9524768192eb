// Byte coding shared by every persisted format (WAL, segments, manifests,
// postings): little-endian fixed integers, LEB128 varints, and the masked
// CRC scheme (a CRC stored inside bytes that are checksummed again is masked
// so the outer CRC stays strong; the same mask leveldb uses).
#pragma once

#include <cstdint>
#include <string>

namespace spanlake::coding {

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// REQUIRES: p points at 4 (8) readable bytes.
uint32_t DecodeFixed32(const char* p);
uint64_t DecodeFixed64(const char* p);

uint32_t MaskCrc(uint32_t crc);
uint32_t UnmaskCrc(uint32_t masked);

}  // namespace spanlake::coding
