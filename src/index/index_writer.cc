// IndexBuilder::Finish: serializing the collected postings.
// See docs/formats/postings.md for the layout written here.
#include <roaring/roaring.hh>

#include <algorithm>
#include <numeric>

#include "index/coding.h"
#include "index/index_builder.h"
#include "index/postings_format.h"

namespace spanlake::index {

namespace {

using coding::PutFixed32;
using coding::PutVarint32;
using coding::PutVarint64;

// Appends the doc set in whichever encoding is smaller: delta varints win for
// short lists, where a Roaring header costs more than the docs; Roaring wins
// for dense or clustered sets. Returns the kind.
format::DocsKind EncodeDocs(const std::vector<uint32_t>& docs, std::string* out) {
  std::string varints;
  uint32_t prev = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    PutVarint32(&varints, i == 0 ? docs[i] : docs[i] - prev);
    prev = docs[i];
  }
  // A portable bitmap needs at least 15 bytes; short lists never beat that.
  if (varints.size() > 15) {
    Roaring r(docs.size(), docs.data());
    r.runOptimize();
    size_t size = r.getSizeInBytes(/*portable=*/true);
    if (size < varints.size()) {
      size_t at = out->size();
      out->resize(at + size);
      r.write(out->data() + at, /*portable=*/true);
      return format::kRoaring;
    }
  }
  out->append(varints);
  return format::kDeltaVarints;
}

// Appends the skip table and the per-doc position lists of `data` (the
// builder's [doc, n, position × n]...):
//   u32 offset of list i * skip_interval (i ≥ 1), relative to the first list
//   per doc: varint payload bytes, varint first position, varint gaps (≥ 1)
// REQUIRES: the lists of one term and field total under 4 GiB.
void EncodePositions(const std::vector<uint32_t>& data, std::string* out) {
  std::string lists, payload;
  std::vector<uint32_t> skips;
  size_t doc_index = 0;
  for (size_t i = 0; i < data.size(); i += 2 + data[i + 1], ++doc_index) {
    if (doc_index > 0 && doc_index % format::kSkipInterval == 0) {
      skips.push_back(static_cast<uint32_t>(lists.size()));
    }
    payload.clear();
    for (size_t j = i + 2; j < i + 2 + data[i + 1]; ++j) {
      PutVarint32(&payload, j == i + 2 ? data[j] : data[j] - data[j - 1]);
    }
    PutVarint32(&lists, static_cast<uint32_t>(payload.size()));
    lists.append(payload);
  }
  for (uint32_t s : skips) PutFixed32(out, s);
  out->append(lists);
}

std::vector<uint32_t> DocsOf(const std::vector<uint32_t>& data) {
  std::vector<uint32_t> docs;
  for (size_t i = 0; i < data.size(); i += 2 + data[i + 1]) docs.push_back(data[i]);
  return docs;
}

size_t SharedPrefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size()), i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

std::string IndexBuilder::Finish() {
  // Terms in order, and the fields of one term in field order.
  std::vector<uint32_t> order(postings_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    int c = postings_[a].term.compare(postings_[b].term);
    return c != 0 ? c < 0 : postings_[a].field < postings_[b].field;
  });
  for (Posting& p : postings_) {
    if (p.count != 0) p.data[p.count_at] = p.count;
  }

  std::string out, dict;
  std::string_view prev;
  std::vector<uint32_t> block_offsets, same_term;
  uint32_t num_terms = 0;
  for (size_t i = 0; i < order.size(); i += same_term.size(), ++num_terms) {
    const std::string& term = postings_[order[i]].term;
    same_term.clear();
    for (size_t j = i; j < order.size() && postings_[order[j]].term == term; ++j) same_term.push_back(order[j]);
    if (num_terms % format::kTermsPerBlock == 0) {
      block_offsets.push_back(static_cast<uint32_t>(dict.size()));
      prev = {};
    }
    size_t shared = SharedPrefix(prev, term);
    PutVarint32(&dict, static_cast<uint32_t>(shared));
    PutVarint32(&dict, static_cast<uint32_t>(term.size() - shared));
    dict.append(term, shared);
    PutVarint64(&dict, out.size());
    AppendTermPostings(same_term, &out, &dict);
    prev = term;
  }

  format::Footer footer;
  footer.num_terms = num_terms;
  footer.doc_limit = has_doc_ ? current_doc_ + 1 : 0;
  footer.tokenizer_version = kTokenizerVersion;
  footer.dict_offset = out.size();
  out.append(dict);
  footer.index_offset = out.size();
  for (uint32_t b : block_offsets) PutFixed32(&out, b);
  footer.fields_offset = out.size();
  PutVarint32(&out, static_cast<uint32_t>(fields_.size()));
  for (const std::string& f : fields_) {
    PutVarint32(&out, static_cast<uint32_t>(f.size()));
    out.append(f);
  }
  format::AppendFooter(&out, footer);
  Reset();
  return out;
}

// Appends the postings of one term (`ids`: its postings, in field order) to
// `out` and their headers to `dict`, releasing the builder's copy as it goes.
void IndexBuilder::AppendTermPostings(const std::vector<uint32_t>& ids, std::string* out,
                                      std::string* dict) {
  PutVarint32(dict, static_cast<uint32_t>(ids.size()));
  for (uint32_t id : ids) {
    Posting& p = postings_[id];
    std::vector<uint32_t> docs = DocsOf(p.data);
    PutVarint32(dict, p.field);
    PutVarint32(dict, static_cast<uint32_t>(docs.size()));
    size_t at = out->size();
    format::DocsKind kind = EncodeDocs(docs, out);
    PutVarint64(dict, (out->size() - at) * 2 + kind);
    at = out->size();
    EncodePositions(p.data, out);
    PutVarint64(dict, out->size() - at);
    std::vector<uint32_t>().swap(p.data);
  }
}

}  // namespace spanlake::index
