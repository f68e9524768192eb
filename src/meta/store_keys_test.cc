// Member keys, key listing and revocation (Store::AddUserApiKey,
// ListApiKeys, DeleteApiKey) and the owner flag of a Principal.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "base/random.h"
#include "gtest/gtest.h"
#include "meta/store.h"

namespace spanlake::meta {
namespace {

class StoreKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meta_keys_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(dir_ + "/meta.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    org_a_ = store_->EnsureOrg("org-a")->id;
    org_b_ = store_->EnsureOrg("org-b")->id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  std::string org_a_;
  std::string org_b_;
};

TEST_F(StoreKeysTest, OwnerAndMemberKeysAuthenticateWithTheirRole) {
  Result<Principal> owner = store_->AddApiKey(org_a_, "sk-owner-key-0000000000", "ops");
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_TRUE(owner->owner);
  const std::string alice = NewUuid();
  Result<Principal> member =
      store_->AddUserApiKey(org_a_, alice, "sk-alice-key-000000000", "laptop");
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  EXPECT_FALSE(member->owner);
  EXPECT_EQ(member->user_id, alice);
  EXPECT_EQ(member->org_id, org_a_);

  Result<Principal> auth_owner = store_->Authenticate("sk-owner-key-0000000000");
  ASSERT_TRUE(auth_owner.ok());
  EXPECT_TRUE(auth_owner->owner);
  Result<Principal> auth_member = store_->Authenticate("sk-alice-key-000000000");
  ASSERT_TRUE(auth_member.ok());
  EXPECT_FALSE(auth_member->owner);
  EXPECT_EQ(auth_member->user_id, alice);
  EXPECT_EQ(auth_member->key_id, member->key_id);

  // A second key of the same member acts as the same user.
  Result<Principal> second = store_->AddUserApiKey(org_a_, alice, "sk-alice-key-111111111", "ci");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->user_id, alice);
}

TEST_F(StoreKeysTest, MemberKeysRefuseOwnerAndForeignUsers) {
  Result<Principal> owner = store_->AddApiKey(org_a_, "sk-owner-key-0000000000", "ops");
  ASSERT_TRUE(owner.ok());
  // The owner user cannot be demoted into a member through a key.
  EXPECT_EQ(store_->AddUserApiKey(org_a_, owner->user_id, "sk-x-000000000000", "x").status().code(),
            Code::kInvalidArgument);
  // A user of org A cannot hold keys of org B.
  const std::string alice = NewUuid();
  ASSERT_TRUE(store_->AddUserApiKey(org_a_, alice, "sk-alice-key-000000000", "x").ok());
  EXPECT_EQ(store_->AddUserApiKey(org_b_, alice, "sk-y-000000000000", "y").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->AddUserApiKey(NewUuid(), NewUuid(), "sk-z-0000000000", "z").status().code(),
            Code::kNotFound);
  EXPECT_EQ(store_->AddUserApiKey(org_a_, "", "sk-z-0000000000", "z").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      store_->AddUserApiKey(org_a_, NewUuid(), "sk-alice-key-000000000", "dup").status().code(),
      Code::kAlreadyExists);
}

TEST_F(StoreKeysTest, ListIsPerOrgOldestFirstWithoutSecrets) {
  const std::string alice = NewUuid();
  ASSERT_TRUE(store_->AddApiKey(org_a_, "sk-owner-key-0000000000", "ops").ok());
  ASSERT_TRUE(store_->AddUserApiKey(org_a_, alice, "sk-alice-key-000000000", "laptop").ok());
  ASSERT_TRUE(store_->AddApiKey(org_b_, "sk-org-b-key-000000000", "b").ok());

  Result<std::vector<ApiKeyInfo>> keys = store_->ListApiKeys(org_a_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].name, "ops");
  EXPECT_TRUE((*keys)[0].owner);
  EXPECT_EQ((*keys)[1].name, "laptop");
  EXPECT_FALSE((*keys)[1].owner);
  EXPECT_EQ((*keys)[1].user_id, alice);
  for (const ApiKeyInfo& k : *keys) {
    EXPECT_EQ(k.org_id, org_a_);
    EXPECT_EQ(k.preview.find("key-0"), std::string::npos) << k.preview;
    EXPECT_FALSE(k.created.empty());
    EXPECT_FALSE(k.id.empty());
  }
  ASSERT_EQ(store_->ListApiKeys(org_b_)->size(), 1u);
  EXPECT_TRUE(store_->ListApiKeys(NewUuid())->empty());
}

TEST_F(StoreKeysTest, DeleteRevokesOnlyWithinTheOrg) {
  Result<Principal> a = store_->AddUserApiKey(org_a_, NewUuid(), "sk-alice-key-000000000", "x");
  ASSERT_TRUE(a.ok());
  // Org B cannot revoke (or learn about) org A's key.
  EXPECT_EQ(store_->DeleteApiKey(org_b_, a->key_id).code(), Code::kNotFound);
  EXPECT_TRUE(store_->Authenticate("sk-alice-key-000000000").ok());

  ASSERT_TRUE(store_->DeleteApiKey(org_a_, a->key_id).ok());
  EXPECT_EQ(store_->Authenticate("sk-alice-key-000000000").status().code(), Code::kUnauthenticated);
  EXPECT_EQ(store_->DeleteApiKey(org_a_, a->key_id).code(), Code::kNotFound);
  EXPECT_TRUE(store_->ListApiKeys(org_a_)->empty());
}

}  // namespace
}  // namespace spanlake::meta
