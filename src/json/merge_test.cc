#include "json/merge.h"

#include <gtest/gtest.h>

namespace spanlake::json {
namespace {

Value J(std::string_view text) {
  Result<Value> r = Value::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? std::move(r).value() : Value();
}

// Merges and returns the compact result, so member order is checked too.
std::string Merge(std::string_view target, std::string_view patch,
                  const std::vector<Path>& stop_paths = {}) {
  Value t = J(target);
  DeepMerge(t, J(patch), stop_paths);
  return t.Dump();
}

TEST(DeepMerge, NestedObjectsMerge) {
  EXPECT_EQ(Merge(R"({"a":1,"m":{"x":1,"y":{"p":1}}})", R"({"m":{"y":{"q":2},"z":3},"b":2})"),
            R"({"a":1,"m":{"x":1,"y":{"p":1,"q":2},"z":3},"b":2})");
}

TEST(DeepMerge, ExistingKeysKeepTheirPosition) {
  EXPECT_EQ(Merge(R"({"a":1,"b":2,"c":3})", R"({"c":30,"a":10})"), R"({"a":10,"b":2,"c":30})");
}

TEST(DeepMerge, ArraysReplace) {
  EXPECT_EQ(Merge(R"({"tags":["a","b"],"m":{"xs":[1,2,3]}})", R"({"tags":["c"],"m":{"xs":[]}})"),
            R"({"tags":["c"],"m":{"xs":[]}})");
}

TEST(DeepMerge, ScalarOverObjectReplaces) {
  EXPECT_EQ(Merge(R"({"m":{"x":1}})", R"({"m":5})"), R"({"m":5})");
}

TEST(DeepMerge, ObjectOverScalarReplaces) {
  EXPECT_EQ(Merge(R"({"m":"s"})", R"({"m":{"x":1}})"), R"({"m":{"x":1}})");
  EXPECT_EQ(Merge(R"({"m":[1]})", R"({"m":{"x":1}})"), R"({"m":{"x":1}})");
  EXPECT_EQ(Merge("7", R"({"x":1})"), R"({"x":1})");
}

TEST(DeepMerge, NullInPatchSetsNull) {
  EXPECT_EQ(Merge(R"({"a":1,"m":{"x":1,"y":2}})", R"({"a":null,"m":{"x":null}})"),
            R"({"a":null,"m":{"x":null,"y":2}})");
  EXPECT_EQ(Merge(R"({"m":{"x":1}})", R"({"m":null})"), R"({"m":null})");
  EXPECT_EQ(Merge(R"({})", R"({"n":null})"), R"({"n":null})");
}

TEST(DeepMerge, NewObjectsAreCopiedWhole) {
  EXPECT_EQ(Merge(R"({"a":1})", R"({"m":{"x":{"y":[1]}}})"), R"({"a":1,"m":{"x":{"y":[1]}}})");
}

TEST(DeepMerge, EmptyPatchObjectChangesNothing) {
  EXPECT_EQ(Merge(R"({"a":1,"m":{"x":1}})", R"({"m":{}})"), R"({"a":1,"m":{"x":1}})");
}

TEST(DeepMerge, StopPathAtDepthOne) {
  const std::vector<Path> stops = {{"metadata"}};
  EXPECT_EQ(Merge(R"({"metadata":{"a":1,"b":2},"input":{"x":1}})",
                  R"({"metadata":{"b":3},"input":{"y":2}})", stops),
            R"({"metadata":{"b":3},"input":{"x":1,"y":2}})");
}

TEST(DeepMerge, StopPathAtDepthTwo) {
  const std::vector<Path> stops = {{"a", "b"}};
  EXPECT_EQ(Merge(R"({"a":{"b":{"x":1,"y":2},"c":{"x":1}}})", R"({"a":{"b":{"z":3},"c":{"z":3}}})",
                  stops),
            R"({"a":{"b":{"z":3},"c":{"x":1,"z":3}}})");
  // The same key at another depth still merges.
  EXPECT_EQ(Merge(R"({"b":{"x":1}})", R"({"b":{"y":2}})", stops), R"({"b":{"x":1,"y":2}})");
}

TEST(DeepMerge, SeveralStopPathsAndAbsentTargets) {
  const std::vector<Path> stops = {{"a"}, {"m", "n", "o"}};
  EXPECT_EQ(Merge(R"({"m":{"n":{"o":{"k":1},"p":{"k":1}}}})",
                  R"({"a":{"new":1},"m":{"n":{"o":{"j":2},"p":{"j":2}}}})", stops),
            R"({"m":{"n":{"o":{"j":2},"p":{"k":1,"j":2}}},"a":{"new":1}})");
}

TEST(DeepMerge, EmptyStopPathReplacesTheRoot) {
  EXPECT_EQ(Merge(R"({"a":1,"b":2})", R"({"b":3})", {Path{}}), R"({"b":3})");
}

TEST(DeepMerge, IntoItselfIsANoOp) {
  Value v = J(R"({"a":{"b":1}})");
  DeepMerge(v, v);
  EXPECT_EQ(v.Dump(), R"({"a":{"b":1}})");
}

TEST(ArrayDelete, RemovesEqualElements) {
  Value v = J(R"({"tags":["a","b","a","c"],"other":["a"]})");
  ArrayDelete(v, {"tags"}, Array{"a", "c", "zz"});
  EXPECT_EQ(v.Dump(), R"({"tags":["b"],"other":["a"]})");
}

TEST(ArrayDelete, NestedPathAndNonStringValues) {
  Value v = J(R"({"m":{"xs":[1,2.0,{"k":1},[1],"2",null]}})");
  ArrayDelete(v, {"m", "xs"}, Array{2, Object{{"k", 1.0}}, Value()});
  EXPECT_EQ(v.Dump(), R"({"m":{"xs":[1,[1],"2"]}})");
}

TEST(ArrayDelete, StringValuesLeaveOtherKindsAlone) {
  Value v = J(R"({"xs":["1",1,"x",null]})");
  ArrayDelete(v, {"xs"}, Array{"1", "x"});
  EXPECT_EQ(v.Dump(), R"({"xs":[1,null]})");
}

TEST(ArrayDelete, MissingPathOrNonArrayDoesNothing) {
  Value v = J(R"({"a":{"b":"s"},"xs":[1]})");
  const std::string before = v.Dump();
  ArrayDelete(v, {"nope"}, Array{1});
  ArrayDelete(v, {"a", "b"}, Array{"s"});
  ArrayDelete(v, {"a", "b", "c"}, Array{1});
  ArrayDelete(v, {"xs"}, Array{});
  EXPECT_EQ(v.Dump(), before);
}

TEST(ArrayDelete, EmptyPathMeansTheRoot) {
  Value v = J(R"([1,2,3])");
  ArrayDelete(v, {}, Array{2});
  EXPECT_EQ(v.Dump(), "[1,3]");
}

TEST(UnionInto, KeepsOrderAndAppendsNewValues) {
  Array into{"a", "b"};
  UnionInto(into, Array{"c", "a", "d", "c"});
  EXPECT_EQ(Value(into).Dump(), R"(["a","b","c","d"])");
}

TEST(UnionInto, EmptySides) {
  Array into;
  UnionInto(into, Array{"x", "x"});
  EXPECT_EQ(Value(into).Dump(), R"(["x"])");
  UnionInto(into, Array{});
  EXPECT_EQ(Value(into).Dump(), R"(["x"])");
}

TEST(UnionInto, NonStringElementsAreKeptAsTheyAre) {
  Array into{"a", 1};
  UnionInto(into, Array{1, "a", nullptr, "b"});
  EXPECT_EQ(Value(into).Dump(), R"(["a",1,1,null,"b"])");
}

TEST(UnionInto, ManyLongStrings) {
  // Long strings live on the heap and short ones inline; both must survive
  // the growth of `into`.
  Array into;
  Array from;
  for (int i = 0; i < 200; ++i) {
    into.push_back(std::string(i % 2 ? 40 : 3, 'a') + std::to_string(i));
    from.push_back(std::string(i % 2 ? 40 : 3, 'a') + std::to_string(i + 100));
  }
  UnionInto(into, from);
  EXPECT_EQ(into.size(), 300u);
  EXPECT_EQ(into.back().as_string(), std::string(40, 'a') + "299");
}

TEST(UnionInto, WithItself) {
  Array into{"a", "b"};
  UnionInto(into, into);
  EXPECT_EQ(Value(into).Dump(), R"(["a","b"])");
}

}  // namespace
}  // namespace spanlake::json
