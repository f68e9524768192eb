#include "segment/format.h"

#include <zstd.h>

#include "segment/coding.h"

namespace spanlake::segment {

namespace {

constexpr size_t kSectionEntrySize = 36;
constexpr uint32_t kMaxSections = 1024;

}  // namespace

std::string Footer::Encode() const {
  std::string out;
  PutFixed64(&out, directory_offset);
  PutFixed32(&out, directory_length);
  PutFixed32(&out, directory_crc);
  PutFixed32(&out, format_version);
  PutFixed32(&out, MaskedCrc(out));
  out.append(kMagic);
  return out;
}

Result<Footer> Footer::Decode(std::string_view bytes) {
  if (bytes.size() != kFooterSize) {
    return Status::Corruption("segment footer: object shorter than a footer");
  }
  if (bytes.substr(24) != kMagic) return Status::Corruption("segment footer: bad magic");
  if (DecodeFixed32(bytes.data() + 20) != MaskedCrc(bytes.substr(0, 20))) {
    return Status::Corruption("segment footer: checksum mismatch");
  }
  Footer f;
  f.directory_offset = DecodeFixed64(bytes.data());
  f.directory_length = DecodeFixed32(bytes.data() + 8);
  f.directory_crc = DecodeFixed32(bytes.data() + 12);
  f.format_version = DecodeFixed32(bytes.data() + 16);
  if (f.format_version != kFormatVersion) {
    return Status::Corruption("segment footer: unsupported format version " +
                              std::to_string(f.format_version) + " (this binary reads " +
                              std::to_string(kFormatVersion) + ")");
  }
  return f;
}

std::string EncodeDirectory(const std::vector<SectionEntry>& entries) {
  std::string out;
  PutFixed32(&out, static_cast<uint32_t>(entries.size()));
  for (const SectionEntry& e : entries) {
    PutFixed32(&out, e.id);
    PutFixed32(&out, e.codec);
    PutFixed64(&out, e.offset);
    PutFixed64(&out, e.stored_len);
    PutFixed64(&out, e.raw_len);
    PutFixed32(&out, e.crc);
  }
  return out;
}

Result<std::vector<SectionEntry>> DecodeDirectory(std::string_view bytes) {
  Decoder d(bytes);
  uint32_t n = 0;
  if (!d.GetFixed32(&n) || n > kMaxSections || d.remaining() != n * kSectionEntrySize) {
    return Status::Corruption("segment directory: bad section count or length");
  }
  std::vector<SectionEntry> out(n);
  for (SectionEntry& e : out) {
    bool ok = d.GetFixed32(&e.id) && d.GetFixed32(&e.codec) && d.GetFixed64(&e.offset) &&
              d.GetFixed64(&e.stored_len) && d.GetFixed64(&e.raw_len) && d.GetFixed32(&e.crc);
    if (!ok) return Status::Corruption("segment directory: truncated entry");
    if (e.codec > kCodecZstd) {
      return Status::Corruption("segment directory: unknown codec " + std::to_string(e.codec));
    }
  }
  return out;
}

Result<std::string> Compress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compress: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> Decompress(std::string_view stored, uint64_t raw_len, std::string_view what) {
  constexpr uint64_t kMaxRaw = uint64_t{4} << 30;
  if (raw_len > kMaxRaw) return Status::Corruption(std::string(what) + ": impossible raw length");
  std::string out(raw_len, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), stored.data(), stored.size());
  if (ZSTD_isError(n)) {
    return Status::Corruption(std::string(what) + ": zstd: " + ZSTD_getErrorName(n));
  }
  if (n != raw_len) return Status::Corruption(std::string(what) + ": decoded length mismatch");
  return out;
}

void EncodeVersion(std::string* dst, uint64_t xact, uint32_t pos, const json::Object& write) {
  PutVarint64(dst, xact);
  PutVarint64(dst, pos);
  // One buffer per thread: a version's JSON is measured before its length
  // prefix is written, and most versions fit the capacity the last one left.
  thread_local std::string text;
  text.clear();
  write.DumpTo(text);
  PutString(dst, text);
  if (text.capacity() > (size_t{1} << 20)) std::string().swap(text);  // a rare huge row
}

Result<std::vector<Version>> DecodeBlock(std::string_view raw, uint64_t count) {
  Decoder d(raw);
  std::vector<Version> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    Version v;
    std::string_view text;
    if (!d.GetVarint64(&v.xact) || !d.GetVarint32(&v.pos) || !d.GetString(&text)) {
      return Status::Corruption("segment block: truncated version " + std::to_string(i));
    }
    Result<json::Value> parsed = json::Value::Parse(text);
    if (!parsed.ok() || !parsed->is_object()) {
      return Status::Corruption("segment block: version " + std::to_string(i) + " is not a JSON object");
    }
    v.write = std::make_shared<const json::Object>(std::move(parsed->as_object()));
    out.push_back(std::move(v));
  }
  if (!d.empty()) return Status::Corruption("segment block: trailing bytes after the last version");
  return out;
}

}  // namespace spanlake::segment
