#include "index/postings_format.h"

#include "base/crc32c.h"
#include "index/coding.h"

namespace spanlake::index::format {

namespace {

// Footer field offsets from the start of the footer.
constexpr size_t kVersionAt = 48;
constexpr size_t kCrcAt = 52;
constexpr size_t kMagicAt = 56;

std::string Num(uint64_t v) { return std::to_string(v); }

Status CheckRegions(const Footer& f, uint64_t footer_start) {
  if (f.dict_offset > f.index_offset || f.index_offset > f.fields_offset ||
      f.fields_offset > footer_start) {
    return Status::Corruption("postings footer: regions out of order (dictionary at " +
                              Num(f.dict_offset) + ", block index at " + Num(f.index_offset) +
                              ", fields at " + Num(f.fields_offset) + ", footer at " +
                              Num(footer_start) + ")");
  }
  if (f.index_offset - f.dict_offset > UINT32_MAX) {
    return Status::Corruption("postings footer: dictionary larger than 4 GiB");
  }
  if (f.terms_per_block == 0 || f.terms_per_block > kMaxTermsPerBlock || f.skip_interval == 0) {
    return Status::Corruption("postings footer: bad parameters (terms_per_block " +
                              Num(f.terms_per_block) + ", skip_interval " +
                              Num(f.skip_interval) + ")");
  }
  if (f.flags != 0) return Status::Corruption("postings footer: unknown flags " + Num(f.flags));
  if (f.fields_offset - f.index_offset != 4 * NumBlocks(f)) {
    return Status::Corruption("postings footer: block index holds " +
                              Num(f.fields_offset - f.index_offset) + " bytes, " +
                              Num(NumBlocks(f)) + " blocks of terms need " +
                              Num(4 * NumBlocks(f)));
  }
  return Status::Ok();
}

}  // namespace

void AppendFooter(std::string* file, const Footer& f) {
  coding::PutFixed64(file, f.dict_offset);
  coding::PutFixed64(file, f.index_offset);
  coding::PutFixed64(file, f.fields_offset);
  for (uint32_t v : {f.num_terms, f.terms_per_block, f.doc_limit, f.tokenizer_version,
                     f.skip_interval, f.flags, kVersion}) {
    coding::PutFixed32(file, v);
  }
  coding::PutFixed32(file, coding::MaskCrc(crc32c::Value(*file)));
  file->append(kMagic);
}

void RewriteChecksum(std::string* file) {
  if (file->size() < kFooterSize) return;
  size_t at = file->size() - kFooterSize + kCrcAt;
  std::string crc;
  coding::PutFixed32(&crc, coding::MaskCrc(crc32c::Value(file->data(), at)));
  file->replace(at, 4, crc);
}

Result<Footer> ReadFooter(std::string_view file, bool verify_checksum) {
  if (file.size() < kFooterSize) {
    return Status::Corruption("postings: " + Num(file.size()) + " bytes is shorter than the " +
                              Num(kFooterSize) + "-byte footer");
  }
  const size_t start = file.size() - kFooterSize;
  const char* p = file.data() + start;
  if (std::string_view(p + kMagicAt, kMagic.size()) != kMagic) {
    return Status::Corruption("postings: bad magic in the last 8 bytes (not a postings index, "
                              "or truncated)");
  }
  uint32_t version = coding::DecodeFixed32(p + kVersionAt);
  if (version != kVersion) {
    return Status::Corruption("postings: format version " + Num(version) +
                              " is not supported (this build reads version " + Num(kVersion) + ")");
  }
  if (verify_checksum) {
    uint32_t stored = coding::DecodeFixed32(p + kCrcAt);
    uint32_t actual = coding::MaskCrc(crc32c::Value(file.data(), start + kCrcAt));
    if (stored != actual) {
      return Status::Corruption("postings: checksum mismatch over " + Num(start + kCrcAt) +
                                " bytes (stored " + Num(stored) + ", computed " + Num(actual) +
                                ")");
    }
  }
  Footer f;
  f.dict_offset = coding::DecodeFixed64(p);
  f.index_offset = coding::DecodeFixed64(p + 8);
  f.fields_offset = coding::DecodeFixed64(p + 16);
  uint32_t* u32s[] = {&f.num_terms, &f.terms_per_block, &f.doc_limit, &f.tokenizer_version,
                      &f.skip_interval, &f.flags};
  for (size_t i = 0; i < std::size(u32s); ++i) *u32s[i] = coding::DecodeFixed32(p + 24 + 4 * i);
  RETURN_IF_ERROR(CheckRegions(f, start));
  return f;
}

}  // namespace spanlake::index::format
