#include "wal/format.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "base/crc32c.h"
#include "base/file.h"

namespace spanlake::wal::format {

namespace {
constexpr size_t kNameDigits = 20;
}  // namespace

std::string EncodeFileHeader(uint64_t first_xact_id) {
  std::string h(kMagic);
  PutFixed32(&h, kVersion);
  PutFixed64(&h, first_xact_id);
  PutFixed32(&h, MaskCrc(crc32c::Value(h)));
  return h;
}

uint32_t RecordCrc(const char* header, std::string_view payload) {
  uint32_t crc = crc32c::Value(header, 12);  // length and xact id
  return MaskCrc(crc32c::Extend(crc, payload.data(), payload.size()));
}

void EncodeRecordHeader(char* dst, uint64_t xact_id, std::string_view payload) {
  std::string h;
  h.reserve(kRecordHeaderSize);
  PutFixed32(&h, static_cast<uint32_t>(payload.size()));
  PutFixed64(&h, xact_id);
  PutFixed32(&h, RecordCrc(h.data(), payload));
  std::copy(h.begin(), h.end(), dst);
}

void AppendRecord(std::string* dst, uint64_t xact_id, std::string_view payload) {
  char header[kRecordHeaderSize];
  EncodeRecordHeader(header, xact_id, payload);
  dst->append(header, sizeof header);
  dst->append(payload);
}

std::string FileName(uint64_t first_xact_id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(first_xact_id));
  return std::string(buf) + std::string(kFileSuffix);
}

bool ParseFileName(std::string_view name, uint64_t* first_xact_id) {
  if (name.size() != kNameDigits + kFileSuffix.size()) return false;
  if (name.substr(kNameDigits) != kFileSuffix) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < kNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;  // 20 digits can exceed 2^64
    v = v * 10 + digit;
  }
  *first_xact_id = v;
  return true;
}

Result<std::vector<FileEntry>> ListFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return errno == ENOENT ? Status::NotFound(ErrnoMessage("opendir", dir))
                           : Status::IOError(ErrnoMessage("opendir", dir));
  }
  std::vector<FileEntry> files;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    FileEntry f;
    if (ParseFileName(e->d_name, &f.first_xact_id)) {
      f.name = e->d_name;
      files.push_back(std::move(f));
    }
  }
  Status st = errno == 0 ? Status::Ok() : Status::IOError(ErrnoMessage("readdir", dir));
  ::closedir(d);
  RETURN_IF_ERROR(st);
  std::sort(files.begin(), files.end(), [](const FileEntry& a, const FileEntry& b) {
    return a.first_xact_id < b.first_xact_id;
  });
  return files;
}

}  // namespace spanlake::wal::format
