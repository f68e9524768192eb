// LocalObjectStore beyond the conformance suite: what it leaves on disk,
// reopening, and the OpenObjectStore factory.
#include "io/local_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/file.h"
#include "io/store_harness.h"

namespace spanlake::io {
namespace {

namespace fs = std::filesystem;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { testing::RemoveTree(dir_); }

  size_t TempFiles() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ + "/root/.tmp")) ++n;
    return n;
  }

  std::string dir_;
};

TEST_F(LocalStoreTest, ObjectsAreFilesAndNoTempFilesRemain) {
  auto store = LocalObjectStore::Open(dir_ + "/root/");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->root(), dir_ + "/root");
  ASSERT_TRUE((*store)->Put("segments/1.seg", "abc").ok());
  ASSERT_TRUE((*store)->PutIfAbsent("manifest/1", "m").ok());
  EXPECT_EQ((*store)->PutIfAbsent("manifest/1", "m2").code(), Code::kAlreadyExists);
  EXPECT_EQ(ReadFile(dir_ + "/root/segments/1.seg").value(), "abc");
  EXPECT_EQ(ReadFile(dir_ + "/root/manifest/1").value(), "m");
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LocalStoreTest, ReopenSeesObjectsAndClearsCrashLeftovers) {
  {
    auto store = LocalObjectStore::Open(dir_ + "/root");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Put("a/b", "kept").ok());
  }
  // A put that died between writing its temp file and renaming it.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/root/.tmp/deadbeef", "half").ok());
  auto store = LocalObjectStore::Open(dir_ + "/root");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(TempFiles(), 0u);
  EXPECT_EQ((*store)->Get("a/b").value(), "kept");
  auto listed = (*store)->List("");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);  // neither .tmp nor its contents are objects
}

TEST_F(LocalStoreTest, KeyThatIsAlsoADirectoryFailsCleanly) {
  auto store = LocalObjectStore::Open(dir_ + "/root");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("a/b", "x").ok());
  EXPECT_EQ((*store)->Put("a", "y").code(), Code::kIOError);
  EXPECT_EQ((*store)->Put("a/b/c", "z").code(), Code::kIOError);
  EXPECT_EQ((*store)->Get("a/b").value(), "x");
  EXPECT_TRUE((*store)->Delete("a").ok());  // not an object: nothing to delete
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LocalStoreTest, OpenObjectStoreChoosesTheBackend) {
  auto mem = OpenObjectStore("mem:");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ((*mem)->Describe(), "mem:");

  for (std::string loc : {dir_ + "/plain", "file:" + dir_ + "/f1", "file://" + dir_ + "/f2"}) {
    auto local = OpenObjectStore(loc);
    ASSERT_TRUE(local.ok()) << loc << ": " << local.status().ToString();
    ASSERT_TRUE((*local)->Put("k", "v").ok());
    EXPECT_TRUE((*local)->Describe().starts_with("file:" + dir_)) << (*local)->Describe();
  }
  EXPECT_TRUE(FileExists(dir_ + "/f2/k"));

  EXPECT_EQ(OpenObjectStore("ftp://host/x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenObjectStore("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenObjectStore("s3://").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace spanlake::io
