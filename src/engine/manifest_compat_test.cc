// Old manifests stay readable: tests/compat/manifest/v1.manifest is a format
// v1 manifest (written before pending_deletes and min_row_ms existed), and
// the current encoder's v2 round-trips the new fields.
#include <gtest/gtest.h>

#include "base/file.h"
#include "engine/manifest.h"
#include "segment/coding.h"

namespace spanlake::engine {
namespace {

const std::string kDir = std::string(SPANLAKE_SOURCE_DIR) + "/tests/compat/manifest/";

TEST(ManifestCompat, ReadsTheV1GoldenFile) {
  Result<std::string> bytes = ReadFile(kDir + "v1.manifest");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Result<Manifest> m = Manifest::Decode(*bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->seq, 7u);
  EXPECT_EQ(m->wal_high_water, 1000254565468127232u);
  ASSERT_EQ(m->segments.size(), 2u);
  EXPECT_EQ(m->segments[0], (SegmentInfo{"segments/00000000000000000003.seg", 4096, 10, 12, 1000254565468127000u,
                                         1000254565468127100u, {"experiment:e1", "project_logs:p1"}, 0}));
  EXPECT_EQ(m->segments[1].containers, std::vector<std::string>{"dataset:d1"});
  EXPECT_TRUE(m->pending_deletes.empty());
}

TEST(ManifestCompat, V2RoundTripsPendingDeletesAndRowTimes) {
  Manifest m;
  m.seq = 9;
  m.wal_high_water = 5;
  m.segments.push_back(SegmentInfo{"segments/00000000000000000008.seg", 10, 2, 3, 4, 5, {"a"}, 1700000000000});
  m.pending_deletes.push_back(PendingDelete{"segments/00000000000000000003.seg", 1700000600000});
  std::string bytes = m.Encode();
  EXPECT_EQ(segment::DecodeFixed32(bytes.data() + bytes.size() - 16), 2u);  // format version
  Result<Manifest> back = Manifest::Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
}

TEST(ManifestCompat, RejectsAFutureVersionAndBadPendingEntries) {
  Manifest m;
  m.seq = 1;
  std::string bytes = m.Encode();
  std::string future = bytes;
  future[future.size() - 16] = 3;
  EXPECT_EQ(Manifest::Decode(future).status().code(), Code::kCorruption);
  // A pending entry without due_ms: re-frame a hand-made v2 body.
  std::string body = R"({"seq":"1","wal_high_water":"0","segments":[],"pending_deletes":[{"key":"k"}]})";
  std::string framed = body;
  segment::PutFixed32(&framed, static_cast<uint32_t>(body.size()));
  segment::PutFixed32(&framed, 2);
  segment::PutFixed32(&framed, segment::MaskedCrc(body));
  framed.append("SPLKMAN\n");
  Result<Manifest> bad = Manifest::Decode(framed);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("pending_deletes"), std::string::npos);
}

}  // namespace
}  // namespace spanlake::engine
