#include "wal/wal.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "base/file.h"
#include "wal/format.h"

namespace spanlake::wal {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/wal_test_XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    root_ = p != nullptr ? p : "/tmp/wal_test_failed";
  }
  ~TempDir() { fs::remove_all(root_); }
  // The WAL lives one level down so that Writer::Open has to create it.
  std::string wal() const { return root_ + "/wal"; }

 private:
  std::string root_;
};

struct Rec {
  uint64_t xact;
  std::string payload;
  bool operator==(const Rec&) const = default;
};

Result<ReplayStats> ReplayAll(const std::string& dir, std::vector<Rec>* out) {
  out->clear();
  return Replay(dir, [out](uint64_t xact, std::string_view payload) {
    out->push_back({xact, std::string(payload)});
    return Status::Ok();
  });
}

std::vector<std::string> WalFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Slurp(const std::string& path) {
  Result<std::string> r = ReadFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

void Spill(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string Payload(uint64_t xact, size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((xact * 131 + i * 7) & 0xFF);
  return s;
}

Options NoSync(size_t max_file_bytes = 64 << 20) {
  Options o;
  o.max_file_bytes = max_file_bytes;
  o.sync = false;
  return o;
}

// Writes `recs` as one batch per record.
void WriteRecords(const std::string& dir, const std::vector<Rec>& recs, Options options) {
  auto w = Writer::Open(dir, std::move(options));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const Rec& r : recs) ASSERT_TRUE((*w)->Sync((*w)->Append(r.xact, r.payload)).ok());
}

std::vector<Rec> MakeRecs(uint64_t first, uint64_t n, size_t size) {
  std::vector<Rec> recs;
  for (uint64_t x = first; x < first + n; ++x) recs.push_back({x, Payload(x, size)});
  return recs;
}

TEST(WalTest, MissingAndEmptyDirectoryAreEmptyLogs) {
  TempDir t;
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->records, 0u);
  ASSERT_TRUE(CreateDirs(t.wal()).ok());
  st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->records, 0u);
  EXPECT_EQ(st->max_xact_id, 0u);
}

TEST(WalTest, RoundTripAcrossFiles) {
  TempDir t;
  std::vector<Rec> want;
  {
    auto w = Writer::Open(t.wal(), NoSync(4096));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    uint64_t ticket = 0;
    for (uint64_t x = 100; x < 400; ++x) {
      size_t size = x % 97 == 0 ? (1 << 20) : x % 5 == 0 ? 0 : (x * 13) % 300;
      want.push_back({x, Payload(x, size)});
      ticket = (*w)->Append(x, want.back().payload);
      if (x % 7 == 0) {
        ASSERT_TRUE((*w)->Sync(ticket).ok());
      }
    }
    ASSERT_TRUE((*w)->Sync(ticket).ok());
    WriterStats s = (*w)->stats();
    EXPECT_EQ(s.records, want.size());
    EXPECT_EQ(s.syncs, 0u);
    EXPECT_GT(s.files_created, 3u);
    EXPECT_EQ(s.files_created, WalFiles(t.wal()).size());
    uint64_t on_disk = 0;
    for (const auto& f : WalFiles(t.wal())) on_disk += fs::file_size(f);
    EXPECT_EQ((*w)->live_bytes(), on_disk);
  }
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->records, want.size());
  EXPECT_EQ(st->max_xact_id, 399u);
  EXPECT_EQ(st->truncated_bytes, 0u);
  EXPECT_TRUE(got == want);
  // Each file is named by the xact id of its first record.
  EXPECT_EQ(fs::path(WalFiles(t.wal()).front()).filename(), "00000000000000000100.wal");
}

TEST(WalTest, ConcurrentAppendsShareSyncs) {
  TempDir t;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  auto w = Writer::Open(t.wal(), Options{.max_file_bytes = 64 << 10});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::mutex xact_mu;  // ids must increase in Append order: allocate and append together
  uint64_t next_xact = 1;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string payload = std::to_string(th) + ":" + std::to_string(i);
        uint64_t ticket;
        {
          std::lock_guard lock(xact_mu);
          ticket = (*w)->Append(next_xact++, payload);
        }
        if (!(*w)->Sync(ticket).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  WriterStats s = (*w)->stats();
  EXPECT_EQ(s.records, uint64_t{kThreads * kPerThread});
  EXPECT_LT(s.syncs, s.records) << "group commit never batched";
  EXPECT_EQ(s.syncs, s.batches);

  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(got.size(), size_t{kThreads * kPerThread});
  std::map<int, int> next_seq;  // per thread: seqs appear once each, in order
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].xact, i + 1);
    int th = 0, seq = 0;
    ASSERT_EQ(std::sscanf(got[i].payload.c_str(), "%d:%d", &th, &seq), 2);
    EXPECT_EQ(seq, next_seq[th]++);
  }
  for (int th = 0; th < kThreads; ++th) EXPECT_EQ(next_seq[th], kPerThread);
}

TEST(WalTest, TornTailAtEveryOffsetIsTruncated) {
  TempDir t;
  std::vector<Rec> recs = MakeRecs(1, 5, 40);
  WriteRecords(t.wal(), recs, NoSync());
  std::string file = WalFiles(t.wal()).back();
  std::string full = Slurp(file);
  size_t last_start = full.size() - format::kRecordHeaderSize - 40;
  std::vector<Rec> want(recs.begin(), recs.end() - 1);
  for (size_t cut = last_start + 1; cut < full.size(); ++cut) {
    Spill(file, full.substr(0, cut));
    std::vector<Rec> got;
    auto st = ReplayAll(t.wal(), &got);
    ASSERT_TRUE(st.ok()) << "cut " << cut << ": " << st.status().ToString();
    EXPECT_EQ(st->truncated_bytes, cut - last_start) << "cut " << cut;
    EXPECT_TRUE(got == want) << "cut " << cut;
    EXPECT_EQ(fs::file_size(file), last_start);
    st = ReplayAll(t.wal(), &got);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->truncated_bytes, 0u);
    EXPECT_TRUE(got == want);
  }
}

TEST(WalTest, CorruptByteInLastRecordIsDroppedAsTornTail) {
  TempDir t;
  std::vector<Rec> recs = MakeRecs(1, 5, 40);
  WriteRecords(t.wal(), recs, NoSync());
  std::string file = WalFiles(t.wal()).back();
  std::string data = Slurp(file);
  data[data.size() - 10] ^= 0x01;
  Spill(file, data);
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->truncated_bytes, format::kRecordHeaderSize + 40);
  EXPECT_TRUE(got == std::vector<Rec>(recs.begin(), recs.end() - 1));
}

TEST(WalTest, ZeroFilledTailIsTorn) {
  TempDir t;
  std::vector<Rec> recs = MakeRecs(1, 3, 10);
  WriteRecords(t.wal(), recs, NoSync());
  std::string file = WalFiles(t.wal()).back();
  Spill(file, Slurp(file) + std::string(100, '\0'));
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->truncated_bytes, 100u);
  EXPECT_TRUE(got == recs);
}

TEST(WalTest, LastFileWithoutRecordsIsRemoved) {
  TempDir t;
  std::vector<Rec> recs = MakeRecs(1, 2, 10);
  WriteRecords(t.wal(), recs, NoSync(1));  // one file per record
  ASSERT_EQ(WalFiles(t.wal()).size(), 2u);
  std::string last = WalFiles(t.wal()).back();
  for (size_t cut : {size_t{0}, size_t{7}, format::kFileHeaderSize, format::kFileHeaderSize + 5}) {
    std::string data = format::EncodeFileHeader(2);
    format::AppendRecord(&data, recs[1].xact, recs[1].payload);
    Spill(last, data.substr(0, cut));
    std::vector<Rec> got;
    auto st = ReplayAll(t.wal(), &got);
    ASSERT_TRUE(st.ok()) << "cut " << cut << ": " << st.status().ToString();
    EXPECT_EQ(st->truncated_bytes, cut);
    EXPECT_TRUE(got == std::vector<Rec>{recs[0]});
    EXPECT_FALSE(FileExists(last)) << "cut " << cut;
  }
}

TEST(WalTest, CorruptionInEarlierFileIsAnError) {
  TempDir t;
  WriteRecords(t.wal(), MakeRecs(1, 4, 30), NoSync(1));
  std::string first = WalFiles(t.wal()).front();
  std::string data = Slurp(first);
  data[data.size() - 3] ^= 0x40;
  Spill(first, data);
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kCorruption);
  EXPECT_NE(st.status().message().find("00000000000000000001.wal"), std::string::npos)
      << st.status().message();
  EXPECT_NE(st.status().message().find("offset 24: checksum mismatch"), std::string::npos)
      << st.status().message();
  EXPECT_EQ(fs::file_size(first), data.size()) << "an earlier file must not be truncated";

  Spill(first, data.substr(0, data.size() - 3));  // a short earlier file is loss too
  st = ReplayAll(t.wal(), &got);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("runs past end of file"), std::string::npos)
      << st.status().message();
}

TEST(WalTest, BadHeadersAreCorruption) {
  struct Case {
    size_t offset;
    char value;
    const char* message;
  };
  for (const Case& c : {Case{0, 'X', "bad magic"}, Case{8, 2, "unsupported WAL format version 2"},
                        Case{12, 9, "file header checksum mismatch"}}) {
    TempDir t;
    WriteRecords(t.wal(), MakeRecs(1, 2, 10), NoSync());
    std::string file = WalFiles(t.wal()).back();
    std::string data = Slurp(file);
    data[c.offset] = c.value;
    Spill(file, data);
    std::vector<Rec> got;
    auto st = ReplayAll(t.wal(), &got);
    ASSERT_FALSE(st.ok()) << c.message;
    EXPECT_EQ(st.status().code(), Code::kCorruption);
    EXPECT_NE(st.status().message().find(c.message), std::string::npos) << st.status().message();
    EXPECT_EQ(Slurp(file), data) << "a bad header is never truncated away";
  }
}

TEST(WalTest, XactIdsOutOfOrderOnDiskAreCorruption) {
  TempDir t;
  ASSERT_TRUE(CreateDirs(t.wal()).ok());
  std::string data = format::EncodeFileHeader(5);
  format::AppendRecord(&data, 5, "a");
  format::AppendRecord(&data, 3, "b");
  Spill(t.wal() + "/" + format::FileName(5), data);
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kCorruption);
  EXPECT_NE(st.status().message().find("xact 3 follows xact 5"), std::string::npos)
      << st.status().message();
}

TEST(WalTest, ReplayStopsOnCallbackError) {
  TempDir t;
  WriteRecords(t.wal(), MakeRecs(1, 5, 10), NoSync());
  int seen = 0;
  auto st = Replay(t.wal(), [&](uint64_t xact, std::string_view) {
    ++seen;
    return xact == 3 ? Status::InvalidArgument("stop here") : Status::Ok();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().message(), "stop here");
  EXPECT_EQ(seen, 3);
}

TEST(WalTest, ReleaseThroughDeletesFullyCoveredClosedFiles) {
  TempDir t;
  auto w = Writer::Open(t.wal(), NoSync(1));  // every batch starts a new file
  ASSERT_TRUE(w.ok());
  auto batch = [&](std::vector<uint64_t> xacts) {
    uint64_t ticket = 0;
    for (uint64_t x : xacts) ticket = (*w)->Append(x, "p");
    ASSERT_TRUE((*w)->Sync(ticket).ok());
  };
  batch({10, 11});
  batch({20, 21});
  batch({30});
  auto names = [&] {
    std::vector<std::string> n;
    for (const auto& f : WalFiles(t.wal())) n.push_back(fs::path(f).stem().string().substr(18));
    return n;
  };
  auto disk_bytes = [&] {
    uint64_t b = 0;
    for (const auto& f : WalFiles(t.wal())) b += fs::file_size(f);
    return b;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(), (V{"10", "20", "30"}));
  ASSERT_TRUE((*w)->ReleaseThrough(10).ok());
  EXPECT_EQ(names(), (V{"10", "20", "30"}));
  ASSERT_TRUE((*w)->ReleaseThrough(11).ok());
  EXPECT_EQ(names(), (V{"20", "30"}));
  EXPECT_EQ((*w)->live_bytes(), disk_bytes());
  ASSERT_TRUE((*w)->ReleaseThrough(25).ok());
  EXPECT_EQ(names(), (V{"30"}));
  ASSERT_TRUE((*w)->ReleaseThrough(1000).ok());
  EXPECT_EQ(names(), (V{"30"})) << "the file being written is never deleted";
  EXPECT_EQ((*w)->live_bytes(), disk_bytes());
  w->reset();

  // A restarted writer bounds the files it found by their successor's name.
  w = Writer::Open(t.wal(), NoSync(1));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->live_bytes(), disk_bytes());
  ASSERT_TRUE((*w)->ReleaseThrough(1000).ok());
  EXPECT_EQ(names(), (V{"30"})) << "no successor yet: its last xact is unknown";
  batch({40});
  ASSERT_TRUE((*w)->ReleaseThrough(38).ok());
  EXPECT_EQ(names(), (V{"30", "40"}));
  ASSERT_TRUE((*w)->ReleaseThrough(39).ok());
  EXPECT_EQ(names(), (V{"40"}));
  EXPECT_EQ((*w)->live_bytes(), disk_bytes());
}

TEST(WalTest, ReopenAfterTornReplayAppendsToNewFile) {
  TempDir t;
  std::vector<Rec> old_recs = MakeRecs(1, 10, 20);
  WriteRecords(t.wal(), old_recs, NoSync());
  std::string file = WalFiles(t.wal()).back();
  Spill(file, Slurp(file) + "\x05\x00\x00garbage");
  std::vector<Rec> got;
  auto st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok());
  EXPECT_GT(st->truncated_bytes, 0u);
  EXPECT_EQ(st->max_xact_id, 10u);

  std::vector<Rec> new_recs = MakeRecs(11, 10, 20);
  WriteRecords(t.wal(), new_recs, Options{});
  EXPECT_EQ(WalFiles(t.wal()).size(), 2u);
  st = ReplayAll(t.wal(), &got);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->truncated_bytes, 0u);
  std::vector<Rec> want = old_recs;
  want.insert(want.end(), new_recs.begin(), new_recs.end());
  EXPECT_TRUE(got == want);
}

TEST(WalTest, DestructorWritesUnsyncedRecords) {
  TempDir t;
  {
    auto w = Writer::Open(t.wal(), Options{});
    ASSERT_TRUE(w.ok());
    (*w)->Append(7, "tail");
  }
  std::vector<Rec> got;
  ASSERT_TRUE(ReplayAll(t.wal(), &got).ok());
  EXPECT_TRUE(got == (std::vector<Rec>{{7, "tail"}}));
}

TEST(WalTest, FailedWriterRefusesLaterSyncsWithTheSameError) {
  TempDir t;
  std::atomic<bool> fail{false};
  Options o;
  o.fault_hook = [&](std::string_view step) {
    return fail && step == "sync" ? Status::IOError("injected fdatasync failure") : Status::Ok();
  };
  auto w = Writer::Open(t.wal(), o);
  ASSERT_TRUE(w.ok());
  uint64_t t1 = (*w)->Append(1, "one");
  ASSERT_TRUE((*w)->Sync(t1).ok());
  fail = true;
  Status st2 = (*w)->Sync((*w)->Append(2, "two"));
  EXPECT_EQ(st2.code(), Code::kIOError);
  EXPECT_EQ(st2.message(), "injected fdatasync failure");
  fail = false;
  Status st3 = (*w)->Sync((*w)->Append(3, "three"));
  EXPECT_EQ(st3.code(), st2.code());
  EXPECT_EQ(st3.message(), st2.message());
  EXPECT_TRUE((*w)->Sync(t1).ok()) << "what was durable stays durable";
  EXPECT_EQ((*w)->stats().records, 1u);
}

TEST(WalTest, FailureCreatingFileFailsWriter) {
  TempDir t;
  Options o;
  o.fault_hook = [](std::string_view step) {
    return step == "create" ? Status::IOError("injected create failure") : Status::Ok();
  };
  auto w = Writer::Open(t.wal(), o);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->Sync((*w)->Append(1, "x")).message(), "injected create failure");
  EXPECT_EQ((*w)->Sync((*w)->Append(2, "y")).message(), "injected create failure");
}

TEST(WalTest, NonIncreasingXactFailsWriter) {
  TempDir t;
  {
    auto w = Writer::Open(t.wal(), NoSync());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Sync((*w)->Append(5, "a")).ok());
    Status st = (*w)->Sync((*w)->Append(5, "b"));
    EXPECT_EQ(st.code(), Code::kInternal);
  }
  // Across a restart the newest file's name is a floor for new ids.
  auto w = Writer::Open(t.wal(), NoSync());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->Sync((*w)->Append(5, "c")).code(), Code::kInternal);
  EXPECT_EQ((*w)->Sync(99).code(), Code::kInternal);  // never issued
}

// Ad-hoc throughput measurement, not an assertion:
//   wal_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
TEST(WalTest, DISABLED_Throughput) {
  TempDir t;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  auto w = Writer::Open(t.wal(), Options{});
  ASSERT_TRUE(w.ok());
  std::mutex mu;
  uint64_t next = 1;
  std::string payload(1024, 'x');
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        uint64_t ticket;
        {
          std::lock_guard lock(mu);
          ticket = (*w)->Append(next++, payload);
        }
        EXPECT_TRUE((*w)->Sync(ticket).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WriterStats s = (*w)->stats();
  std::printf("%llu records in %.2fs = %.0f records/s, %llu fdatasyncs (%.1f records each)\n",
              static_cast<unsigned long long>(s.records), secs, s.records / secs,
              static_cast<unsigned long long>(s.syncs), double(s.records) / s.syncs);
}

}  // namespace
}  // namespace spanlake::wal
