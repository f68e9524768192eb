#include "io/faulty_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "io/mem_store.h"

namespace spanlake::io {
namespace {

class FaultyStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemObjectStore> inner_ = std::make_shared<MemObjectStore>();
  FaultyObjectStore store_{inner_};
};

TEST_F(FaultyStoreTest, FailsExactlyTheNthMatchingPut) {
  store_.AddRule(FaultRule::FailNth(kWriteOps, "seg/", 3));
  EXPECT_TRUE(store_.Put("seg/1", "a").ok());
  EXPECT_TRUE(store_.Put("other/1", "a").ok());  // another prefix: not counted
  EXPECT_TRUE(store_.PutIfAbsent("seg/2", "b").ok());
  Status third = store_.Put("seg/3", "c");
  EXPECT_EQ(third.code(), Code::kIOError);
  EXPECT_TRUE(store_.Put("seg/4", "d").ok());
  EXPECT_EQ(inner_->Get("seg/3").status().code(), Code::kNotFound);  // never reached the store
  EXPECT_EQ(inner_->List("seg/").value().size(), 3u);
  EXPECT_EQ(store_.faults_injected(), 1);
}

TEST_F(FaultyStoreTest, FailFromIsADeadDiskWithTheChosenError) {
  FaultRule rule = FaultRule::FailFrom(kAllOps, "", 2);
  rule.error = Status::Unavailable("disk gone");
  store_.AddRule(rule);
  EXPECT_TRUE(store_.Put("a", "1").ok());
  EXPECT_EQ(store_.Get("a").status().code(), Code::kUnavailable);
  EXPECT_EQ(store_.List("").status().code(), Code::kUnavailable);
  EXPECT_EQ(store_.Delete("a").code(), Code::kUnavailable);
  EXPECT_EQ(store_.Size("a").status().code(), Code::kUnavailable);
  EXPECT_EQ(store_.GetRange("a", 0, 1).status().code(), Code::kUnavailable);
  store_.ClearRules();
  EXPECT_EQ(store_.Get("a").value(), "1");
}

TEST_F(FaultyStoreTest, TearWritesAPrefixThenFails) {
  store_.AddRule(FaultRule::TearNext("wal/", 4));
  Status torn = store_.Put("wal/000001", "0123456789");
  EXPECT_EQ(torn.code(), Code::kIOError);
  EXPECT_NE(torn.message().find("torn"), std::string::npos);
  EXPECT_EQ(inner_->Get("wal/000001").value(), "0123");
  EXPECT_TRUE(store_.Put("wal/000002", "0123456789").ok());  // only the next one tears
  EXPECT_EQ(inner_->Get("wal/000002").value(), "0123456789");
}

TEST_F(FaultyStoreTest, TearOfAConditionalPutLeavesATornObject) {
  store_.AddRule(FaultRule::TearNext("", 100));  // longer than the bytes: all land, still fails
  EXPECT_EQ(store_.PutIfAbsent("m", "abc").code(), Code::kIOError);
  EXPECT_EQ(inner_->Get("m").value(), "abc");
}

TEST_F(FaultyStoreTest, ReadFaultsByOperationOnly) {
  ASSERT_TRUE(store_.Put("k", "v").ok());
  store_.AddRule(FaultRule::FailNth(Ops(StoreOp::kGetRange), "", 1));
  EXPECT_EQ(store_.Get("k").value(), "v");
  EXPECT_EQ(store_.GetRange("k", 0, 1).status().code(), Code::kIOError);
  EXPECT_EQ(store_.GetRange("k", 0, 1).value(), "v");
}

TEST_F(FaultyStoreTest, DelayedCallsStillSucceed) {
  store_.AddRule(FaultRule::DelayAll(kAllOps, "", std::chrono::milliseconds(1)));
  EXPECT_TRUE(store_.Put("k", "v").ok());
  EXPECT_EQ(store_.Get("k").value(), "v");
  EXPECT_EQ(store_.faults_injected(), 0);
}

TEST_F(FaultyStoreTest, RulesApplyInOrderAndBothCount) {
  store_.AddRule(FaultRule::FailNth(kWriteOps, "", 1));
  store_.AddRule(FaultRule::FailNth(kWriteOps, "", 2));
  EXPECT_FALSE(store_.Put("a", "1").ok());  // first rule
  EXPECT_FALSE(store_.Put("b", "2").ok());  // second rule: it counted the first call too
  EXPECT_TRUE(store_.Put("c", "3").ok());
  EXPECT_EQ(store_.faults_injected(), 2);
}

TEST_F(FaultyStoreTest, ExactlyOneOfManyConcurrentPutsFails) {
  store_.AddRule(FaultRule::FailNth(kWriteOps, "", 17));
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if (!store_.Put(std::to_string(t) + "/" + std::to_string(i), "x").ok()) failed++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 1);
  EXPECT_EQ(inner_->List("").value().size(), 39u);
}

TEST_F(FaultyStoreTest, InvalidKeysAreRejectedBeforeRules) {
  store_.AddRule(FaultRule::FailNth(kAllOps, "", 1));
  EXPECT_EQ(store_.Put("../x", "1").code(), Code::kInvalidArgument);
  EXPECT_EQ(store_.faults_injected(), 0);
  EXPECT_FALSE(store_.Put("ok", "1").ok());  // the rule still fires on the first real call
}

}  // namespace
}  // namespace spanlake::io
