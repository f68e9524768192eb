// Byte layout of WAL files, shared by the writer and Replay. Internal to src/wal.
// See docs/formats/wal.md for the grammar and the reasons behind it.
#pragma once

#include "base/coding.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace spanlake::wal::format {

using ::spanlake::coding::PutFixed32;
using ::spanlake::coding::PutFixed64;
using ::spanlake::coding::DecodeFixed32;
using ::spanlake::coding::DecodeFixed64;
using ::spanlake::coding::MaskCrc;
using ::spanlake::coding::UnmaskCrc;

// File header: magic[8] | u32 version | u64 first_xact_id | u32 masked crc32c of the
// 20 bytes before it.
inline constexpr std::string_view kMagic{"SPLKWAL\n", 8};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kFileHeaderSize = 24;

// Record header: u32 payload_length | u64 xact_id | u32 masked crc32c(length, xact_id, payload).
inline constexpr size_t kRecordHeaderSize = 16;
inline constexpr uint32_t kMaxPayload = uint32_t{1} << 30;  // 1 GiB

inline constexpr std::string_view kFileSuffix = ".wal";

// A CRC stored next to the bytes it covers is masked so that a CRC over data
// which itself embeds CRCs (a WAL record inside a payload, say) stays strong.

std::string EncodeFileHeader(uint64_t first_xact_id);
// Writes the kRecordHeaderSize bytes that precede `payload` in its record.
// REQUIRES: payload.size() <= kMaxPayload.
void EncodeRecordHeader(char* dst, uint64_t xact_id, std::string_view payload);
// Appends one framed record (header and payload) to `dst`.
void AppendRecord(std::string* dst, uint64_t xact_id, std::string_view payload);
// The masked CRC a record header must carry for these fields and payload.
uint32_t RecordCrc(const char* header, std::string_view payload);

// "00000000000000000042.wal" for 42.
std::string FileName(uint64_t first_xact_id);
// Inverse of FileName; false for any other name (temp files, strays).
bool ParseFileName(std::string_view name, uint64_t* first_xact_id);

struct FileEntry {
  uint64_t first_xact_id = 0;
  std::string name;  // base name inside the directory
};
// The WAL files in `dir`, ordered by first xact id (== name order). NotFound
// if `dir` does not exist.
Result<std::vector<FileEntry>> ListFiles(const std::string& dir);

}  // namespace spanlake::wal::format
