#include "json/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace spanlake::json {
namespace {

Value MustParse(std::string_view text) {
  Result<Value> r = Value::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? std::move(r).value() : Value();
}

// Parse then dump must give back exactly the (compact) input.
void ExpectRoundTrip(std::string_view text) { EXPECT_EQ(MustParse(text).Dump(), text); }

void ExpectMalformed(std::string_view text) {
  Result<Value> r = Value::Parse(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("malformed JSON: ", 0), 0u) << r.status().message();
}

TEST(JsonParse, Scalars) {
  EXPECT_TRUE(MustParse("null").is_null());
  EXPECT_TRUE(MustParse("true").as_bool());
  EXPECT_FALSE(MustParse("false").as_bool());
  EXPECT_EQ(MustParse("\"hi\"").as_string(), "hi");
  EXPECT_EQ(MustParse(" 42 ").as_int(), 42);
  EXPECT_EQ(MustParse("-7").as_int(), -7);
  EXPECT_DOUBLE_EQ(MustParse("2.5").as_double(), 2.5);
}

TEST(JsonParse, IntegersKeepTheirKind) {
  Value max = MustParse("9223372036854775807");
  ASSERT_TRUE(max.is_int());
  EXPECT_EQ(max.as_int(), std::numeric_limits<int64_t>::max());
  Value min = MustParse("-9223372036854775808");
  ASSERT_TRUE(min.is_int());
  EXPECT_EQ(min.as_int(), std::numeric_limits<int64_t>::min());
  Value above = MustParse("9223372036854775808");
  ASSERT_TRUE(above.is_double());
  EXPECT_EQ(above.as_double(), 9223372036854775808.0);
  EXPECT_TRUE(MustParse("1.0").is_double());
  EXPECT_TRUE(MustParse("1e2").is_double());
}

TEST(JsonParse, IntegersBeyondSixtyFourBitsBecomeDoubles) {
  // JavaScript writes 1e20 this way; simdjson alone rejects it.
  Value v =
      MustParse("[100000000000000000000,-123456789012345678901234,{\"k\":18446744073709551616}]");
  const Array& a = v.as_array();
  ASSERT_EQ(a.size(), 3u);
  ASSERT_TRUE(a[0].is_double());
  EXPECT_EQ(a[0].as_double(), 1e20);
  EXPECT_EQ(a[1].as_double(), -123456789012345678901234.0);
  EXPECT_EQ(a[2].find("k")->as_double(), 18446744073709551616.0);
  // Digits inside strings are left alone.
  Value mixed = MustParse("[\"123456789012345678901234\",\"\\\"1\",100000000000000000000]");
  ASSERT_EQ(mixed.as_array().size(), 3u);
  EXPECT_EQ(mixed.as_array()[0].as_string(), "123456789012345678901234");
  EXPECT_EQ(mixed.as_array()[1].as_string(), "\"1");
  EXPECT_TRUE(mixed.as_array()[2].is_double());
}

TEST(JsonParse, Exponents) {
  EXPECT_EQ(MustParse("1e3").as_double(), 1000.0);
  EXPECT_EQ(MustParse("-2.5E-3").as_double(), -0.0025);
  EXPECT_EQ(MustParse("1E+2").as_double(), 100.0);
}

TEST(JsonParse, UnicodeEscapes) {
  EXPECT_EQ(MustParse("\"\\u00e9\"").as_string(), "\xC3\xA9");
  EXPECT_EQ(MustParse("\"\\ud83d\\ude00\"").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(MustParse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"").as_string(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(MustParse("\"\xE6\x97\xA5\xE6\x9C\xAC\"").as_string(), "\xE6\x97\xA5\xE6\x9C\xAC");
}

TEST(JsonParse, RepeatedKeyKeepsFirstPositionAndLastValue) {
  Value v = MustParse("{\"a\":1,\"b\":2,\"a\":3}");
  EXPECT_EQ(v.Dump(), "{\"a\":3,\"b\":2}");
  // Large objects take the hashed path.
  std::string text = "{";
  for (int i = 0; i < 40; ++i) {
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  }
  text += "\"k5\":\"last\"}";
  Value big = MustParse(text);
  EXPECT_EQ(big.as_object().size(), 40u);
  EXPECT_EQ(big.find("k5")->as_string(), "last");
  EXPECT_EQ(big.as_object().begin()[5].first, "k5");
  EXPECT_EQ(big.as_object().begin()[39].first, "k39");
}

TEST(JsonParse, KeepsObjectOrder) {
  ExpectRoundTrip("{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":{}}}");
}

TEST(JsonRoundTrip, Documents) {
  ExpectRoundTrip("[]");
  ExpectRoundTrip("{}");
  ExpectRoundTrip("[[],{},[{}],\"\"]");
  ExpectRoundTrip("{\"a\":[1,-2,3.5,-0.001,true,false,null],\"b\":\"x\"}");
  ExpectRoundTrip("[9223372036854775807,-9223372036854775808]");
  ExpectRoundTrip("[1e+300,1e-300,0.1,123.456,-1.5e-07]");
  ExpectRoundTrip("\"caf\xC3\xA9 \xF0\x9F\x98\x80 /slash\"");
  ExpectRoundTrip("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\"");
}

TEST(JsonParse, Malformed) {
  ExpectMalformed("");
  ExpectMalformed("   ");
  ExpectMalformed("{");
  ExpectMalformed("[1,]");
  ExpectMalformed("{\"a\" 1}");
  ExpectMalformed("{'a':1}");
  ExpectMalformed("[01]");
  ExpectMalformed("[0123456789012345678901234]");  // still bad after widening
  ExpectMalformed("[1.]");
  ExpectMalformed("nul");
  ExpectMalformed("\"unterminated");
  ExpectMalformed("\"tab\there\"");
  ExpectMalformed("[NaN]");
  ExpectMalformed("[1e999]");
}

TEST(JsonParse, TrailingContentIsAnError) {
  ExpectMalformed("{} {}");
  ExpectMalformed("[1] x");
  ExpectMalformed("1 2");
  ExpectMalformed("null,");
  ExpectMalformed("[100000000000000000000] 1");  // also on the widened retry
  EXPECT_TRUE(Value::Parse("[1] \n\t").ok());
}

TEST(JsonParse, DeepNestingIsAnErrorNotACrash) {
  ExpectMalformed(std::string(10000, '['));
  ExpectMalformed(std::string(10000, '[') + std::string(10000, ']'));
  std::string objects;
  for (int i = 0; i < 5000; ++i) objects += "{\"a\":";
  ExpectMalformed(objects + "1" + std::string(5000, '}'));
  // The limit is 1024 levels.
  EXPECT_TRUE(Value::Parse(std::string(1024, '[') + std::string(1024, ']')).ok());
  Result<Value> r = Value::Parse(std::string(1025, '[') + std::string(1025, ']'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too deep"), std::string::npos) << r.status().message();
}

TEST(JsonParse, InvalidUtf8IsAnError) {
  ExpectMalformed("\"\xFF\"");
  ExpectMalformed("\"\xC3\"");          // truncated sequence
  ExpectMalformed("\"\xC0\xAF\"");      // overlong
  ExpectMalformed("\"\xED\xA0\x80\"");  // encoded surrogate
}

// JSON.stringify writes half an emoji as a lone surrogate escape; such
// escapes decode to U+FFFD instead of failing the whole request.
TEST(JsonParse, LoneSurrogateEscapesBecomeReplacementCharacters) {
  auto v = Value::Parse(R"(["\ud83d", "a\udc00b", "\ud83d\ude00", "\\ud800", "\u00e9\ud800"])");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const Array& a = v->as_array();
  EXPECT_EQ(a[0].as_string(), "\xEF\xBF\xBD");
  EXPECT_EQ(a[1].as_string(), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(a[2].as_string(), "\xF0\x9F\x98\x80");  // a proper pair stays the emoji
  EXPECT_EQ(a[3].as_string(), "\\ud800");            // an escaped backslash, not an escape
  EXPECT_EQ(a[4].as_string(), "\xC3\xA9\xEF\xBF\xBD");
  ExpectMalformed("[\"\\ud800\", tru]");  // still malformed for other reasons
}

TEST(JsonParse, LargeDocumentUsesItsOwnParser) {
  std::string text = "[";
  for (int i = 0; i < 300000; ++i) text += std::to_string(i) + ",";
  text += "\"end\"]";
  ASSERT_GT(text.size(), size_t{1} << 20);
  Value v = MustParse(text);
  ASSERT_EQ(v.as_array().size(), 300001u);
  EXPECT_EQ(v.as_array()[299999].as_int(), 299999);
  EXPECT_EQ(MustParse("[1]").as_array().size(), 1u);  // the thread's parser still works
}

TEST(JsonParse, Reentrant) {
  auto work = [](int id, bool* ok) {
    const std::string text = "{\"id\":" + std::to_string(id) + ",\"xs\":[1,2,3]}";
    for (int i = 0; i < 2000; ++i) {
      Result<Value> r = Value::Parse(text);
      if (!r.ok() || r->find("id")->as_int() != id) {
        *ok = false;
        return;
      }
    }
    *ok = true;
  };
  bool ok1 = false, ok2 = false;
  std::thread t1(work, 1, &ok1), t2(work, 2, &ok2);
  t1.join();
  t2.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
}

TEST(JsonDump, Escapes) {
  Value v(std::string("a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f", 15));
  EXPECT_EQ(v.Dump(), "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Value(std::string("\0", 1)).Dump(), "\"\\u0000\"");
}

TEST(JsonDump, PassesUtf8ThroughAndReplacesInvalidBytes) {
  const std::string text = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  EXPECT_EQ(Value(text).Dump(), "\"" + text + "\"");
  EXPECT_EQ(Value("a\xFF" "b").Dump(), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(Value("\xE2\x82").Dump(), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // truncated at the end
  EXPECT_EQ(Value("\xED\xA0\x80").Dump(), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Value("\xF4\x90\x80\x80").Dump().size(), 2u + 4 * 3);  // above U+10FFFF
  // Whatever goes in, the output parses.
  EXPECT_TRUE(Value::Parse(Value("\xC0\x80\xF8zz\x80").Dump()).ok());
}

TEST(JsonDump, Doubles) {
  EXPECT_EQ(Value(0.1).Dump(), "0.1");
  EXPECT_EQ(Value(1.0).Dump(), "1");  // integral doubles print like ints
  EXPECT_EQ(Value(-0.5).Dump(), "-0.5");
  EXPECT_EQ(Value(1e20).Dump(), "1e+20");
  EXPECT_EQ(Value(std::nan("")).Dump(), "null");
  EXPECT_EQ(Value(std::numeric_limits<double>::infinity()).Dump(), "null");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()).Dump(), "null");
  EXPECT_EQ(Value(Array{1.0 / 3}).Dump(), "[0.3333333333333333]");
}

TEST(JsonDump, DoublesReadBackEqual) {
  const double cases[] = {1.0,    -2.0, 0.1, 1.0 / 3, 5e-324, 1.7976931348623157e308, 1e15,
                          1e19,   std::ldexp(1.0, 70), -std::ldexp(1.0, 66) - 65536.0 * 4096,
                          123.125};
  for (double d : cases) {
    const std::string text = Value(d).Dump();
    Value back = MustParse(text);
    EXPECT_TRUE(back.is_number()) << text;
    EXPECT_EQ(back.as_double(), d) << text;
    EXPECT_EQ(back, Value(d)) << text;
  }
  // The shortest form of 2^70 is 22 digits; it is written in exponent form.
  EXPECT_NE(Value(std::ldexp(1.0, 70)).Dump().find('e'), std::string::npos);
}

TEST(JsonDump, Integers) {
  EXPECT_EQ(Value(0).Dump(), "0");
  EXPECT_EQ(Value(std::numeric_limits<int64_t>::min()).Dump(), "-9223372036854775808");
  std::string out = "x";
  Value(Array{1, "a", nullptr}).DumpTo(out);
  EXPECT_EQ(out, "x[1,\"a\",null]");
}

TEST(JsonDump, ObjectDumpToMatchesValue) {
  Object o{{"b", 1}, {"a", Object{{"x", Array{"q\"", 2.5}}}}, {"c", nullptr}};
  std::string out = "x";
  o.DumpTo(out);
  EXPECT_EQ(out, "x" + Value(o).Dump());
  EXPECT_EQ(out, "x{\"b\":1,\"a\":{\"x\":[\"q\\\"\",2.5]},\"c\":null}");
}

TEST(JsonValue, Uint64) {
  EXPECT_TRUE(Value(uint64_t{5}).is_int());
  EXPECT_EQ(Value(uint64_t{9223372036854775807ull}).as_int(), std::numeric_limits<int64_t>::max());
  Value big(uint64_t{18446744073709551615ull});
  ASSERT_TRUE(big.is_double());
  EXPECT_EQ(big.as_double(), 18446744073709551616.0);
}

TEST(JsonValue, Types) {
  EXPECT_EQ(Value().type(), Type::kNull);
  EXPECT_EQ(Value(nullptr).type(), Type::kNull);
  EXPECT_EQ(Value(true).type(), Type::kBool);
  EXPECT_EQ(Value(3).type(), Type::kInt);
  EXPECT_EQ(Value(3.0).type(), Type::kDouble);
  EXPECT_EQ(Value("s").type(), Type::kString);
  EXPECT_EQ(Value(std::string_view("s")).type(), Type::kString);
  EXPECT_EQ(Value(Array{}).type(), Type::kArray);
  EXPECT_EQ(Value(Object{}).type(), Type::kObject);
  EXPECT_EQ(Value(3).as_double(), 3.0);
}

TEST(JsonEquality, Numbers) {
  EXPECT_EQ(Value(1), Value(1.0));
  EXPECT_EQ(Value(1.0), Value(1));
  EXPECT_NE(Value(1), Value(1.5));
  EXPECT_NE(Value(1), Value(2));
  // 2^53 + 1 converts to the double 2^53 but is not equal to it.
  const int64_t odd = (int64_t{1} << 53) + 1;
  EXPECT_NE(Value(odd), Value(static_cast<double>(odd)));
  EXPECT_EQ(Value(int64_t{1} << 53), Value(std::ldexp(1.0, 53)));
  EXPECT_NE(Value(std::numeric_limits<int64_t>::max()), Value(9223372036854775808.0));
  EXPECT_NE(Value(0), Value(std::nan("")));
  EXPECT_EQ(Value(0), Value(-0.0));
}

TEST(JsonEquality, Kinds) {
  EXPECT_EQ(Value(), Value(nullptr));
  EXPECT_NE(Value(), Value(false));
  EXPECT_NE(Value(0), Value(false));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_NE(Value(Array{}), Value(Object{}));
  EXPECT_EQ(Value(Array{1, "a"}), Value(Array{1.0, "a"}));
  EXPECT_NE(Value(Array{1, 2}), Value(Array{2, 1}));  // arrays are ordered
  EXPECT_NE(Value(Array{1}), Value(Array{1, 1}));
}

TEST(JsonEquality, ObjectsIgnoreOrderAndCompareDeeply) {
  Value a = MustParse("{\"x\":1,\"y\":{\"p\":[1,{\"q\":2}],\"r\":null}}");
  Value b = MustParse("{\"y\":{\"r\":null,\"p\":[1.0,{\"q\":2}]},\"x\":1}");
  EXPECT_EQ(a, b);
  Value c = MustParse("{\"y\":{\"r\":null,\"p\":[1,{\"q\":3}]},\"x\":1}");
  EXPECT_NE(a, c);
  EXPECT_NE(MustParse("{\"a\":1}"), MustParse("{\"a\":1,\"b\":2}"));
  EXPECT_NE(MustParse("{\"a\":1,\"b\":2}"), MustParse("{\"a\":1,\"c\":2}"));
  EXPECT_NE(MustParse("{\"a\":null}"), MustParse("{}"));
}

TEST(JsonObject, SetReplacesInPlace) {
  Object o{{"a", 1}, {"b", 2}, {"c", 3}};
  o.set("b", "two");
  o.set("d", 4);
  EXPECT_EQ(Value(o).Dump(), "{\"a\":1,\"b\":\"two\",\"c\":3,\"d\":4}");
}

TEST(JsonObject, IndexAppendsNullWhenAbsent) {
  Object o{{"a", 1}};
  EXPECT_EQ(o["a"].as_int(), 1);
  EXPECT_EQ(o.size(), 1u);
  EXPECT_TRUE(o["b"].is_null());
  EXPECT_EQ(o.size(), 2u);
  o["c"] = Array{true};
  EXPECT_EQ(Value(o).Dump(), "{\"a\":1,\"b\":null,\"c\":[true]}");
}

TEST(JsonObject, FindContainsErase) {
  Object o{{"a", 1}, {"b", 2}};
  EXPECT_TRUE(o.contains("a"));
  EXPECT_FALSE(o.contains("z"));
  EXPECT_EQ(o.find("z"), nullptr);
  *o.find("a") = 10;
  EXPECT_EQ(o.find("a")->as_int(), 10);
  EXPECT_TRUE(o.erase("a"));
  EXPECT_FALSE(o.erase("a"));
  EXPECT_EQ(Value(o).Dump(), "{\"b\":2}");
  EXPECT_FALSE(Object{}.contains(""));
}

TEST(JsonObject, InitializerListKeepsKeysUnique) {
  Object o{{"a", 1}, {"b", 2}, {"a", 3}};
  EXPECT_EQ(o.size(), 2u);
  EXPECT_EQ(Value(o).Dump(), "{\"a\":3,\"b\":2}");
}

TEST(JsonValue, FindAndFindPath) {
  Value v = MustParse("{\"a\":{\"b\":{\"c\":5}},\"s\":\"x\"}");
  EXPECT_EQ(v.find_path({"a", "b", "c"})->as_int(), 5);
  EXPECT_EQ(v.find_path({}), &v);
  EXPECT_EQ(v.find_path({"a", "x"}), nullptr);
  EXPECT_EQ(v.find_path({"s", "b"}), nullptr);  // through a non-object
  EXPECT_EQ(Value(3).find("a"), nullptr);
  v.find("s")->as_string() = "y";
  EXPECT_EQ(v.find("s")->as_string(), "y");
}

}  // namespace
}  // namespace spanlake::json
