// Helpers for the document store tests: encoded keys, one-call
// transactions, and reading a whole source.

#ifndef FLOWDB_TEST_CPP_JSONDB_TEST_UTIL_H_
#define FLOWDB_TEST_CPP_JSONDB_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "doc/key_codec.h"
#include "flowdb/db.h"
#include "flowdb/jsondb.h"
#include "test_util.h"

namespace flowdb::jsondb_test {

inline std::string N(double v) {
  std::string out;
  doc::KeyEncoder(&out).AddNumber(v).PermitUncheckedError();
  return out;
}

inline std::string S(std::string_view utf8) {
  std::string out;
  doc::KeyEncoder(&out).AddStringUtf8(utf8).PermitUncheckedError();
  return out;
}

// An Array key of already encoded elements.
inline std::string A(const std::vector<std::string>& elements) {
  std::string out(1, static_cast<char>(doc::kKeyArray));
  for (const auto& e : elements) out += e;
  out.push_back(static_cast<char>(doc::kKeyArrayEnd));
  return out;
}

inline std::unique_ptr<Transaction> Begin(JsonDB* db, TransactionMode mode,
                                          std::vector<std::string> stores = {}) {
  TransactionOptions o;
  o.mode = mode;
  o.stores = std::move(stores);
  std::unique_ptr<Transaction> t;
  Status s = db->Begin(o, &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

// put/add/delete as their own transactions.
inline Status Put(JsonDB* db, const std::string& store, const std::string& json,
                  const std::string* key = nullptr, std::string* out_key = nullptr) {
  auto t = Begin(db, TransactionMode::kReadWrite);
  FLOWDB_RETURN_IF_ERROR(t->Put(store, json, key, out_key));
  return t->Commit();
}

inline Status Add(JsonDB* db, const std::string& store, const std::string& json,
                  const std::string* key = nullptr) {
  auto t = Begin(db, TransactionMode::kReadWrite);
  FLOWDB_RETURN_IF_ERROR(t->Add(store, json, key, nullptr));
  return t->Commit();
}

inline Status Del(JsonDB* db, const std::string& store, const KeyRange& range) {
  auto t = Begin(db, TransactionMode::kReadWrite);
  FLOWDB_RETURN_IF_ERROR(t->Delete(store, range));
  return t->Commit();
}

// The document at `key`, or "<none>".
inline std::string Get(JsonDB* db, const std::string& store, const std::string& key) {
  auto t = Begin(db, TransactionMode::kReadOnly);
  std::string v;
  bool found = false;
  Status s = t->Get(store, key, &v, &found);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return found ? v : "<none>";
}

// Every record of a store or index: "value" per record (keys_only: primary keys).
inline std::vector<DocRecord> All(JsonDB* db, const DocSource& source,
                                  const KeyRange& range = KeyRange::All(),
                                  CursorDirection dir = CursorDirection::kNext) {
  auto t = Begin(db, TransactionMode::kReadOnly);
  ReadRangeOptions o;
  o.range = range;
  o.direction = dir;
  std::vector<DocRecord> out;
  Status s = t->GetAll(source, o, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

inline std::vector<std::string> Values(const std::vector<DocRecord>& records) {
  std::vector<std::string> v;
  for (const auto& r : records) v.push_back(r.value);
  return v;
}

inline std::vector<std::string> RunQuery(Transaction* t, const Query& q) {
  std::unique_ptr<DocCursor> c;
  Status s = t->RunQuery(q, &c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> out;
  if (!s.ok()) return out;
  while (c->Next()) out.emplace_back(c->value());
  EXPECT_TRUE(c->status().ok()) << c->status().ToString();
  return out;
}

inline std::unique_ptr<JsonDB> OpenMem() {
  JsonDBOptions o;
  o.in_memory = true;
  o.db_options.sync_mode = SyncMode::kNone;
  std::unique_ptr<JsonDB> db;
  Status s = JsonDB::Open(o, "mem", &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return db;
}

}  // namespace flowdb::jsondb_test

#endif  // FLOWDB_TEST_CPP_JSONDB_TEST_UTIL_H_
