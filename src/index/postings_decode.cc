#include "index/postings_decode.h"

#include <string>

#include "index/coding.h"
#include "index/roaring_check.h"

namespace spanlake::index {

namespace {

std::string Num(uint64_t v) { return std::to_string(v); }

Result<Roaring> DecodeVarintDocs(std::string_view bytes, uint32_t doc_count, uint32_t doc_limit) {
  coding::Cursor c(bytes);
  std::vector<uint32_t> docs;
  docs.reserve(std::min<size_t>(doc_count, bytes.size()));
  uint64_t doc = 0;
  for (uint32_t i = 0; i < doc_count; ++i) {
    uint32_t delta;
    if (!c.GetVarint32(&delta)) return Status::Corruption("doc list: truncated at doc " + Num(i));
    if (i > 0 && delta == 0) return Status::Corruption("doc list: doc repeated at " + Num(i));
    doc += delta;
    if (doc >= doc_limit) {
      return Status::Corruption("doc list: doc " + Num(doc) + " is not below the doc limit " +
                                Num(doc_limit));
    }
    docs.push_back(static_cast<uint32_t>(doc));
  }
  if (!c.empty()) return Status::Corruption("doc list: " + Num(c.remaining()) + " trailing bytes");
  return Roaring(docs.size(), docs.data());
}

Result<Roaring> DecodeRoaringDocs(std::string_view bytes, uint32_t doc_count, uint32_t doc_limit) {
  ASSIGN_OR_RETURN(RoaringShape shape, ValidatePortableRoaring(bytes));
  if (shape.cardinality != doc_count) {
    return Status::Corruption("doc bitmap holds " + Num(shape.cardinality) + " docs, " +
                              Num(doc_count) + " expected");
  }
  if (shape.cardinality > 0 && shape.max_value >= doc_limit) {
    return Status::Corruption("doc bitmap: doc " + Num(shape.max_value) +
                              " is not below the doc limit " + Num(doc_limit));
  }
  roaring_bitmap_t* r = roaring_bitmap_portable_deserialize_safe(bytes.data(), bytes.size());
  if (r == nullptr) return Status::Corruption("doc bitmap: rejected by the Roaring library");
  return Roaring(r);
}

// Reads one list at the cursor into `out` (when not null).
Status ReadList(coding::Cursor* c, std::vector<uint32_t>* out) {
  uint32_t len;
  std::string_view payload;
  if (!c->GetVarint32(&len) || len == 0 || !c->GetBytes(len, &payload)) {
    return Status::Corruption("position list: bad or truncated length");
  }
  coding::Cursor p(payload);
  uint64_t pos = 0;
  for (bool first = true; !p.empty(); first = false) {
    uint32_t delta;
    if (!p.GetVarint32(&delta)) return Status::Corruption("position list: bad varint");
    if (!first && delta == 0) return Status::Corruption("position list: position repeated");
    pos += delta;
    if (pos > UINT32_MAX) return Status::Corruption("position list: position overflows 32 bits");
    if (out != nullptr) out->push_back(static_cast<uint32_t>(pos));
  }
  return Status::Ok();
}

Status SkipList(coding::Cursor* c) {
  uint32_t len;
  if (!c->GetVarint32(&len) || len == 0 || !c->Skip(len)) {
    return Status::Corruption("position list: bad or truncated length");
  }
  return Status::Ok();
}

}  // namespace

Result<Roaring> DecodeDocSet(format::DocsKind kind, std::string_view bytes, uint32_t doc_count,
                             uint32_t doc_limit) {
  if (doc_count == 0) return Status::Corruption("doc set: empty");
  return kind == format::kRoaring ? DecodeRoaringDocs(bytes, doc_count, doc_limit)
                                  : DecodeVarintDocs(bytes, doc_count, doc_limit);
}

Result<PositionLists> PositionLists::Open(std::string_view bytes, uint32_t doc_count,
                                          uint32_t skip_interval) {
  uint64_t num_skips = doc_count == 0 ? 0 : (doc_count - 1) / skip_interval;
  if (bytes.size() < 4 * num_skips) return Status::Corruption("position lists: truncated skip table");
  std::string_view skips = bytes.substr(0, 4 * num_skips);
  std::string_view lists = bytes.substr(4 * num_skips);
  uint32_t prev = 0;
  for (uint64_t k = 0; k < num_skips; ++k) {
    uint32_t off = coding::DecodeFixed32(skips.data() + 4 * k);
    if (off <= prev || off >= lists.size()) {
      return Status::Corruption("position lists: skip entry " + Num(k) + " out of range");
    }
    prev = off;
  }
  return PositionLists(skips, lists, doc_count, skip_interval);
}

Status PositionLists::Get(uint32_t index, std::vector<uint32_t>* positions) const {
  positions->clear();
  if (index >= doc_count_) return Status::Corruption("position lists: no list " + Num(index));
  uint32_t k = index / skip_interval_;
  uint32_t start = k == 0 ? 0 : coding::DecodeFixed32(skips_.data() + 4 * (k - 1));
  coding::Cursor c(lists_.substr(start));
  for (uint32_t i = k * skip_interval_; i < index; ++i) RETURN_IF_ERROR(SkipList(&c));
  return ReadList(&c, positions);
}

Status PositionLists::Cursor::Get(uint32_t index, std::vector<uint32_t>* positions) {
  positions->clear();
  const PositionLists& l = *lists_;
  if (index >= l.doc_count_ || index < next_) {
    return Status::Corruption("position lists: no list " + Num(index));
  }
  uint32_t k = index / l.skip_interval_;
  if (k > 0 && k > next_ / l.skip_interval_) {  // jumping beats walking
    next_ = k * l.skip_interval_;
    offset_ = coding::DecodeFixed32(l.skips_.data() + 4 * (k - 1));
  }
  coding::Cursor c(l.lists_.substr(offset_));
  for (; next_ < index; ++next_) RETURN_IF_ERROR(SkipList(&c));
  RETURN_IF_ERROR(ReadList(&c, positions));
  ++next_;
  offset_ = l.lists_.size() - c.remaining();
  return Status::Ok();
}

Status PositionLists::VerifyAll() const {
  coding::Cursor c(lists_);
  for (uint32_t i = 0; i < doc_count_; ++i) {
    if (i > 0 && i % skip_interval_ == 0 &&
        coding::DecodeFixed32(skips_.data() + 4 * (i / skip_interval_ - 1)) !=
            lists_.size() - c.remaining()) {
      return Status::Corruption("position lists: skip entry for list " + Num(i) + " is wrong");
    }
    RETURN_IF_ERROR(ReadList(&c, nullptr).WithContext("list " + Num(i)));
  }
  if (!c.empty()) return Status::Corruption("position lists: " + Num(c.remaining()) + " trailing bytes");
  return Status::Ok();
}

}  // namespace spanlake::index
