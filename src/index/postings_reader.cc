// PostingsReader: lookups over a serialized index.
// See docs/formats/postings.md for the layout decoded here.
#include "index/postings_reader.h"

#include <algorithm>

#include "index/postings_decode.h"

namespace spanlake::index {

namespace {

constexpr uint64_t kNoBlock = UINT64_MAX;

std::string Num(uint64_t v) { return std::to_string(v); }

// True when the relative `offsets` of the phrase's tokens all land on
// positions of their terms for some start; positions[t] is sorted.
bool PhraseAt(const std::vector<std::vector<uint32_t>>& positions,
              const std::vector<size_t>& token_entry, const std::vector<uint32_t>& offsets) {
  for (uint32_t p : positions[token_entry[0]]) {
    if (p < offsets[0]) continue;
    uint64_t start = p - offsets[0];
    bool all = true;
    for (size_t i = 1; i < offsets.size() && all; ++i) {
      const std::vector<uint32_t>& list = positions[token_entry[i]];
      all = std::binary_search(list.begin(), list.end(), start + offsets[i]);
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

Result<PostingsReader> PostingsReader::Open(std::string_view bytes, Options options) {
  ASSIGN_OR_RETURN(format::Footer footer, format::ReadFooter(bytes, options.verify_checksum));
  PostingsReader r(bytes, footer);
  r.dict_ = bytes.substr(footer.dict_offset, footer.index_offset - footer.dict_offset);
  r.block_index_ = bytes.substr(footer.index_offset, footer.fields_offset - footer.index_offset);
  RETURN_IF_ERROR(r.ReadBlockIndex());
  RETURN_IF_ERROR(r.ReadFields());
  return r;
}

Status PostingsReader::ReadBlockIndex() {
  if (NumBlocks() == 0 && !dict_.empty()) {
    return Status::Corruption("postings: " + Num(dict_.size()) + " dictionary bytes but no terms");
  }
  uint32_t prev = 0;
  for (uint64_t b = 0; b < NumBlocks(); ++b) {
    uint32_t off = coding::DecodeFixed32(block_index_.data() + 4 * b);
    if ((b == 0 && off != 0) || (b > 0 && off <= prev) || off >= dict_.size()) {
      return Status::Corruption("postings: block index entry " + Num(b) + " (offset " + Num(off) +
                                ") out of order or outside the " + Num(dict_.size()) +
                                "-byte dictionary");
    }
    prev = off;
  }
  return Status::Ok();
}

Status PostingsReader::ReadFields() {
  const size_t end = bytes_.size() - format::kFooterSize;
  coding::Cursor c(bytes_.substr(footer_.fields_offset, end - footer_.fields_offset));
  uint32_t count;
  if (!c.GetVarint32(&count) || count > format::kMaxFields) {
    return Status::Corruption("postings: bad field count");
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len;
    std::string_view name;
    if (!c.GetVarint32(&len) || len == 0 || len > format::kMaxFieldNameBytes ||
        !c.GetBytes(len, &name)) {
      return Status::Corruption("postings: field table entry " + Num(i) + " is malformed");
    }
    fields_.push_back(name);
  }
  if (!c.empty()) return Status::Corruption("postings: trailing bytes after the field table");
  return Status::Ok();
}

std::string_view PostingsReader::Block(uint64_t b) const {
  uint32_t begin = coding::DecodeFixed32(block_index_.data() + 4 * b);
  size_t end = b + 1 < NumBlocks() ? coding::DecodeFixed32(block_index_.data() + 4 * (b + 1))
                                   : dict_.size();
  return dict_.substr(begin, end - begin);
}

uint32_t PostingsReader::BlockTerms(uint64_t b) const {
  uint64_t first = b * footer_.terms_per_block;
  return static_cast<uint32_t>(std::min<uint64_t>(footer_.terms_per_block, footer_.num_terms - first));
}

Result<std::string_view> PostingsReader::BlockFirstTerm(uint64_t b) const {
  coding::Cursor c(Block(b));
  uint32_t shared, len;
  std::string_view term;
  if (!c.GetVarint32(&shared) || shared != 0 || !c.GetVarint32(&len) || len == 0 ||
      !c.GetBytes(len, &term)) {
    return Status::Corruption("postings: first term of block " + Num(b) + " is malformed");
  }
  return term;
}

// Decodes the next dictionary entry; entry->term holds the previous term of
// the block on entry (the source of the shared prefix).
Status PostingsReader::DecodeEntry(coding::Cursor* c, TermEntry* entry) const {
  uint32_t shared, suffix_len, num_fields;
  std::string_view suffix;
  if (!c->GetVarint32(&shared) || shared > entry->term.size() || !c->GetVarint32(&suffix_len) ||
      !c->GetBytes(suffix_len, &suffix) || shared + suffix_len == 0) {
    return Status::Corruption("postings: malformed term in the dictionary");
  }
  entry->term.resize(shared);
  entry->term.append(suffix);
  if (!c->GetVarint64(&entry->postings_offset) || !c->GetVarint32(&num_fields) ||
      num_fields == 0 || num_fields > fields_.size()) {
    return Status::Corruption("postings: term '" + entry->term + "': malformed postings header");
  }
  entry->fields.clear();
  uint64_t at = entry->postings_offset;
  for (uint32_t i = 0; i < num_fields; ++i) {
    FieldEntry f;
    uint64_t docs_len_kind, positions_len;
    if (!c->GetVarint32(&f.field) || !c->GetVarint32(&f.doc_count) ||
        !c->GetVarint64(&docs_len_kind) || !c->GetVarint64(&positions_len) ||
        f.field >= fields_.size() || (i > 0 && f.field <= entry->fields.back().field) ||
        f.doc_count == 0 || f.doc_count > footer_.doc_limit) {
      return Status::Corruption("postings: term '" + entry->term + "': malformed field entry " +
                                Num(i));
    }
    f.kind = static_cast<format::DocsKind>(docs_len_kind & 1);
    uint64_t docs_len = docs_len_kind >> 1;
    if (at > footer_.dict_offset || docs_len > footer_.dict_offset - at ||
        positions_len > footer_.dict_offset - at - docs_len) {
      return Status::Corruption("postings: term '" + entry->term +
                                "': postings extend past the postings region");
    }
    f.docs = bytes_.substr(at, docs_len);
    f.positions = bytes_.substr(at + docs_len, positions_len);
    at += docs_len + positions_len;
    entry->fields.push_back(f);
  }
  entry->postings_end = at;
  return Status::Ok();
}

// The last block whose first term is <= term, or kNoBlock.
Result<uint64_t> PostingsReader::FindBlock(std::string_view term) const {
  uint64_t lo = 0, hi = NumBlocks();
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(std::string_view first, BlockFirstTerm(mid));
    if (first <= term) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? kNoBlock : lo - 1;
}

Result<std::optional<PostingsReader::TermEntry>> PostingsReader::Find(std::string_view term) const {
  ASSIGN_OR_RETURN(uint64_t b, FindBlock(term));
  if (b == kNoBlock) return std::optional<TermEntry>();
  coding::Cursor c(Block(b));
  TermEntry e;
  for (uint32_t i = 0; i < BlockTerms(b); ++i) {
    RETURN_IF_ERROR(DecodeEntry(&c, &e));
    if (e.term == term) return std::optional<TermEntry>(std::move(e));
    if (e.term > term) break;
  }
  return std::optional<TermEntry>();
}

std::vector<bool> PostingsReader::MatchingFields(FieldFilter field) const {
  std::vector<bool> match(fields_.size(), !field.has_value());
  if (!field) return match;
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::string_view name = fields_[i];
    match[i] = name == *field ||
               (name.size() > field->size() && name.starts_with(*field) && name[field->size()] == '.');
  }
  return match;
}

Result<Roaring> PostingsReader::DecodeDocs(const FieldEntry& f) const {
  Result<Roaring> docs = DecodeDocSet(f.kind, f.docs, f.doc_count, footer_.doc_limit);
  if (!docs.ok()) return docs.status().WithContext("postings: field '" + std::string(fields_[f.field]) + "'");
  return docs;
}

Result<Roaring> PostingsReader::Docs(std::string_view term, FieldFilter field) const {
  ASSIGN_OR_RETURN(std::optional<TermEntry> entry, Find(term));
  Roaring out;
  if (!entry) return out;
  std::vector<bool> match = MatchingFields(field);
  for (const FieldEntry& f : entry->fields) {
    if (!match[f.field]) continue;
    ASSIGN_OR_RETURN(Roaring docs, DecodeDocs(f));
    out |= docs;
  }
  return out;
}

Result<Roaring> PostingsReader::Phrase(std::span<const Token> phrase, FieldFilter field) const {
  if (phrase.empty()) return Status::InvalidArgument("full-text search: empty phrase");
  if (phrase.size() == 1) return Docs(phrase[0].term, field);
  uint32_t min_pos = UINT32_MAX;
  for (const Token& t : phrase) min_pos = std::min(min_pos, t.position);
  // Distinct terms, and for each token its term's index and relative offset.
  std::vector<TermEntry> entries;
  std::vector<size_t> token_entry;
  std::vector<uint32_t> offsets;
  for (const Token& t : phrase) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const TermEntry& e) { return e.term == t.term; });
    if (it == entries.end()) {
      ASSIGN_OR_RETURN(std::optional<TermEntry> found, Find(t.term));
      if (!found) return Roaring();
      entries.push_back(std::move(*found));
      it = entries.end() - 1;
    }
    token_entry.push_back(static_cast<size_t>(it - entries.begin()));
    offsets.push_back(t.position - min_pos);
  }
  std::vector<bool> match = MatchingFields(field);
  Roaring out;
  for (uint32_t f = 0; f < fields_.size(); ++f) {
    if (!match[f]) continue;
    std::vector<const FieldEntry*> in_field;
    for (const TermEntry& e : entries) {
      auto fe = std::find_if(e.fields.begin(), e.fields.end(),
                             [f](const FieldEntry& x) { return x.field == f; });
      if (fe == e.fields.end()) break;
      in_field.push_back(&*fe);
    }
    if (in_field.size() != entries.size()) continue;
    ASSIGN_OR_RETURN(Roaring docs, PhraseInField(in_field, token_entry, offsets));
    out |= docs;
  }
  return out;
}

// Intersects the terms' doc sets, then checks positions doc by doc.
Result<Roaring> PostingsReader::PhraseInField(const std::vector<const FieldEntry*>& entries,
                                              const std::vector<size_t>& token_entry,
                                              const std::vector<uint32_t>& offsets) const {
  std::vector<Roaring> docs;
  std::vector<PositionLists> lists;
  for (const FieldEntry* e : entries) {
    ASSIGN_OR_RETURN(Roaring d, DecodeDocs(*e));
    docs.push_back(std::move(d));
    ASSIGN_OR_RETURN(PositionLists l,
                     PositionLists::Open(e->positions, e->doc_count, footer_.skip_interval));
    lists.push_back(l);
  }
  Roaring candidates = docs[0];
  for (size_t i = 1; i < docs.size(); ++i) candidates &= docs[i];
  std::vector<PositionLists::Cursor> cursors;
  for (const PositionLists& l : lists) cursors.emplace_back(&l);
  Roaring out;
  std::vector<std::vector<uint32_t>> positions(entries.size());
  for (uint32_t doc : candidates) {
    for (size_t t = 0; t < entries.size(); ++t) {
      auto index = static_cast<uint32_t>(docs[t].rank(doc) - 1);
      RETURN_IF_ERROR(cursors[t].Get(index, &positions[t]));
    }
    if (PhraseAt(positions, token_entry, offsets)) out.add(doc);
  }
  return out;
}

Result<Roaring> PostingsReader::Match(std::string_view query, FieldFilter field) const {
  std::vector<Token> tokens = TokenizeQuery(query);
  if (tokens.empty()) return Roaring();
  return Phrase(tokens, field);
}

Result<std::vector<std::string>> PostingsReader::TermsWithPrefix(std::string_view prefix,
                                                                 size_t limit) const {
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(uint64_t b, FindBlock(prefix));
  for (b = b == kNoBlock ? 0 : b; b < NumBlocks() && out.size() < limit; ++b) {
    coding::Cursor c(Block(b));
    TermEntry e;
    for (uint32_t i = 0; i < BlockTerms(b) && out.size() < limit; ++i) {
      RETURN_IF_ERROR(DecodeEntry(&c, &e));
      if (e.term.starts_with(prefix)) {
        out.push_back(e.term);
      } else if (e.term > prefix) {
        return out;
      }
    }
  }
  return out;
}

Status PostingsReader::Verify(Stats* stats) const {
  std::string prev;
  uint64_t next_postings = 0;
  Stats local;
  for (uint64_t b = 0; b < NumBlocks(); ++b) {
    RETURN_IF_ERROR(VerifyBlock(b, &prev, &next_postings, &local));
  }
  local.dictionary_bytes = dict_.size();
  if (stats != nullptr) *stats = local;
  if (next_postings != footer_.dict_offset) {
    return Status::Corruption("postings: " + Num(footer_.dict_offset - next_postings) +
                              " bytes of the postings region belong to no term");
  }
  return Status::Ok();
}

Status PostingsReader::VerifyBlock(uint64_t b, std::string* prev, uint64_t* next_postings,
                                   Stats* stats) const {
  coding::Cursor c(Block(b));
  TermEntry e;
  for (uint32_t i = 0; i < BlockTerms(b); ++i) {
    RETURN_IF_ERROR(DecodeEntry(&c, &e).WithContext("block " + Num(b)));
    std::string where = "postings: term '" + e.term + "'";
    if (!prev->empty() && e.term <= *prev) return Status::Corruption(where + ": terms out of order");
    if (e.postings_offset != *next_postings) {
      return Status::Corruption(where + ": postings not where the previous term's end");
    }
    for (const FieldEntry& f : e.fields) {
      ASSIGN_OR_RETURN(Roaring docs, DecodeDocs(f));
      ASSIGN_OR_RETURN(PositionLists lists,
                       PositionLists::Open(f.positions, f.doc_count, footer_.skip_interval));
      RETURN_IF_ERROR(lists.VerifyAll().WithContext(where));
      stats->docs_bytes += f.docs.size();
      stats->positions_bytes += f.positions.size();
      stats->postings += 1;
      stats->roaring_postings += f.kind == format::kRoaring ? 1 : 0;
    }
    *next_postings = e.postings_end;
    *prev = e.term;
  }
  if (!c.empty()) return Status::Corruption("postings: trailing bytes in block " + Num(b));
  return Status::Ok();
}

}  // namespace spanlake::index
