// libFuzzer target for the postings reader (src/index/postings_reader.h):
// arbitrary bytes must give a reader or a Status, never a crash, a hang or a
// sanitizer report, and what a reader returns must respect its own bounds.
//
// Each input is read twice: as is (the footer and checksum checks), and with
// its checksum rewritten, so that mutations reach the dictionary, Roaring and
// position decoders. Seeds: tests/fuzz/corpus/postings_fuzz/ (golden files).
//
// Built only with clang (src/index/CMakeLists.txt); run by tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>

#include "index/postings_format.h"
#include "index/postings_reader.h"

namespace {

using spanlake::index::PostingsReader;
using spanlake::index::Token;

void CheckBounds(const spanlake::Result<Roaring>& docs, const PostingsReader& r) {
  if (docs.ok() && !docs->isEmpty() && docs->maximum() >= r.doc_limit()) __builtin_trap();
}

void Exercise(std::string_view bytes) {
  spanlake::Result<PostingsReader> r = PostingsReader::Open(bytes);
  if (!r.ok()) return;
  (void)r->Verify();
  // Terms the reader itself lists, plus ones that are likely absent.
  spanlake::Result<std::vector<std::string>> terms = r->TermsWithPrefix("", 8);
  std::vector<std::string> probe = {"a", "span", "zzz", "\xff"};
  if (terms.ok()) probe.insert(probe.end(), terms->begin(), terms->end());
  for (const std::string& t : probe) {
    CheckBounds(r->Docs(t), *r);
    if (!r->fields().empty()) CheckBounds(r->Docs(t, r->fields()[0]), *r);
  }
  if (probe.size() >= 6) {
    std::vector<Token> phrase = {{probe[4], 0, 0, 0, {}}, {probe[5], 1, 0, 0, {}}};
    CheckBounds(r->Phrase(phrase), *r);
    phrase.push_back({probe[4], 2, 0, 0, {}});
    CheckBounds(r->Phrase(phrase), *r);
  }
  (void)r->TermsWithPrefix(probe.back().substr(0, 1), 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Exercise(bytes);
  if (size >= spanlake::index::format::kFooterSize) {
    spanlake::index::format::RewriteChecksum(&bytes);
    Exercise(bytes);
  }
  return 0;
}
