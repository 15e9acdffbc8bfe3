#include "doc/key_path.h"

#include <cmath>
#include <string>
#include <vector>

#include "doc/key_codec.h"
#include "test_util.h"

namespace flowdb::doc {
namespace {

KeyPath P(std::string_view s) {
  KeyPath kp;
  Status st = KeyPath::Parse(s, &kp);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return kp;
}

KeyPath PA(std::vector<std::string> paths) {
  KeyPath kp;
  Status st = KeyPath::ParseArray(paths, &kp);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return kp;
}

std::string Enc(const Key& k) {
  std::string out;
  EXPECT_TRUE(EncodeKey(k, &out).ok());
  return out;
}

Key Num(double v) { return Key::Number(v); }
Key Str(std::u16string s) { return Key::String(std::move(s)); }
Key Arr(std::vector<Key> e) { return Key::Array(std::move(e)); }

// Extracts one key path from a document.
struct One {
  Status status;
  KeyOutcome outcome = KeyOutcome::kMissing;
  std::vector<std::string> keys;
};

One Extract1(std::string_view json, KeyPath path, bool multi = false) {
  KeyExtractor ex;
  One r;
  r.status = ex.Init({{std::move(path), multi}});
  if (!r.status.ok()) return r;
  ExtractedKeys keys;
  r.status = ex.Extract(json, &keys);
  if (!r.status.ok()) return r;
  r.outcome = keys.outcome(0);
  for (size_t k = 0; k < keys.key_count(0); k++) r.keys.emplace_back(keys.key(0, k));
  return r;
}

// The single key a path yields, or "" with a test failure.
std::string KeyAt(std::string_view json, std::string_view path) {
  One r = Extract1(json, P(path));
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(KeyOutcome::kKey, r.outcome) << json << " @ " << path;
  return r.keys.size() == 1 ? r.keys[0] : std::string();
}

KeyOutcome OutcomeAt(std::string_view json, std::string_view path) {
  One r = Extract1(json, P(path));
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  return r.outcome;
}

TEST(KeyPathTest, ValidKeyPaths) {
  KeyPath kp;
  for (const char* ok : {"", "a", "a.b.c", "$", "_x1", "$a.b_c.D9", "caf\xC3\xA9", "length"}) {
    EXPECT_OK(KeyPath::Parse(ok, &kp));
  }
  for (const char* bad : {".", "a.", ".a", "a..b", "1a", "a.1", "a b", "a-b", "a,b", " a", "a\\u0062"}) {
    Status st = KeyPath::Parse(bad, &kp);
    EXPECT_TRUE(st.IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(KeyPath::ParseArray({}, &kp).IsInvalidArgument());
  EXPECT_TRUE(KeyPath::ParseArray({"a", "b c"}, &kp).IsInvalidArgument());
  ASSERT_OK(KeyPath::ParseArray({"a", "b.c"}, &kp));
  EXPECT_TRUE(kp.is_array());
  EXPECT_EQ(2u, kp.paths().size());
  EXPECT_EQ((std::vector<std::string>{"b", "c"}), kp.steps(1));
}

TEST(KeyPathTest, ScalarsConvertAsIndexedDB) {
  EXPECT_EQ(Enc(Num(42)), KeyAt(R"({"id": 42})", "id"));
  EXPECT_EQ(Enc(Str(u"42")), KeyAt(R"({"id": "42"})", "id"));
  EXPECT_EQ(Enc(Num(30)), KeyAt(R"({"id": 30.0})", "id"));
  EXPECT_EQ(Enc(Num(0)), KeyAt(R"({"id": -0})", "id"));
  EXPECT_EQ(Enc(Num(2.5e-3)), KeyAt(R"({"id": 2.5E-3})", "id"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(R"({"id": true})", "id"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(R"({"id": null})", "id"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(R"({"id": {"x": 1}})", "id"));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(R"({"ID": 1})", "id"));
}

TEST(KeyPathTest, DottedPathsAndMissingSteps) {
  const char* doc = R"({"a": {"b": {"c": "deep"}, "n": 1}, "s": "hey", "arr": [1, 2, 3]})";
  EXPECT_EQ(Enc(Str(u"deep")), KeyAt(doc, "a.b.c"));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(doc, "a.b.x"));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(doc, "a.n.x"));     // steps into a number
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(doc, "s.x"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(doc, "a.b"));       // an object
  // `length` of strings (UTF-16 units) and arrays.
  EXPECT_EQ(Enc(Num(3)), KeyAt(doc, "s.length"));
  EXPECT_EQ(Enc(Num(3)), KeyAt(doc, "arr.length"));
  EXPECT_EQ(Enc(Num(2)), KeyAt(R"({"s": "\ud83d\ude00"})", "s.length"));
  EXPECT_EQ(Enc(Num(2)), KeyAt("{\"s\": \"\xF0\x9F\x98\x80\"}", "s.length"));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(R"({"o": {}})", "o.length"));
  EXPECT_EQ(Enc(Num(7)), KeyAt(R"({"o": {"length": 7}})", "o.length"));
  // The whole value ('').
  EXPECT_EQ(Enc(Num(5)), KeyAt("5", ""));
  EXPECT_EQ(Enc(Str(u"x")), KeyAt(R"("x")", ""));
  EXPECT_EQ(Enc(Num(1)), KeyAt(R"("x")", "length"));
  EXPECT_EQ(Enc(Arr({Num(1), Str(u"a")})), KeyAt(R"([1, "a"])", ""));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt("{}", ""));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt("null", ""));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt("5", "a"));
}

TEST(KeyPathTest, DuplicateNamesTakeTheLastAsJsonParse) {
  EXPECT_EQ(Enc(Num(2)), KeyAt(R"({"id": 1, "id": 2})", "id"));
  EXPECT_EQ(Enc(Num(2)), KeyAt(R"({"a": {"b": 1}, "a": {"b": 2}})", "a.b"));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(R"({"a": {"b": 1}, "a": {"c": 2}})", "a.b"));
  EXPECT_EQ(KeyOutcome::kMissing, OutcomeAt(R"({"a": {"b": 1}, "a": 5})", "a.b"));
  // Escaped names match their unescaped form.
  EXPECT_EQ(Enc(Num(3)), KeyAt(R"({"\u0069d": 3})", "id"));
}

TEST(KeyPathTest, ArraysAreKeysOnlyIfEveryElementIs) {
  EXPECT_EQ(Enc(Arr({Num(1), Arr({Str(u"x"), Num(2)})})), KeyAt(R"({"k": [1, ["x", 2]]})", "k"));
  EXPECT_EQ(Enc(Arr({})), KeyAt(R"({"k": []})", "k"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(R"({"k": [1, null]})", "k"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(R"({"k": [1, [true]]})", "k"));
  EXPECT_EQ(KeyOutcome::kInvalid, OutcomeAt(R"({"k": [{}]})", "k"));
}

TEST(KeyPathTest, CompoundKeyPaths) {
  const char* doc = R"({"last": "Doe", "first": "Jo", "age": 40, "o": {"x": 1}})";
  One r = Extract1(doc, PA({"last", "first", "age"}));
  ASSERT_OK(r.status);
  ASSERT_EQ(KeyOutcome::kKey, r.outcome);
  EXPECT_EQ(Enc(Arr({Str(u"Doe"), Str(u"Jo"), Num(40)})), r.keys.at(0));
  EXPECT_EQ(KeyOutcome::kMissing, Extract1(doc, PA({"last", "middle"})).outcome);
  EXPECT_EQ(KeyOutcome::kInvalid, Extract1(doc, PA({"last", "o"})).outcome);
  // Missing wins over invalid, as the spec evaluates all paths first.
  EXPECT_EQ(KeyOutcome::kMissing, Extract1(doc, PA({"o", "middle"})).outcome);
  // The same path twice, and '' inside a compound key path.
  r = Extract1("[3]", PA({"", "length"}));
  ASSERT_EQ(KeyOutcome::kKey, r.outcome);
  EXPECT_EQ(Enc(Arr({Arr({Num(3)}), Num(1)})), r.keys.at(0));
  r = Extract1(doc, PA({"age", "age"}));
  EXPECT_EQ(Enc(Arr({Num(40), Num(40)})), r.keys.at(0));
}

TEST(KeyPathTest, MultiEntrySkipsInvalidAndRemovesDuplicates) {
  One r = Extract1(R"({"tags": ["b", "a", 1, "b", null, {}, [2], [2], 1.0, [true]]})", P("tags"), true);
  ASSERT_OK(r.status);
  ASSERT_EQ(KeyOutcome::kKey, r.outcome);
  std::vector<std::string> want = {Enc(Num(1)), Enc(Str(u"a")), Enc(Str(u"b")), Enc(Arr({Num(2)}))};
  EXPECT_EQ(want, r.keys);  // distinct, in key order
  r = Extract1(R"({"tags": []})", P("tags"), true);
  EXPECT_EQ(KeyOutcome::kKey, r.outcome);
  EXPECT_TRUE(r.keys.empty());
  r = Extract1(R"({"tags": "solo"})", P("tags"), true);
  EXPECT_EQ(std::vector<std::string>{Enc(Str(u"solo"))}, r.keys);
  EXPECT_EQ(KeyOutcome::kInvalid, Extract1(R"({"tags": null})", P("tags"), true).outcome);
  EXPECT_EQ(KeyOutcome::kMissing, Extract1(R"({})", P("tags"), true).outcome);
  KeyExtractor ex;
  EXPECT_TRUE(ex.Init({{PA({"a", "b"}), true}}).IsInvalidArgument());
}

TEST(KeyPathTest, ManyKeyPathsInOneParse) {
  KeyExtractor ex;
  ASSERT_OK(ex.Init({{P("id"), false},
                     {P("name.last"), false},
                     {PA({"name.last", "name.first"}), false},
                     {P("tags"), true},
                     {P("tags"), false},
                     {P("tags.length"), false},
                     {P("name"), false},
                     {P("nope.x"), false}}));
  const char* doc = R"({"tags": ["x", "y", "x"], "id": 7, "other": [1, {"a": [null]}],
                         "name": {"first": "Ann", "last": "Lee"}})";
  ExtractedKeys keys;
  for (int round = 0; round < 3; round++) {  // the extractor is reused
    ASSERT_OK(ex.Extract(doc, &keys));
    ASSERT_EQ(8u, keys.size());
    EXPECT_EQ(Enc(Num(7)), keys.key(0));
    EXPECT_EQ(Enc(Str(u"Lee")), keys.key(1));
    EXPECT_EQ(Enc(Arr({Str(u"Lee"), Str(u"Ann")})), keys.key(2));
    ASSERT_EQ(2u, keys.key_count(3));
    EXPECT_EQ(Enc(Str(u"x")), keys.key(3, 0));
    EXPECT_EQ(Enc(Str(u"y")), keys.key(3, 1));
    EXPECT_EQ(Enc(Arr({Str(u"x"), Str(u"y"), Str(u"x")})), keys.key(4));
    EXPECT_EQ(Enc(Num(3)), keys.key(5));
    EXPECT_EQ(KeyOutcome::kInvalid, keys.outcome(6));
    EXPECT_EQ(0u, keys.key_count(6));
    EXPECT_EQ(KeyOutcome::kMissing, keys.outcome(7));
  }
  ASSERT_OK(ex.Extract(R"({"id": "z"})", &keys));
  EXPECT_EQ(Enc(Str(u"z")), keys.key(0));
  EXPECT_EQ(KeyOutcome::kMissing, keys.outcome(1));
  EXPECT_EQ(KeyOutcome::kMissing, keys.outcome(3));
}

TEST(KeyPathTest, LoneSurrogateEscapesAreKept) {
  // simdjson's get_string() refuses "\ud800" alone; the extractor reads
  // strings in WTF-8 form so the key holds the unit 0xD800, as in JS.
  EXPECT_EQ(Enc(Str(std::u16string(1, 0xD800))), KeyAt(R"({"k": "\ud800"})", "k"));
  EXPECT_EQ(Enc(Str(u"a\xDC00z")), KeyAt(R"({"k": "a\udc00z"})", "k"));
  EXPECT_EQ(Enc(Str(u"\xD83D\xDE00")), KeyAt(R"({"k": "\ud83d\ude00"})", "k"));
  // A lone low then high surrogate is two lone units, not a pair.
  EXPECT_EQ(Enc(Str(u"\xDE00\xD83D")), KeyAt(R"({"k": "\ude00\ud83d"})", "k"));
  EXPECT_EQ(Enc(Num(1)), KeyAt(R"({"k": "\ud800"})", "k.length"));
  // Order follows code units: U+10000 (D800 DC00) before U+FFFF.
  EXPECT_LT(KeyAt(R"({"k": "\ud800\udc00"})", "k"), KeyAt(R"({"k": "\uffff"})", "k"));
  // Names with lone surrogates do not break the walk.
  EXPECT_EQ(Enc(Num(1)), KeyAt(R"({"\ud800": 0, "k": 1})", "k"));
}

TEST(KeyPathTest, LargeNumbersAreDoubles) {
  // Beyond 2^53 an integer rounds to the nearest double, as JSON.parse does.
  EXPECT_EQ(Enc(Num(9007199254740992.0)), KeyAt(R"({"k": 9007199254740993})", "k"));
  EXPECT_EQ(Enc(Num(18446744073709551616.0)), KeyAt(R"({"k": 18446744073709551616})", "k"));
  EXPECT_EQ(Enc(Num(-9223372036854775808.0)), KeyAt(R"({"k": -9223372036854775808})", "k"));
  EXPECT_EQ(Enc(Num(1e30)), KeyAt(R"({"k": 1000000000000000000000000000000})", "k"));
  EXPECT_EQ(Enc(Num(1.7976931348623157e308)), KeyAt(R"({"k": 1.7976931348623157e308})", "k"));
  EXPECT_EQ(Enc(Num(5e-324)), KeyAt(R"({"k": 5e-324})", "k"));
  // Beyond the double range: JSON.parse would give Infinity; refused here.
  One r = Extract1(R"({"k": 1e400})", P("k"));
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
}

TEST(KeyPathTest, InvalidDocumentsAreRefusedAnywhere) {
  for (const char* bad : {"", "{", R"({"a": 1,})", R"({"a": 1} x)", R"({"k": 1, "other": [1, 2,, 3]})",
                          R"({"k": 1, "other": tru})", R"({"k": 1, "other": nul})", R"({"k": 1, "o": {"x" 1}})",
                          "{\"k\": \"\xC3\"}", R"({"k": "\x"})", R"({"k": 01})", "[1] [2]", "nulll",
                          "\xEF\xBB\xBF{\"k\": 1}"}) {
    One r = Extract1(bad, P("k"));
    EXPECT_TRUE(r.status.IsInvalidArgument()) << bad << " -> " << r.status.ToString();
  }
  std::string deep(2000, '[');
  deep += std::string(2000, ']');
  EXPECT_TRUE(Extract1(deep, P("")).status.IsInvalidArgument());
  // Within the document bound, an Array key deeper than kMaxKeyDepth is
  // not a valid key; at that depth it is one.
  auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  One r = Extract1(nested(1024), P(""));
  ASSERT_OK(r.status);
  EXPECT_EQ(KeyOutcome::kInvalid, r.outcome);
  r = Extract1(nested(kMaxKeyDepth), P(""));
  ASSERT_OK(r.status);
  EXPECT_EQ(KeyOutcome::kKey, r.outcome);
  r = Extract1("{\"k\": 1, \"o\": " + nested(1024) + "}", P("k"));
  EXPECT_TRUE(r.status.IsInvalidArgument());
}

std::string Inject(std::string_view json, std::string_view path, double key) {
  std::string out;
  Status st = InjectKey(json, P(path), key, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(KeyPathTest, InjectKey) {
  EXPECT_EQ(R"({"id":1,"a":2})", Inject(R"({"a":2})", "id", 1));
  EXPECT_EQ(R"({"id":7})", Inject(R"({})", "id", 7));
  EXPECT_EQ(R"( {"x":{"y":{"id":9007199254740992}}} )", Inject(R"( {} )", "x.y.id", 9007199254740992.0));
  EXPECT_EQ(R"({"x": {"id":3,"y": 1}, "z": 2})", Inject(R"({"x": {"y": 1}, "z": 2})", "x.id", 3));
  EXPECT_EQ(R"({"x": {}, "x": {"id":3}})", Inject(R"({"x": {}, "x": {}})", "x.id", 3));
  EXPECT_EQ(R"({"id":2.5})", Inject("{}", "id", 2.5));
  // The injected key is what extraction then finds.
  std::string injected = Inject(R"({"a": {"b": [1]}, "c": "s"})", "a.k.id", 12);
  EXPECT_EQ(Enc(Num(12)), KeyAt(injected, "a.k.id"));

  std::string out;
  EXPECT_TRUE(InjectKey("[1]", P("id"), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({"x": 5})", P("x.id"), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({"x": [5]})", P("x.id"), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({"id": 5})", P("id"), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({})", P(""), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({})", PA({"a", "b"}), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({})", P("id"), std::nan(""), &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey(R"({"a": )", P("id"), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(InjectKey("\xEF\xBB\xBF{}", P("id"), 1, &out).IsInvalidArgument());
  EXPECT_TRUE(out.empty());
}

TEST(KeyPathTest, SimdjsonVersion) { EXPECT_STREQ("3.9.4", SimdjsonVersionString()); }

}  // namespace
}  // namespace flowdb::doc
