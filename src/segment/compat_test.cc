// Old formats stay readable: reads the checked-in golden segment
// tests/compat/segment/v1.seg and its corrupted copies. To (re)generate them
// after an intentional format change — which must also bump the format
// version and add v2.seg beside v1.seg, never replace it — run this test
// with SPANLAKE_WRITE_GOLDEN=1.
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/file.h"
#include "io/mem_store.h"
#include "segment/builder.h"
#include "segment/coding.h"
#include "segment/reader.h"

namespace spanlake::segment {
namespace {

const std::string kDir = std::string(SPANLAKE_SOURCE_DIR) + "/tests/compat/segment/";

Version V(uint64_t xact, uint32_t pos, const char* json) {
  return Version{xact, pos, std::make_shared<const json::Object>(json::Value::Parse(json)->as_object())};
}

std::string BuildGolden() {
  Builder b({.block_bytes = 200, .created_ms = 1700000000000});
  EXPECT_TRUE(b.StartContainer("experiment:e1", "org-1", "proj-1").ok());
  EXPECT_TRUE(b.AddRow({"span-2", {1001, 1}, false, "",
                        {V(1001, 1, R"({"id":"span-2","root_span_id":"span-1","span_parents":["span-1"],"input":"日本語のテキスト","metrics":{"tokens":12}})")}})
                  .ok());
  EXPECT_TRUE(b.AddRow({"span-1", {1001, 0}, false, "",
                        {V(1001, 0, R"({"id":"span-1","root_span_id":"span-1","input":"What is the capital of France?","scores":{"accuracy":0.5},"created":"2024-05-01T00:00:00.000Z"})"),
                         V(1002, 0, R"({"id":"span-1","_is_merge":true,"output":"Paris","scores":{"accuracy":1}})")}})
                  .ok());
  EXPECT_TRUE(b.StartContainer("project_logs:p1", "org-1", "").ok());
  EXPECT_TRUE(b.AddRow({"c-1", {1004, 0}, true, "log-1",
                        {V(1004, 0, R"({"id":"c-1","origin":{"id":"log-1"},"comment":{"text":"looks right"}})")}})
                  .ok());
  EXPECT_TRUE(b.AddRow({"log-1", {1003, 0}, false, "",
                        {V(1003, 0, R"({"id":"log-1","project_id":"p1","log_id":"g","input":{"q":"مرحبا"},"span_attributes":{"name":"chat","type":"llm"}})"),
                         V(1005, 0, R"({"id":"log-1","_object_delete":true})")}})
                  .ok());
  return b.Finish().value();
}

// Rewrites the footer's format version (and its checksum), as a newer binary would.
std::string WithVersion(std::string bytes, uint32_t version) {
  size_t f = bytes.size() - kFooterSize;
  std::string v, crc;
  PutFixed32(&v, version);
  bytes.replace(f + 16, 4, v);
  PutFixed32(&crc, MaskedCrc(std::string_view(bytes).substr(f, 20)));
  bytes.replace(f + 20, 4, crc);
  return bytes;
}

std::map<std::string, std::string> Variants(const std::string& good) {
  std::string bad_magic = good, bad_block = good, bad_dir = good;
  bad_magic[good.size() - 1] ^= 0x01;
  bad_block[10] ^= 0x01;  // inside the first (compressed) block
  Footer footer = Footer::Decode(std::string_view(good).substr(good.size() - kFooterSize)).value();
  bad_dir[footer.directory_offset + 6] ^= 0x01;
  return {{"v1.seg", good},
          {"v1-bad-magic.seg", bad_magic},
          {"v1-bad-block.seg", bad_block},
          {"v1-bad-directory.seg", bad_dir},
          {"v1-truncated.seg", good.substr(0, good.size() - 7)},
          {"v1-future-version.seg", WithVersion(good, 2)}};
}

TEST(SegmentCompat, WriteGoldenFilesWhenAsked) {
  if (std::getenv("SPANLAKE_WRITE_GOLDEN") == nullptr) GTEST_SKIP() << "set SPANLAKE_WRITE_GOLDEN=1 to write";
  for (const auto& [name, bytes] : Variants(BuildGolden())) {
    ASSERT_TRUE(WriteFileAtomic(kDir + name, bytes).ok()) << name;
  }
}

std::shared_ptr<Reader> OpenFile(io::MemObjectStore& store, const std::string& name, Status* st) {
  Result<std::string> bytes = ReadFile(kDir + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_TRUE(store.Put("segments/" + name, *bytes).ok());
  auto r = Reader::Open(&store, "segments/" + name, 0, nullptr);
  *st = r.ok() ? (*r)->VerifyAll() : r.status();
  return r.ok() ? *r : nullptr;
}

TEST(SegmentCompat, ReadsTheV1GoldenFile) {
  io::MemObjectStore store;
  Status st;
  std::shared_ptr<Reader> r = OpenFile(store, "v1.seg", &st);
  ASSERT_TRUE(r && st.ok()) << st.ToString();
  EXPECT_EQ(r->meta().created_ms, 1700000000000u);
  EXPECT_EQ(r->meta().row_count, 4u);
  EXPECT_EQ(r->meta().version_count, 6u);
  ASSERT_EQ(r->containers().size(), 2u);
  EXPECT_EQ(r->containers()[1].name, "project_logs:p1");
  int e = r->FindContainer("experiment:e1");
  std::vector<Version> versions;
  ASSERT_TRUE(r->ReadVersions(*r->FindRow(e, "span-1"), &versions).ok());
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1].xact, 1002u);
  EXPECT_EQ(*versions[1].write->find("output"), json::Value("Paris"));
  EXPECT_EQ(r->RowsWithRoot(e, "span-1")->size(), 2u);
  int p = r->FindContainer("project_logs:p1");
  EXPECT_EQ(r->CommentsOf(p, "log-1").size(), 1u);
  EXPECT_TRUE(r->row(*r->FindRow(p, "log-1")).flags & kRowLastDelete);
  ASSERT_NE((*r->Columns())->Find("scores.accuracy"), nullptr);
  // v1 segments predate the column extras: their columns are not exact, so
  // the columnar aggregation decodes their rows and metadata tests do not prune.
  EXPECT_FALSE((*r->Columns())->Find("scores.accuracy")->exact);
  EXPECT_EQ(r->MatchRows(e, "capital of france", std::nullopt)->size(), 1u);
  EXPECT_EQ(r->MatchRows(e, "テキスト", "input")->size(), 1u);
}

TEST(SegmentCompat, RejectsCorruptedCopiesWithAClearError) {
  const std::map<std::string, std::string> want = {
      {"v1-bad-magic.seg", "bad magic"},
      {"v1-bad-block.seg", "block 0"},
      {"v1-bad-directory.seg", "checksum mismatch"},
      {"v1-truncated.seg", "bad magic"},
      {"v1-future-version.seg", "unsupported format version 2"}};
  for (const auto& [name, message] : want) {
    io::MemObjectStore store;
    Status st;
    OpenFile(store, name, &st);
    EXPECT_EQ(st.code(), Code::kCorruption) << name << ": " << st.ToString();
    EXPECT_NE(st.message().find(message), std::string::npos) << name << ": " << st.ToString();
  }
}

}  // namespace
}  // namespace spanlake::segment
