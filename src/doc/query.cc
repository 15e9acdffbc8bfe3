#include "query.h"

#include <algorithm>
#include <limits>

#include "catalog.h"
#include "doc_cursor.h"
#include "doc_format.h"
#include "doc_keys.h"
#include "transaction.h"

namespace flowdb::doc {

namespace {

// An access path the planner may use: the primary key (in-line keys only)
// or an index that is not multiEntry (a multiEntry index holds array
// elements, not the value at its path).
struct Candidate {
  const IndexInfo* index = nullptr;  // null: primary key
  const KeyPathSpec* key_path = nullptr;
};

struct Choice {
  Candidate candidate;
  int score = -1;
  bool gives_order = false;
  size_t eq_prefix = 0;                 // leading paths fixed by eq/in
  const QueryPredicate* range = nullptr;  // on path eq_prefix
  std::vector<const QueryPredicate*> used;  // predicates the ranges enforce
  std::vector<KeyRange> ranges;
};

bool IsValidPath(const std::string& path) {
  if (path.empty()) return true;
  return ValidateKeyPath(KeyPathSpec::String(path), "query path").ok();
}

// The values a predicate fixes a path to (eq: one; in: sorted, distinct).
std::vector<std::string> FixedValues(const QueryPredicate& p) {
  if (p.op == QueryPredicate::Op::kEq) return {p.value};
  std::vector<std::string> v = p.values;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

const QueryPredicate* FindFixing(const Query& q, const std::string& path) {
  const QueryPredicate* in = nullptr;
  for (const auto& p : q.where) {
    if (p.path != path) continue;
    if (p.op == QueryPredicate::Op::kEq) return &p;
    if (p.op == QueryPredicate::Op::kIn && in == nullptr) in = &p;
  }
  return in;
}

const QueryPredicate* FindRange(const Query& q, const std::string& path) {
  for (const auto& p : q.where) {
    if (p.path == path && p.op == QueryPredicate::Op::kRange) return &p;
  }
  return nullptr;
}

bool Constrained(const Query& q, const std::string& path) {
  return std::any_of(q.where.begin(), q.where.end(),
                     [&](const QueryPredicate& p) { return p.path == path; });
}

Choice Evaluate(const Candidate& c, const Query& q) {
  Choice ch;
  ch.candidate = c;
  const auto& paths = c.key_path->paths;
  const bool compound = c.key_path->kind == KeyPathSpec::Kind::kArray;
  // Equality prefix, as long as the cross product of values stays small.
  std::vector<std::vector<std::string>> fixed;
  size_t product = 1;
  for (const auto& path : paths) {
    const QueryPredicate* p = FindFixing(q, path);
    if (p == nullptr) break;
    std::vector<std::string> values = FixedValues(*p);
    if (product * std::max<size_t>(values.size(), 1) > kMaxPlanRanges) break;
    product *= std::max<size_t>(values.size(), 1);
    if (values.empty()) product = 0;
    fixed.push_back(std::move(values));
    ch.used.push_back(p);
  }
  ch.eq_prefix = fixed.size();
  if (ch.eq_prefix < paths.size()) {
    ch.range = FindRange(q, paths[ch.eq_prefix]);
    if (ch.range != nullptr) ch.used.push_back(ch.range);
  }
  // A document missing a path of the index is not in it: every path the
  // ranges do not pin must be constrained by some predicate (which such a
  // document fails), or the index would lose matches.
  if (c.index != nullptr) {
    for (size_t i = ch.eq_prefix; i < paths.size(); i++) {
      if (!Constrained(q, paths[i])) return ch;  // score stays -1: unusable
    }
  }
  ch.score = static_cast<int>(2 * ch.eq_prefix + (ch.range != nullptr ? 1 : 0));

  // Ranges: every combination of fixed values, in key order.
  std::vector<std::string> prefixes{compound ? ArrayKeyStart() : std::string()};
  if (product == 0) prefixes.clear();
  for (const auto& values : fixed) {
    std::vector<std::string> next;
    for (const auto& prefix : prefixes) {
      for (const auto& v : values) next.push_back(prefix + v);
    }
    prefixes = std::move(next);
  }
  for (const auto& prefix : prefixes) {
    KeyRange r;
    if (!compound) {
      r = ch.eq_prefix == 1 ? KeyRange::Only(prefix)
                            : (ch.range != nullptr ? ch.range->range : KeyRange::All());
    } else {
      // Array keys that start with the prefix (and whose next element lies
      // in the range): bounds made exact with PrefixSuccessor, so that an
      // element equal to a bound counts whatever follows it.
      const KeyRange* pr = ch.range != nullptr ? &ch.range->range : nullptr;
      r.has_lower = r.has_upper = true;
      r.upper_open = true;
      if (pr != nullptr && pr->has_lower) {
        r.lower = prefix + pr->lower;
        if (pr->lower_open) r.lower = PrefixSuccessor(r.lower);
      } else {
        r.lower = prefix;
      }
      if (pr != nullptr && pr->has_upper) {
        r.upper = prefix + pr->upper;
        if (!pr->upper_open) r.upper = PrefixSuccessor(r.upper);
      } else {
        r.upper = PrefixSuccessor(prefix);
      }
    }
    if (!r.Empty()) ch.ranges.push_back(std::move(r));
  }

  // Order: the walk is ordered by path j if every path before j is fixed to
  // one value (ranges come in key order).
  if (q.has_order) {
    for (size_t j = 0; j < paths.size() && j <= ch.eq_prefix; j++) {
      if (paths[j] == q.order_by) {
        ch.gives_order = true;
        break;
      }
      if (j < ch.eq_prefix && fixed[j].size() != 1) break;
    }
    // Past the pinned paths the order is by the next path only if it is
    // constrained (else documents without it are missing).
  }
  return ch;
}

bool Better(const Choice& a, const Choice& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.gives_order != b.gives_order) return a.gives_order;
  bool au = a.candidate.index != nullptr && a.candidate.index->spec.unique;
  bool bu = b.candidate.index != nullptr && b.candidate.index->spec.unique;
  if (au != bu) return au;
  return a.candidate.index == nullptr && b.candidate.index != nullptr;
}

Status Validate(const Query& q) {
  for (const auto& p : q.where) {
    if (!IsValidPath(p.path)) return Status::InvalidArgument("invalid query path \"" + p.path + "\"");
    switch (p.op) {
      case QueryPredicate::Op::kEq:
        FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(p.value));
        break;
      case QueryPredicate::Op::kIn:
        for (const auto& v : p.values) FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(v));
        break;
      case QueryPredicate::Op::kRange:
        if (p.range.has_lower) FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(p.range.lower));
        if (p.range.has_upper) FLOWDB_RETURN_IF_ERROR(CheckEncodedKey(p.range.upper));
        break;
    }
  }
  if (q.has_order && !IsValidPath(q.order_by)) {
    return Status::InvalidArgument("invalid orderBy path \"" + q.order_by + "\"");
  }
  return Status::OK();
}

Status Plan(const StoreInfo& store, const Query& query, QueryPlan* plan, Choice* chosen) {
  FLOWDB_RETURN_IF_ERROR(Validate(query));
  std::vector<Candidate> candidates;
  if (store.key_path.kind != KeyPathSpec::Kind::kNone) candidates.push_back({nullptr, &store.key_path});
  for (const auto& index : store.indexes) {
    if (!index.spec.multi_entry) candidates.push_back({&index, &index.spec.key_path});
  }
  Choice best;
  for (const auto& c : candidates) {
    Choice ch = Evaluate(c, query);
    if (ch.score < 0 || (ch.score == 0 && !ch.gives_order)) continue;
    if (ch.score == 0 && ch.candidate.index != nullptr) continue;  // order alone: primary only
    if (best.score < 0 || Better(ch, best)) best = std::move(ch);
  }
  if (best.score < 0) {
    // Every document of the store, in primary key order.
    best = Choice();
    best.score = 0;
    best.ranges.push_back(KeyRange::All());
  }
  QueryPlan p;
  if (best.candidate.index != nullptr) {
    p.index = best.candidate.index->spec.name;
    p.index_key_path = best.candidate.index->spec.key_path.paths;
  } else if (best.candidate.key_path != nullptr) {
    p.index_key_path = best.candidate.key_path->paths;
  }
  p.ranges = best.ranges;
  for (const auto& pred : query.where) {
    if (std::find(best.used.begin(), best.used.end(), &pred) == best.used.end()) {
      p.residual.push_back(pred.path);
    }
  }
  p.sort = query.has_order && !best.gives_order;
  p.reverse = query.has_order && best.gives_order && query.descending;
  p.reads_documents = !p.residual.empty();
  p.offset = query.offset;
  p.limit = query.limit;
  p.early_stop = !p.sort && query.limit != std::numeric_limits<uint64_t>::max();
  *plan = std::move(p);
  *chosen = std::move(best);
  return Status::OK();
}

bool Matches(const QueryPredicate& p, const PathKeys& x) {
  if (x.state != PathKeys::State::kKey) return false;
  const std::string& key = x.keys[0];
  switch (p.op) {
    case QueryPredicate::Op::kEq:
      return key == p.value;
    case QueryPredicate::Op::kRange:
      return p.range.Contains(key);
    case QueryPredicate::Op::kIn:
      return std::find(p.values.begin(), p.values.end(), key) != p.values.end();
  }
  return false;
}

// Streams the documents a plan selects, filtered by its residual predicates.
class QueryCursor : public DocCursor {
 public:
  QueryCursor(TransactionImpl* txn, const StoreInfo& store, const Query& query, QueryPlan plan,
              Choice choice, bool keys_only)
      : txn_(txn), store_(store), plan_(std::move(plan)), keys_only_(keys_only) {
    index_ = choice.candidate.index;
    for (const auto& pred : query.where) {
      if (std::find(choice.used.begin(), choice.used.end(), &pred) == choice.used.end()) {
        residual_.push_back(pred);
      }
    }
    std::vector<KeyPathRequest> requests;
    for (const auto& pred : residual_) requests.push_back({KeyPathSpec::String(pred.path), false});
    if (plan_.sort) requests.push_back({KeyPathSpec::String(query.order_by), false});
    descending_ = query.descending;
    if (!requests.empty()) extractor_ = std::make_unique<DocKeyExtractor>(std::move(requests));
    if (plan_.reverse) std::reverse(plan_.ranges.begin(), plan_.ranges.end());
  }

  // The caller steps this cursor to its end (or an error) without seeking.
  void SetDrains() { drains_ = true; }

  bool Next() override {
    if (!status_.ok()) return false;
    if (plan_.sort) {
      if (!sorted_) {
        status_ = Materialize();
        if (!status_.ok()) return false;
      }
      if (pos_ >= results_.size()) return false;
      current_ = std::move(results_[pos_++].second);
      return true;
    }
    while (emitted_ < plan_.limit) {
      if (!NextMatch()) return false;
      if (skipped_ < plan_.offset) {
        skipped_++;
        continue;
      }
      emitted_++;
      return true;
    }
    return false;
  }
  Status Seek(std::string_view, const std::string*) override {
    return Status::NotSupported("a query cursor cannot seek");
  }
  std::string_view key() const override { return current_.primary_key; }
  std::string_view primary_key() const override { return current_.primary_key; }
  std::string_view value() const override { return current_.value; }
  Status status() const override { return status_; }

 private:
  // The next document that passes the residual filter, into current_.
  bool NextMatch() {
    while (true) {
      if (cursor_ == nullptr) {
        if (range_pos_ >= plan_.ranges.size()) return false;
        ReadRangeOptions o;
        o.range = plan_.ranges[range_pos_++];
        o.direction = plan_.reverse ? CursorDirection::kPrev : CursorDirection::kNext;
        o.keys_only = keys_only_ && residual_.empty() && !plan_.sort;
        // A sorted query or a count reads every match: its index cursors
        // may fetch documents in batches (see NewDocCursor).
        cursor_ = NewDocCursor(txn_, store_, index_, o, drains_ ? kNoLimit : 0);
      }
      if (!cursor_->Next()) {
        status_ = cursor_->status();
        cursor_.reset();
        if (!status_.ok()) return false;
        continue;
      }
      if (extractor_ != nullptr) {
        status_ = extractor_->Extract(cursor_->value(), &extracted_);
        if (!status_.ok()) return false;
        bool ok = true;
        for (size_t i = 0; ok && i < residual_.size(); i++) ok = Matches(residual_[i], extracted_[i]);
        if (!ok) continue;
      }
      current_.primary_key.assign(cursor_->primary_key());
      current_.key = current_.primary_key;
      current_.value.assign(cursor_->value());
      return true;
    }
  }

  Status Materialize() {
    sorted_ = true;
    drains_ = true;
    // Sort key: documents without a valid key at the order path sort after
    // every key ("\xff" is above every tag byte), in scan order.
    while (NextMatch()) {
      const PathKeys& x = extracted_.back();
      std::string sort_key = x.state == PathKeys::State::kKey ? x.keys[0] : std::string(1, '\xff');
      results_.emplace_back(std::move(sort_key), std::move(current_));
    }
    FLOWDB_RETURN_IF_ERROR(status_);
    std::stable_sort(results_.begin(), results_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (descending_) std::reverse(results_.begin(), results_.end());
    size_t begin = std::min<uint64_t>(plan_.offset, results_.size());
    size_t end = plan_.limit >= results_.size() - begin ? results_.size() : begin + plan_.limit;
    results_ = std::vector<std::pair<std::string, DocRecord>>(
        std::make_move_iterator(results_.begin() + begin), std::make_move_iterator(results_.begin() + end));
    return Status::OK();
  }

  TransactionImpl* txn_;
  const StoreInfo& store_;
  QueryPlan plan_;
  bool keys_only_;
  const IndexInfo* index_ = nullptr;
  std::vector<QueryPredicate> residual_;
  std::unique_ptr<DocKeyExtractor> extractor_;
  std::vector<PathKeys> extracted_;
  bool descending_ = false;

  size_t range_pos_ = 0;
  std::unique_ptr<DocCursor> cursor_;
  uint64_t skipped_ = 0, emitted_ = 0;
  DocRecord current_;

  static constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
  bool drains_ = false;
  bool sorted_ = false;
  std::vector<std::pair<std::string, DocRecord>> results_;
  size_t pos_ = 0;
  Status status_;
};

}  // namespace

Status PlanQuery(const StoreInfo& store, const Query& query, QueryPlan* plan) {
  Choice choice;
  return Plan(store, query, plan, &choice);
}

Status RunQueryCursor(TransactionImpl* txn, const StoreInfo& store, const Query& query,
                      std::unique_ptr<DocCursor>* cursor) {
  QueryPlan plan;
  Choice choice;
  FLOWDB_RETURN_IF_ERROR(Plan(store, query, &plan, &choice));
  *cursor = std::make_unique<QueryCursor>(txn, store, query, std::move(plan), std::move(choice), false);
  return Status::OK();
}

Status CountQueryResults(TransactionImpl* txn, const StoreInfo& store, const Query& query,
                         uint64_t* count) {
  QueryPlan plan;
  Choice choice;
  FLOWDB_RETURN_IF_ERROR(Plan(store, query, &plan, &choice));
  // Order does not change a count.
  plan.sort = false;
  const bool unlimited = plan.limit == std::numeric_limits<uint64_t>::max();
  QueryCursor cursor(txn, store, query, std::move(plan), std::move(choice), true);
  if (unlimited) cursor.SetDrains();
  uint64_t n = 0;
  while (cursor.Next()) n++;
  FLOWDB_RETURN_IF_ERROR(cursor.status());
  *count = n;
  return Status::OK();
}

}  // namespace flowdb::doc
