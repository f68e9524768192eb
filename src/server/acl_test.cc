#include "server/acl.h"

#include "gtest/gtest.h"

namespace spanlake::server::acl {
namespace {

const std::string kOrg = "org";
const std::string kUser = "alice";

Grant UserGrant(ObjectRef on, Permission p, std::string restrict = "") {
  return Grant{std::move(on), kUser, "", p, "", std::move(restrict)};
}

Target Experiment(const std::string& project, const std::string& id) {
  return InProjectTarget(kOrg, project, "experiment", id);
}

TEST(AclTest, PermissionNamesRoundTrip) {
  for (Permission p : kAllPermissions) EXPECT_EQ(ParsePermission(Name(p)), p);
  EXPECT_FALSE(ParsePermission("fly"));
  EXPECT_TRUE(IsObjectType("project_log"));
  EXPECT_FALSE(IsObjectType("function"));
}

TEST(AclTest, NoGrantsNoPermission) {
  Facts facts;
  for (Permission p : kAllPermissions)
    EXPECT_FALSE(Decide(kUser, p, Experiment("p1", "e1"), facts));
}

TEST(AclTest, GrantsInheritDownTheChainNotUpOrSideways) {
  Facts facts;
  facts.grants.push_back(UserGrant({"project", "p1"}, Permission::kRead));
  EXPECT_TRUE(Decide(kUser, Permission::kRead, Experiment("p1", "e1"), facts));
  EXPECT_TRUE(Decide(kUser, Permission::kRead, ProjectTarget(kOrg, "p1"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kUpdate, Experiment("p1", "e1"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kRead, Experiment("p2", "e2"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kRead, OrgTarget(kOrg), facts));

  Facts org_wide;
  org_wide.grants.push_back(UserGrant({"organization", kOrg}, Permission::kUpdate));
  EXPECT_TRUE(Decide(kUser, Permission::kUpdate, Experiment("p9", "e9"), org_wide));
  EXPECT_TRUE(Decide(kUser, Permission::kUpdate, OrgTarget(kOrg, "group"), org_wide));

  Facts object_only;
  object_only.grants.push_back(UserGrant({"experiment", "e1"}, Permission::kDelete));
  EXPECT_TRUE(Decide(kUser, Permission::kDelete, Experiment("p1", "e1"), object_only));
  EXPECT_FALSE(Decide(kUser, Permission::kDelete, Experiment("p1", "e2"), object_only));
  EXPECT_FALSE(Decide(kUser, Permission::kDelete, ProjectTarget(kOrg, "p1"), object_only));
}

TEST(AclTest, GrantsAreMatchedByTypeAndId) {
  // A grant on project_log P covers the logs of P, not the project P itself.
  Facts facts;
  facts.grants.push_back(UserGrant({"project_log", "p1"}, Permission::kRead));
  Target logs = InProjectTarget(kOrg, "p1", "project_log", "p1");
  EXPECT_TRUE(Decide(kUser, Permission::kRead, logs, facts));
  EXPECT_FALSE(Decide(kUser, Permission::kRead, ProjectTarget(kOrg, "p1"), facts));
}

TEST(AclTest, RestrictObjectTypeNarrowsAGrant) {
  Facts facts;
  facts.grants.push_back(UserGrant({"project", "p1"}, Permission::kRead, "dataset"));
  EXPECT_TRUE(
      Decide(kUser, Permission::kRead, InProjectTarget(kOrg, "p1", "dataset", "d1"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kRead, Experiment("p1", "e1"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kRead, ProjectTarget(kOrg, "p1"), facts));
}

TEST(AclTest, RolesAndInheritedRolesWithTheirOwnRestrictions) {
  Facts facts;
  facts.roles["viewer"] = Role{{{Permission::kRead, ""}}, {}};
  facts.roles["editor"] = Role{{{Permission::kUpdate, "experiment"}}, {"viewer"}};
  facts.grants.push_back(Grant{{"project", "p1"}, kUser, "", std::nullopt, "editor", ""});
  EXPECT_TRUE(Decide(kUser, Permission::kRead, Experiment("p1", "e1"), facts));    // inherited
  EXPECT_TRUE(Decide(kUser, Permission::kUpdate, Experiment("p1", "e1"), facts));  // own
  EXPECT_FALSE(
      Decide(kUser, Permission::kUpdate, InProjectTarget(kOrg, "p1", "dataset", "d"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kDelete, Experiment("p1", "e1"), facts));

  // A grant naming a deleted role grants nothing; a cycle terminates.
  Facts broken;
  broken.grants.push_back(Grant{{"project", "p1"}, kUser, "", std::nullopt, "gone", ""});
  broken.roles["a"] = Role{{}, {"b"}};
  broken.roles["b"] = Role{{}, {"a"}};
  broken.grants.push_back(Grant{{"project", "p1"}, kUser, "", std::nullopt, "a", ""});
  EXPECT_FALSE(Decide(kUser, Permission::kRead, Experiment("p1", "e1"), broken));
}

TEST(AclTest, GroupsAndNestedGroups) {
  Facts facts;
  facts.groups["team"] = Group{{kUser}, {}};
  facts.groups["dept"] = Group{{}, {"team"}};
  facts.groups["other"] = Group{{"bob"}, {}};
  EXPECT_EQ(GroupsOf(kUser, facts.groups), (std::set<std::string>{"team", "dept"}));
  facts.grants.push_back(Grant{{"project", "p1"}, "", "dept", Permission::kRead, "", ""});
  facts.grants.push_back(Grant{{"project", "p2"}, "", "other", Permission::kRead, "", ""});
  EXPECT_TRUE(Decide(kUser, Permission::kRead, Experiment("p1", "e1"), facts));
  EXPECT_FALSE(Decide(kUser, Permission::kRead, Experiment("p2", "e2"), facts));
  // Another user's grant is not mine.
  facts.grants.push_back(Grant{{"project", "p3"}, "bob", "", Permission::kRead, "", ""});
  EXPECT_FALSE(Decide(kUser, Permission::kRead, Experiment("p3", "e3"), facts));

  // Group cycles terminate.
  Facts cyclic;
  cyclic.groups["x"] = Group{{}, {"y"}};
  cyclic.groups["y"] = Group{{}, {"x"}};
  EXPECT_TRUE(GroupsOf(kUser, cyclic.groups).empty());
}

TEST(AclTest, GrantFromDocParsesAndRejectsUnknownPermissions) {
  Result<json::Value> doc = json::Value::Parse(
      R"({"object_type":"project","object_id":"p1","user_id":"u","permission":"read_acls",)"
      R"("restrict_object_type":null,"role_id":null,"group_id":null})");
  ASSERT_TRUE(doc.ok());
  Result<Grant> g = GrantFromDoc(*doc);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->object.type, "project");
  EXPECT_EQ(g->permission, Permission::kReadAcls);
  EXPECT_TRUE(g->restrict_object_type.empty());
  doc->as_object().set("permission", "fly");
  EXPECT_EQ(GrantFromDoc(*doc).status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace spanlake::server::acl
