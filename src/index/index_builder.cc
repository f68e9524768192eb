// IndexBuilder: collecting postings in memory. Serialization is in
// index_writer.cc; the layout is docs/formats/postings.md.
#include "index/index_builder.h"

#include <algorithm>

#include "index/postings_format.h"

namespace spanlake::index {

bool IsUnindexedField(std::string_view key) {
  static constexpr std::string_view kSkip[] = {"id", "span_id", "root_span_id", "span_parents",
                                               "created", "project_id", "experiment_id",
                                               "dataset_id", "log_id", "org_id", "origin"};
  if (key.empty() || key[0] == '_') return true;
  for (std::string_view s : kSkip) {
    if (key == s) return true;
  }
  return false;
}

namespace {
// Between two texts of one doc and field, positions skip one, so no phrase
// (which needs consecutive positions) spans them.
constexpr uint32_t kTextGap = 2;
}  // namespace

Status IndexBuilder::Add(uint32_t doc, std::string_view field, std::string_view text) {
  ASSIGN_OR_RETURN(uint32_t f, StartText(doc, field));
  const uint32_t base = next_position_[f];
  uint32_t max_position = 0;
  bool any = false;
  Tokenize(text, [&](const Token& t) {
    Queue(t.term, f, doc, base + t.position);
    max_position = std::max(max_position, base + t.position);
    any = true;
  });
  Drain();
  if (any) FinishText(f, max_position);
  return Status::Ok();
}

Status IndexBuilder::AddTokens(uint32_t doc, std::string_view field,
                               const std::vector<Token>& tokens) {
  ASSIGN_OR_RETURN(uint32_t f, StartText(doc, field));
  const uint32_t base = next_position_[f];
  uint32_t max_position = 0;
  for (const Token& t : tokens) {
    if (t.position > format::kMaxPositionsPerText) {
      return Status::InvalidArgument("token position " + std::to_string(t.position) +
                                     " is beyond the limit of a text");
    }
    Queue(t.term, f, doc, base + t.position);
    max_position = std::max(max_position, base + t.position);
  }
  Drain();
  if (!tokens.empty()) FinishText(f, max_position);
  return Status::Ok();
}

// Switches to `doc` and returns the id of `field`, checking the limits.
Result<uint32_t> IndexBuilder::StartText(uint32_t doc, std::string_view field) {
  if (has_doc_ && doc < current_doc_) {
    return Status::InvalidArgument("index: doc ids must not decrease (got " + std::to_string(doc) +
                                   " after " + std::to_string(current_doc_) + ")");
  }
  if (doc > format::kMaxDocId) return Status::InvalidArgument("index: doc id 2^32-1 is reserved");
  if (field.empty() || field.size() > format::kMaxFieldNameBytes) {
    return Status::InvalidArgument("index: field name must be 1.." +
                                   std::to_string(format::kMaxFieldNameBytes) + " bytes");
  }
  if (!has_doc_ || doc != current_doc_) {
    std::fill(next_position_.begin(), next_position_.end(), 0);
    has_doc_ = true;
    current_doc_ = doc;
  }
  auto it = field_ids_.find(field);
  if (it == field_ids_.end()) {
    if (fields_.size() >= format::kMaxFields) {
      return Status::InvalidArgument("index: more than " + std::to_string(format::kMaxFields) +
                                     " fields");
    }
    it = field_ids_.emplace(std::string(field), static_cast<uint32_t>(fields_.size())).first;
    fields_.emplace_back(field);
    next_position_.push_back(0);
  }
  if (next_position_[it->second] > UINT32_MAX - format::kMaxPositionsPerText) {
    return Status::InvalidArgument("index: too much text in field '" + std::string(field) +
                                   "' of doc " + std::to_string(doc));
  }
  return it->second;
}

void IndexBuilder::FinishText(uint32_t field, uint32_t max_position) {
  next_position_[field] = max_position + kTextGap;
}

namespace {
// The hash of a (field, term) key: the term's, mixed with the field.
uint64_t KeyHash(std::string_view term, uint32_t field) {
  return std::hash<std::string_view>{}(term) ^ ((field + 1) * 0x9E3779B97F4A7C15ull);
}
}  // namespace

void IndexBuilder::Queue(std::string_view term, uint32_t field, uint32_t doc, uint32_t position) {
  Pending& p = batch_[batch_size_++];
  p.term.assign(term);
  p.hash = KeyHash(term, field);
  p.field = field;
  p.doc = doc;
  p.position = position;
  if (!slots_.empty()) __builtin_prefetch(&slots_[p.hash & (slots_.size() - 1)]);
  if (batch_size_ == kBatch) Drain();
}

// Adds the batched tokens in order, after prefetching the entry each one's
// home slot names (a hint only: the slot may hold another term).
void IndexBuilder::Drain() {
  if (!slots_.empty()) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = 0; i < batch_size_; ++i) {
      uint64_t slot = slots_[batch_[i].hash & mask];
      if (slot != 0) __builtin_prefetch(&postings_[static_cast<uint32_t>(slot)]);
    }
  }
  for (size_t i = 0; i < batch_size_; ++i) {
    const Pending& p = batch_[i];
    AddPosition(&postings_[Intern(p.term, p.field, p.hash)], p.doc, p.position);
  }
  batch_size_ = 0;
}

uint32_t IndexBuilder::Intern(std::string_view term, uint32_t field, uint64_t hash) {
  if (2 * (postings_.size() + 1) > slots_.size()) GrowTable();
  const uint64_t tag = (hash >> 32) | 1;  // never 0, so a slot is never empty by accident
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == 0) {
      auto id = static_cast<uint32_t>(postings_.size());
      postings_.push_back(Posting{std::string(term), field, 0, 0, 0, 0, {}});
      slots_[i] = tag << 32 | id;
      memory_ += sizeof(Posting) + 2 * sizeof(uint64_t) + term.size();
      return id;
    }
    auto id = static_cast<uint32_t>(slot);
    if ((slot >> 32) == tag && postings_[id].field == field && postings_[id].term == term) return id;
  }
}

void IndexBuilder::GrowTable() {
  std::vector<uint64_t> slots(std::max<size_t>(1024, 2 * slots_.size()), 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t id = 0; id < postings_.size(); ++id) {
    const uint64_t hash = KeyHash(postings_[id].term, postings_[id].field);
    size_t i = hash & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = ((hash >> 32) | 1) << 32 | id;
  }
  memory_ += (slots.size() - slots_.size()) * sizeof(uint64_t);
  slots_ = std::move(slots);
}

// Positions of one doc and term arrive increasing from the tokenizer; tokens
// given to AddTokens may not, and are put in order (duplicates dropped).
void IndexBuilder::AddPosition(Posting* p, uint32_t doc, uint32_t position) {
  std::vector<uint32_t>& d = p->data;
  const size_t capacity = d.capacity();
  if (p->count == 0 || p->last_doc != doc) {
    if (p->count != 0) d[p->count_at] = p->count;
    d.push_back(doc);
    p->count_at = static_cast<uint32_t>(d.size());
    d.push_back(0);  // n, written when the doc is done
    d.push_back(position);
    p->last_doc = doc;
    p->last_position = position;
    p->count = 1;
  } else if (p->last_position < position) {
    ++p->count;
    d.push_back(position);
    p->last_position = position;
  } else {
    auto first = d.begin() + p->count_at + 1;
    auto at = std::lower_bound(first, d.end(), position);
    if (*at != position) {
      ++p->count;
      d.insert(at, position);
    }
  }
  memory_ += (d.capacity() - capacity) * sizeof(uint32_t);
}

void IndexBuilder::Reset() {
  postings_.clear();
  slots_.clear();
  field_ids_.clear();
  fields_.clear();
  next_position_.clear();
  has_doc_ = false;
  current_doc_ = 0;
  memory_ = 0;
}

}  // namespace spanlake::index
