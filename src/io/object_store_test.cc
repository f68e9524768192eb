// The ObjectStore conformance suite: every contract in object_store.h, run
// against each backend of store_harness.h (S3 too when a server is given).
#include "io/object_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "io/store_harness.h"

namespace spanlake::io {
namespace {

using testing::Backend;

std::string Pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

#define ASSERT_OK(expr)                                        \
  do {                                                         \
    ::spanlake::Status _st = (expr);                           \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString();  \
  } while (0)

// The value, or a failure that names the error (instead of a bad_variant_access).
template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T();
}

std::vector<std::string> Keys(const std::vector<ObjectInfo>& infos) {
  std::vector<std::string> out;
  for (const auto& i : infos) out.push_back(i.key);
  return out;
}

class ObjectStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    store_ = harness_->store();
    ASSERT_NE(store_, nullptr) << "backend " << GetParam().name << " did not open";
  }

  std::unique_ptr<testing::StoreHarness> harness_;
  ObjectStore* store_ = nullptr;
};

TEST_P(ObjectStoreTest, RoundTripsBinaryAndEmptyObjects) {
  std::string bytes = Pattern(70'000, 1);
  bytes[5] = '\0';
  ASSERT_OK(store_->Put("seg/one.bin", bytes));
  ASSERT_OK(store_->Put("empty", ""));
  auto got = store_->Get("seg/one.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, bytes);
  auto empty = store_->Get("empty");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "");
  EXPECT_EQ(Must(store_->Size("seg/one.bin")), 70'000u);
  EXPECT_EQ(Must(store_->Size("empty")), 0u);
}

TEST_P(ObjectStoreTest, PutReplacesTheWholeObject) {
  ASSERT_OK(store_->Put("k", "a much longer first version"));
  ASSERT_OK(store_->Put("k", "short"));
  EXPECT_EQ(Must(store_->Get("k")), "short");
  EXPECT_EQ(Must(store_->Size("k")), 5u);
}

TEST_P(ObjectStoreTest, MissingKeysAreNotFound) {
  EXPECT_EQ(store_->Get("nope/x").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetRange("nope/x", 0, 10).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetRange("nope/x", 0, 0).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Size("nope/x").status().code(), Code::kNotFound);
  ASSERT_OK(store_->Put("dir/child", "x"));
  EXPECT_EQ(store_->Get("dir").status().code(), Code::kNotFound);  // a prefix is not an object
  EXPECT_EQ(store_->Size("dir").status().code(), Code::kNotFound);
}

TEST_P(ObjectStoreTest, PutIfAbsentCreatesOnlyOnce) {
  if (!harness_->conditional_create()) GTEST_SKIP() << "server ignores If-None-Match";
  ASSERT_OK(store_->PutIfAbsent("manifest/000001", "first"));
  Status again = store_->PutIfAbsent("manifest/000001", "second");
  EXPECT_EQ(again.code(), Code::kAlreadyExists) << again.ToString();
  EXPECT_EQ(Must(store_->Get("manifest/000001")), "first");
  ASSERT_OK(store_->Delete("manifest/000001"));
  EXPECT_TRUE(store_->PutIfAbsent("manifest/000001", "third").ok());
  EXPECT_EQ(Must(store_->Get("manifest/000001")), "third");
}

TEST_P(ObjectStoreTest, GetRangeFollowsTheContract) {
  ASSERT_OK(store_->Put("r", "0123456789"));
  EXPECT_EQ(Must(store_->GetRange("r", 0, 4)), "0123");
  EXPECT_EQ(Must(store_->GetRange("r", 3, 4)), "3456");
  EXPECT_EQ(Must(store_->GetRange("r", 8, 100)), "89");         // short at the end
  EXPECT_EQ(Must(store_->GetRange("r", 2, UINT64_MAX)), "23456789");
  EXPECT_EQ(Must(store_->GetRange("r", 10, 5)), "");            // offset == size
  EXPECT_EQ(Must(store_->GetRange("r", 4, 0)), "");
  EXPECT_EQ(store_->GetRange("r", 11, 5).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->GetRange("r", 11, 0).status().code(), Code::kInvalidArgument);
}

TEST_P(ObjectStoreTest, GetRangeOfAnEmptyObject) {
  if (!harness_->ranges_on_empty_objects()) GTEST_SKIP() << "server mishandles this range";
  ASSERT_OK(store_->Put("e", ""));
  EXPECT_EQ(Must(store_->GetRange("e", 0, 10)), "");
  EXPECT_EQ(Must(store_->GetRange("e", 0, 0)), "");
  EXPECT_EQ(store_->GetRange("e", 1, 10).status().code(), Code::kInvalidArgument);
}

TEST_P(ObjectStoreTest, ListsByStringPrefixSortedWithSizes) {
  for (std::string key : {"b/c/d", "a/2", "ab", "a/1", "a/10/x"}) {
    ASSERT_OK(store_->Put(key, key + "!"));
  }
  auto all = store_->List("");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Keys(*all), (std::vector<std::string>{"a/1", "a/10/x", "a/2", "ab", "b/c/d"}));
  EXPECT_EQ((*all)[1], (ObjectInfo{"a/10/x", 7}));
  EXPECT_EQ(Keys(Must(store_->List("a/"))), (std::vector<std::string>{"a/1", "a/10/x", "a/2"}));
  EXPECT_EQ(Keys(Must(store_->List("a"))),
            (std::vector<std::string>{"a/1", "a/10/x", "a/2", "ab"}));
  EXPECT_EQ(Keys(Must(store_->List("a/1"))), (std::vector<std::string>{"a/1", "a/10/x"}));
  EXPECT_EQ(Keys(Must(store_->List("b/c/d"))), (std::vector<std::string>{"b/c/d"}));
  EXPECT_TRUE(Must(store_->List("zzz/")).empty());
  EXPECT_TRUE(Must(store_->List("b/c/d/e")).empty());
}

TEST_P(ObjectStoreTest, ListsManyKeysAcrossPages) {
  std::vector<std::string> want;
  for (int i = 0; i < 25; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "wal/%06d.log", i);
    want.push_back(key);
    ASSERT_OK(store_->Put(key, std::string(static_cast<size_t>(i), 'w')));
  }
  auto listed = store_->List("wal/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(Keys(*listed), want);
  EXPECT_EQ(listed->back().size, 24u);
}

TEST_P(ObjectStoreTest, DeleteRemovesAndIsIdempotent) {
  ASSERT_OK(store_->Put("d/x", "1"));
  ASSERT_OK(store_->Put("d/y", "2"));
  ASSERT_OK(store_->Delete("d/x"));
  EXPECT_EQ(store_->Get("d/x").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->Delete("d/x").ok());
  EXPECT_TRUE(store_->Delete("never/was").ok());
  EXPECT_EQ(Keys(Must(store_->List("d/"))), std::vector<std::string>{"d/y"});
}

TEST_P(ObjectStoreTest, RejectsInvalidKeysOnEveryOperation) {
  const std::vector<std::string> bad_keys = {"",      "/abs",     "trail/",   "a//b",
                                             "../up", "a/../b",   "a/./b",    ".hidden",
                                             "a/.tmp/x", "ctl\nx", std::string(1025, 'k')};
  for (const std::string& bad : bad_keys) {
    EXPECT_EQ(store_->Put(bad, "x").code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(store_->PutIfAbsent(bad, "x").code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(store_->Get(bad).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(store_->GetRange(bad, 0, 1).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(store_->Size(bad).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(store_->Delete(bad).code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(store_->List("/x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->List("../").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(store_->List("ok/").ok());
}

TEST_P(ObjectStoreTest, KeysWithCharactersThatNeedEncoding) {
  const std::string key = "dir with space/\xc3\xbc+%&=?#;,$@!'()*~[]{}.bin";
  ASSERT_OK(store_->Put(key, "enc"));
  EXPECT_EQ(Must(store_->Get(key)), "enc");
  EXPECT_EQ(Must(store_->GetRange(key, 1, 1)), "n");
  EXPECT_EQ(Keys(Must(store_->List("dir with space/"))), std::vector<std::string>{key});
  EXPECT_TRUE(store_->Delete(key).ok());
  EXPECT_EQ(store_->Size(key).status().code(), Code::kNotFound);
}

TEST_P(ObjectStoreTest, ConcurrentPutsAndExactlyOneConditionalWinner) {
  constexpr int kThreads = 6;
  std::atomic<int> winners{0}, losers{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string key = "c/" + std::to_string(t) + "/" + std::to_string(i);
        if (!store_->Put(key, Pattern(1000, t * 10 + i)).ok()) failures++;
      }
      Status st = store_->PutIfAbsent("c/lock", "owner " + std::to_string(t));
      (st.ok() ? winners : st.code() == Code::kAlreadyExists ? losers : failures)++;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Must(store_->List("c/")).size(), kThreads * 5u + 1);
  EXPECT_EQ(Must(store_->Get("c/3/4")), Pattern(1000, 34));
  if (harness_->conditional_create()) {
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(losers.load(), kThreads - 1);
  }
}

TEST_P(ObjectStoreTest, LargeObjectsRoundTrip) {
  // Over 10 MiB: three parts on the S3 backend (5 MiB parts in the harness).
  const std::string big = Pattern((size_t{11} << 20) + 17, 7);
  ASSERT_OK(store_->Put("big/segment", big));
  EXPECT_EQ(Must(store_->Size("big/segment")), big.size());
  auto got = store_->Get("big/segment");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == big);
  EXPECT_EQ(Must(store_->GetRange("big/segment", (size_t{5} << 20) - 3, 6)),
            big.substr((size_t{5} << 20) - 3, 6));
  if (harness_->conditional_create()) {
    EXPECT_EQ(store_->PutIfAbsent("big/segment", big).code(), Code::kAlreadyExists);
    ASSERT_OK(store_->PutIfAbsent("big/other", big));
    EXPECT_EQ(Must(store_->Size("big/other")), big.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreTest,
                         ::testing::ValuesIn(testing::ConformanceBackends()),
                         [](const auto& info) { return info.param.name; });

TEST(S3Backend, RequiredWhenAsked) {
  const char* require = std::getenv("SPANLAKE_REQUIRE_S3");
  if (testing::S3Configured()) return;  // the S3 backend is in the suite above
  if (require != nullptr && std::string(require) == "1") {
    FAIL() << "SPANLAKE_REQUIRE_S3=1 but SPANLAKE_TEST_S3_ENDPOINT is not set";
  }
  GTEST_SKIP() << "no S3 server (set SPANLAKE_TEST_S3_ENDPOINT; see tests/s3/start-s3.sh)";
}

}  // namespace
}  // namespace spanlake::io
