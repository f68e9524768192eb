#include "query/exec/plan.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "base/datetime.h"
#include "index/index_builder.h"
#include "query/expr.h"
#include "query/value_ops.h"

namespace spanlake::query::exec {

namespace {

using Found = std::vector<std::pair<engine::PageKey, json::Value>>;

// Visits `rows` newest first, after `after`.
void VisitSorted(Found rows, const std::optional<engine::PageKey>& after, const RowVisitor& visit) {
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [key, row] : rows) {
    if (after && !(key < *after)) continue;
    if (!visit(std::move(row), key)) return;
  }
}

json::Value Keys(const std::vector<std::string>& keys) {
  json::Array out;
  for (size_t i = 0; i < keys.size() && i < 10; ++i) out.push_back(json::Value(keys[i]));
  return json::Object{{"count", static_cast<int64_t>(keys.size())}, {"first", std::move(out)}};
}

class FullScanSource : public RowSource {
 public:
  FullScanSource(Reader reader, engine::ReadOptions read)
      : reader_(std::move(reader)), read_(read) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    return reader_->Scan(read_, after, visit);
  }
  json::Value Describe() const override {
    return json::Object{{"type", "full_scan"},
                        {"order", "newest_first"},
                        {"decodes", "every live row of the container"}};
  }

 private:
  Reader reader_;
  engine::ReadOptions read_;
};

class RootLookupSource : public RowSource {
 public:
  RootLookupSource(Reader reader, engine::ReadOptions read, std::vector<std::string> roots)
      : reader_(std::move(reader)), read_(read), roots_(std::move(roots)) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    if (roots_.size() == 1) return reader_->LookupRoot(roots_[0], read_, after, visit);
    Found rows;
    for (const std::string& root : roots_) {
      RETURN_IF_ERROR(
          reader_->LookupRoot(root, read_, after, [&](json::Value row, const engine::PageKey& k) {
            rows.emplace_back(k, std::move(row));
            return true;
          }));
    }
    VisitSorted(std::move(rows), after, visit);
    return Status::Ok();
  }
  json::Value Describe() const override {
    return json::Object{{"type", "root_span_lookup"},
                        {"roots", Keys(roots_)},
                        {"decodes", "only the rows of these traces"}};
  }

 private:
  Reader reader_;
  engine::ReadOptions read_;
  std::vector<std::string> roots_;
};

// An id's row through the id index; its PageKey through its trace's root index.
class IdLookupSource : public RowSource {
 public:
  IdLookupSource(Reader reader, engine::ReadOptions read, std::vector<std::string> ids)
      : reader_(std::move(reader)), read_(read), ids_(std::move(ids)) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    Found rows;
    for (const std::string& id : ids_) {
      ASSIGN_OR_RETURN(std::optional<json::Value> row, reader_->Lookup(id, read_));
      if (!row) continue;
      const json::Value* root = row->find("root_span_id");
      std::string r = root != nullptr && root->is_string() ? root->as_string() : id;
      RETURN_IF_ERROR(reader_->LookupRoot(
          r, read_, std::nullopt, [&](json::Value span, const engine::PageKey& k) {
            const json::Value* sid = span.find("id");
            if (sid == nullptr || !sid->is_string() || sid->as_string() != id) return true;
            rows.emplace_back(k, std::move(span));
            return false;
          }));
    }
    VisitSorted(std::move(rows), after, visit);
    return Status::Ok();
  }
  json::Value Describe() const override {
    return json::Object{{"type", "id_lookup"},
                        {"ids", Keys(ids_)},
                        {"decodes", "only these rows (and their traces' keys)"}};
  }

 private:
  Reader reader_;
  engine::ReadOptions read_;
  std::vector<std::string> ids_;
};

engine::ColumnOrder CreatedOrder() {
  return {"created", [](std::string_view v) { return CreatedKey(v); }};
}

// Candidates from the engine's full-text postings (segments) plus every
// memtable row: a superset of the rows whose `field` matches `query`.
class PostingsSource : public RowSource {
 public:
  PostingsSource(Reader reader, engine::ReadOptions read, std::string query, std::string field)
      : reader_(std::move(reader)),
        read_(read),
        query_(std::move(query)),
        field_(field.empty() ? std::nullopt : std::optional<std::string>(std::move(field))) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    return reader_->MatchCandidates(query_, field_, read_, after, visit);
  }
  // Sort by created desc with a limit: candidates by their block's newest
  // created, stopping once the rows kept outrank every block left.
  Status ScanTop(const std::function<std::optional<int64_t>()>& floor, const RowVisitor& visit,
                 engine::TopKStats* stats) const override {
    return reader_->MatchTopDesc(query_, field_, read_, CreatedOrder(), floor, visit, stats);
  }
  json::Value Describe() const override {
    return json::Object{{"type", "postings"},
                        {"field", field_ ? json::Value(*field_) : json::Value()},
                        {"query", query_},
                        {"decodes", "rows whose segment postings match, and the memtable's rows"}};
  }

 private:
  Reader reader_;
  engine::ReadOptions read_;
  std::string query_;
  std::optional<std::string> field_;  // nullopt: search(), every indexed field
};

json::Value StatsJson(const engine::PruneStats& s) {
  return json::Object{{"segments", static_cast<int64_t>(s.segments)},
                      {"blocks", static_cast<int64_t>(s.blocks)},
                      {"blocks_skipped", static_cast<int64_t>(s.blocks_skipped)},
                      {"blocks_no_match", static_cast<int64_t>(s.blocks_no_match)},
                      {"segment_rows", static_cast<int64_t>(s.rows)},
                      {"segment_rows_pruned", static_cast<int64_t>(s.rows_pruned)}};
}

// The full scan, skipping rows whose column values rule out the filter.
class PrunedScanSource : public RowSource {
 public:
  PrunedScanSource(Reader reader, engine::ReadOptions read, std::vector<engine::ColumnTest> tests)
      : reader_(std::move(reader)), read_(read), tests_(std::move(tests)) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    return reader_->ScanPruned(read_, after, tests_, visit, nullptr);
  }
  json::Value Describe() const override {
    json::Array columns;
    for (const engine::ColumnTest& t : tests_) columns.push_back(json::Value(t.column));
    json::Object out{{"type", "pruned_scan"},
                     {"order", "newest_first"},
                     {"columns", std::move(columns)},
                     {"decodes", "rows some version of which passes every column test"}};
    Result<engine::PruneStats> stats = reader_->EstimatePrune(tests_);
    out.set("pruning", stats.ok() ? StatsJson(*stats) : json::Value(stats.status().message()));
    return out;
  }

 protected:
  Reader reader_;
  engine::ReadOptions read_;
  std::vector<engine::ColumnTest> tests_;
};

// Rows by their newest `created`, stopping once the caller's kept rows
// outrank the rest; Scan() is the pruned scan.
class TopKSource : public PrunedScanSource {
 public:
  using PrunedScanSource::PrunedScanSource;

  Status ScanTop(const std::function<std::optional<int64_t>()>& floor, const RowVisitor& visit,
                 engine::TopKStats* stats) const override {
    return reader_->ScanTopDesc(read_, tests_, CreatedOrder(), floor, visit, stats);
  }
  json::Value Describe() const override {
    json::Array columns;
    for (const engine::ColumnTest& t : tests_) columns.push_back(json::Value(t.column));
    return json::Object{{"type", "top_k_scan"},
                        {"column", "created"},
                        {"order", "desc"},
                        {"columns", std::move(columns)},
                        {"decodes", "memtable rows, then segment blocks by their newest created "
                                    "until the rows kept outrank every block left"}};
  }
};

const std::string& OpOf(const json::Value& node) {
  static const std::string kNone;
  const json::Value* op = node.find("op");
  return op != nullptr && op->is_string() ? op->as_string() : kNone;
}

// The single-key field an ident names ("id", "created"), or "".
std::string SimpleField(const json::Value& node) {
  if (OpOf(node) != "ident") return "";
  const json::Array& path = node.find("name")->as_array();
  return path.size() == 1 && path[0].is_string() ? path[0].as_string() : "";
}

std::string PathText(const json::Value& node) {
  if (OpOf(node) != "ident") return "";
  std::string out;
  for (const json::Value& k : node.find("name")->as_array()) {
    if (!out.empty()) out += ".";
    out += k.is_string() ? k.as_string() : k.Dump();
  }
  return out;
}

void Conjuncts(const json::Value& node, std::vector<const json::Value*>& out) {
  if (OpOf(node) != "and") {
    out.push_back(&node);
    return;
  }
  if (const json::Value* c = node.find("children")) {
    for (const json::Value& k : c->as_array()) Conjuncts(k, out);
  }
  if (const json::Value* l = node.find("left")) Conjuncts(*l, out);
  if (const json::Value* r = node.find("right")) Conjuncts(*r, out);
}

// The field of the postings a path's text is indexed under: its string keys
// joined by '.' (array elements share their array's field); "" when the
// segment builder does not index it (ids, created, `_` fields, …).
std::string IndexField(const json::Value& ident) {
  std::string out;
  for (const json::Value& k : ident.find("name")->as_array()) {
    if (!k.is_string()) continue;
    if (out.empty()) {
      if (index::IsUnindexedField(k.as_string())) return "";
    } else {
      out += ".";
    }
    out += k.as_string();
  }
  return out;
}

// String keys of an equality / IN literal; empty when any is not a string.
std::vector<std::string> StringKeys(const json::Value& value) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  const json::Array one{value};
  for (const json::Value& v : value.is_array() ? value.as_array() : one) {
    if (!v.is_string()) return {};
    if (seen.insert(v.as_string()).second) out.push_back(v.as_string());
  }
  return out;
}

// Whether segments keep a column for this path (segment/columns.h).
bool IsColumnPath(const json::Value& ident) {
  if (OpOf(ident) != "ident") return false;
  const json::Array& path = ident.find("name")->as_array();
  for (const json::Value& k : path) {
    if (!k.is_string()) return false;
  }
  if (path.size() == 1) return path[0].as_string() == "created";
  if (path.size() != 2) return false;
  const std::string& a = path[0].as_string();
  const std::string& b = path[1].as_string();
  if (b.find('.') != std::string::npos) return false;  // column names join keys with '.'
  return (a == "span_attributes" && (b == "type" || b == "name")) || a == "metrics" ||
         a == "scores" || a == "metadata";
}

// Adds the column names `node` reads to `out`; false when it reads anything
// else (another field, `*` outside count(*), any_span, search).
bool CollectColumns(const json::Value& node, bool count_arg, std::set<std::string>& out) {
  if (node.is_array()) {
    for (const json::Value& e : node.as_array()) {
      if (!CollectColumns(e, count_arg, out)) return false;
    }
    return true;
  }
  if (!node.is_object()) return true;
  const std::string& op = OpOf(node);
  if (op == "literal") return true;
  if (op == "star") return count_arg;
  if (op == "ident") {
    if (!IsColumnPath(node)) return false;
    out.insert(PathText(node));
    return true;
  }
  std::string fn = op == "function" ? FunctionName(node) : "";
  // Functions that read more of the row than their arguments (search() reads
  // every text field) need the decoded row.
  if (fn == "any_span" || fn == "$any_span" || fn == "search") return false;
  for (const auto& [k, v] : node.as_object()) {
    if (k == "loc" || (k == "name" && op == "function")) continue;
    if (!CollectColumns(v, fn == "count", out)) return false;
  }
  return true;
}

// `literal op ident` as `ident op' literal`.
std::string Flipped(const std::string& op) {
  if (op == "lt") return "gt";
  if (op == "le") return "ge";
  if (op == "gt") return "lt";
  if (op == "ge") return "le";
  return op;
}

// Whether `node` reads nothing of the row: no field, `*`, any_span or aggregate.
bool IsConstant(const json::Value& node) {
  if (node.is_array()) {
    for (const json::Value& e : node.as_array()) {
      if (!IsConstant(e)) return false;
    }
    return true;
  }
  if (!node.is_object()) return true;
  const std::string& op = OpOf(node);
  if (op == "literal") return true;
  if (op == "ident" || op == "star" || FunctionName(node) == "any_span" ||
      ContainsAggregate(node)) {
    return false;
  }
  for (const auto& [k, v] : node.as_object()) {
    if (k != "loc" && !(k == "name" && op == "function") && !IsConstant(v)) return false;
  }
  return true;
}

// A side's value when it is constant: a literal's, or a constant expression
// (`now() - interval 1 day`) evaluated once in `ctx`, as the executor would.
std::optional<json::Value> ConstantValue(const json::Value& node, const EvalContext* ctx) {
  if (OpOf(node) == "literal") return *node.find("value");
  if (ctx == nullptr || OpOf(node).empty() || !IsConstant(node)) return std::nullopt;
  return Eval(node, json::Value(), *ctx);
}

void ClassifyRange(const std::string& op, const json::Value& ident, const json::Value& value,
                   std::vector<IndexCandidate>& out) {
  if (op == "eq" && !IsColumnPath(ident)) return;
  IndexCandidate cand{"range", PathText(ident), json::Object{{"op", op}, {"bound", value}}};
  if (!IsColumnPath(ident)) {
    cand.why = "segments keep no column for this path";
  } else if (!value.is_number() && !value.is_string()) {
    cand.why = "needs a number or string bound";
  } else {
    cand.keys = {op};
  }
  out.push_back(std::move(cand));
}

// search('<text>'): the postings of every indexed field.
void ClassifySearch(const json::Value& c, const EvalContext* ctx, std::vector<IndexCandidate>& out) {
  const json::Array& args = c.find("args")->as_array();
  std::optional<json::Value> value;
  if (args.size() == 1) value = ConstantValue(ArgExpr(args[0]), ctx);
  if (!value) return;
  IndexCandidate cand{"postings", "search()", json::Object{{"query", *value}}};
  if (value->is_string()) cand.keys = {value->as_string(), ""};
  out.push_back(std::move(cand));
}

void Classify(const json::Value& c, const EvalContext* ctx, std::vector<IndexCandidate>& out) {
  std::string op = OpOf(c);
  if (op == "function" && FunctionName(c) == "search") return ClassifySearch(c, ctx, out);
  const json::Value* left = c.find("left");
  const json::Value* right = c.find("right");
  if (left == nullptr || right == nullptr) return;
  if (OpOf(*left) != "ident" && OpOf(*right) == "ident" && op != "match" && op != "in") {
    std::swap(left, right);
    op = Flipped(op);
  }
  std::optional<json::Value> value;
  if (OpOf(*left) == "ident") value = ConstantValue(*right, ctx);
  if (!value) return;
  std::string field = SimpleField(*left);
  if ((op == "eq" || op == "in") && (field == "id" || field == "root_span_id")) {
    IndexCandidate cand{field == "id" ? "id_lookup" : "root_span_lookup", field, json::Value(),
                        StringKeys(*value)};
    cand.detail = json::Object{{"values", static_cast<int64_t>(cand.keys.size())}};
    out.push_back(std::move(cand));
  } else if (op == "match") {
    IndexCandidate cand{"postings", PathText(*left), json::Object{{"query", *value}}};
    std::string indexed = IndexField(*left);
    if (value->is_string() && !indexed.empty()) cand.keys = {value->as_string(), indexed};
    out.push_back(std::move(cand));
  } else if (op == "lt" || op == "le" || op == "gt" || op == "ge" || op == "eq") {
    ClassifyRange(op, *left, *value, out);
  }
}

bool Holds(const std::string& op, int c) {
  if (op == "lt") return c < 0;
  if (op == "le") return c <= 0;
  if (op == "gt") return c > 0;
  if (op == "ge") return c >= 0;
  return c == 0;
}

// A column's double may have rounded an integer of the row (beyond 2^53), so
// strict bounds are checked inclusively against doubles: never a false "no".
std::string Relaxed(const std::string& op, const json::Value& v) {
  if (!v.is_double()) return op;
  return op == "lt" ? "le" : (op == "gt" ? "ge" : op);
}

// The test `column op bound` gives the engine. Values compare as the filter
// compares them (query::Compare), so a value it rejects cannot satisfy the
// conjunct. Blocks are skipped by min/max only when the column's order (bytes
// for strings) is the comparison's: not for timestamp bounds, which compare
// as instants.
engine::ColumnTest MakeColumnTest(const std::string& column, const std::string& op,
                                  const json::Value& bound) {
  engine::ColumnTest t;
  t.column = column;
  t.may_match = [op, bound](const json::Value& v) {
    std::optional<int> c = Compare(v, bound);
    return c.has_value() && Holds(Relaxed(op, v), *c);
  };
  bool bytes_order = !bound.is_string() || !LooksLikeTimestamp(bound.as_string());
  t.range_may_match = [op, bound, bytes_order](const json::Value& lo, const json::Value& hi) {
    if (!bytes_order) return true;
    std::optional<int> l = Compare(lo, bound), h = Compare(hi, bound);
    if (!l || !h) return false;  // no value of this kind compares with the bound
    std::string r = Relaxed(op, lo);
    if (r == "lt" || r == "le") return Holds(r, *l);
    if (r == "gt" || r == "ge") return Holds(r, *h);
    return *l <= 0 && *h >= 0;
  };
  return t;
}

json::Value SortDescription(const Query& q, const AccessPlan& access) {
  if (q.aggregated()) return q.sort.empty() ? "dimensions ascending" : "top_k over groups";
  if (q.sort.empty()) return "newest first (access order, streamed)";
  if (access.top_k) return "top_k (limit + 1 rows held; the scan stops once they outrank the rest)";
  return "top_k (limit + 1 rows held)";
}

// Adds `_pagination_key` to every row another source yields.
class PaginationKeyed : public RowSource {
 public:
  explicit PaginationKeyed(std::unique_ptr<RowSource> inner) : inner_(std::move(inner)) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    return inner_->Scan(after, Stamped(visit));
  }
  Status ScanTop(const std::function<std::optional<int64_t>()>& floor, const RowVisitor& visit,
                 engine::TopKStats* stats) const override {
    return inner_->ScanTop(floor, Stamped(visit), stats);
  }
  json::Value Describe() const override { return inner_->Describe(); }

 private:
  static RowVisitor Stamped(const RowVisitor& visit) {
    return [&visit](json::Value row, const engine::PageKey& key) {
      if (row.is_object()) row.as_object().set(kPaginationKeyField, PaginationKey(key));
      return visit(std::move(row), key);
    };
  }

  std::unique_ptr<RowSource> inner_;
};

// Rows held in memory: the result of a FROM subquery.
class RowsSource : public RowSource {
 public:
  explicit RowsSource(std::shared_ptr<const json::Array> rows) : rows_(std::move(rows)) {}

  Status Scan(const std::optional<engine::PageKey>& after, const RowVisitor& visit) const override {
    uint32_t n = static_cast<uint32_t>(rows_->size());
    for (uint32_t i = 0; i < n; ++i) {
      engine::PageKey key{1, n - i};  // newest first = the given order
      if (after && !(key < *after)) continue;
      if (!visit((*rows_)[i], key)) break;
    }
    return Status::Ok();
  }
  json::Value Describe() const override {
    return json::Object{{"type", "subquery"}, {"rows", static_cast<int64_t>(rows_->size())}};
  }

 private:
  std::shared_ptr<const json::Array> rows_;
};

bool Mentions(const json::Value& node, std::string_view text) {
  return node.is_object() && node.Dump().find(text) != std::string::npos;
}

}  // namespace

std::string PaginationKey(const engine::PageKey& key) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "p%020llu%010u", static_cast<unsigned long long>(key.xact),
                static_cast<unsigned>(key.pos));
  return buf;
}

bool NamesPaginationKey(const Query& q) {
  auto named = [](const std::vector<Named>& list) {
    for (const Named& n : list) {
      if (Mentions(n.expr, kPaginationKeyField)) return true;
    }
    return false;
  };
  for (const SortKey& k : q.sort) {
    if (Mentions(k.expr, kPaginationKeyField)) return true;
  }
  return Mentions(q.filter, kPaginationKeyField) || Mentions(q.span_filter, kPaginationKeyField) ||
         Mentions(q.final_filter, kPaginationKeyField) || named(q.select) ||
         named(q.dimensions) || named(q.measures) || named(q.pivot);
}

std::optional<int64_t> CreatedKey(std::string_view created) {
  return LooksLikeTimestamp(created) ? ParseTimestamp(created) : std::nullopt;
}

std::unique_ptr<RowSource> FullScan(Reader reader, engine::ReadOptions read) {
  return std::make_unique<FullScanSource>(std::move(reader), read);
}

std::unique_ptr<RowSource> IdLookup(Reader reader, engine::ReadOptions read,
                                    std::vector<std::string> ids) {
  return std::make_unique<IdLookupSource>(std::move(reader), read, std::move(ids));
}

std::unique_ptr<RowSource> RootLookup(Reader reader, engine::ReadOptions read,
                                      std::vector<std::string> roots) {
  return std::make_unique<RootLookupSource>(std::move(reader), read, std::move(roots));
}

std::optional<std::vector<std::string>> ColumnarColumns(const Query& q) {
  if (q.shape != Shape::kSpans || !q.aggregated() || q.sample || !q.pivot.empty() ||
      !q.unpivot.empty()) {
    return std::nullopt;
  }
  std::set<std::string> cols;
  if (!CollectColumns(q.filter, false, cols)) return std::nullopt;
  for (const std::vector<Named>* list : {&q.dimensions, &q.measures}) {
    for (const Named& n : *list) {
      if (!CollectColumns(n.expr, false, cols)) return std::nullopt;
    }
  }
  return std::vector<std::string>(cols.begin(), cols.end());
}

std::vector<IndexCandidate> FindIndexCandidates(const json::Value& filter,
                                                const EvalContext* ctx) {
  std::vector<IndexCandidate> out;
  if (filter.is_null()) return out;
  std::vector<const json::Value*> conjuncts;
  Conjuncts(filter, conjuncts);
  for (const json::Value* c : conjuncts) Classify(*c, ctx, out);
  return out;
}

namespace {

// Whether `q` keeps the first rows of `created` descending: a top_k_scan can
// serve it (spans shape, one sort key, a limit, no sample by count).
bool IsTopKByCreated(const Query& q) {
  return q.shape == Shape::kSpans && !q.aggregated() && q.sort.size() == 1 && q.sort[0].desc &&
         PathText(q.sort[0].expr) == "created" && SimpleField(q.sort[0].expr) == "created" &&
         q.limit > 0 && !(q.sample && !q.sample->by_rate);
}

std::unique_ptr<RowSource> SourceFor(Reader reader, const engine::ReadOptions& read,
                                     const IndexCandidate* chosen,
                                     const std::vector<IndexCandidate*>& ranges, bool top_k) {
  std::vector<engine::ColumnTest> tests;
  for (const IndexCandidate* c : ranges) {
    tests.push_back(MakeColumnTest(c->field, c->keys[0], *c->detail.find("bound")));
  }
  if (chosen == nullptr && top_k) {
    return std::make_unique<TopKSource>(std::move(reader), read, std::move(tests));
  }
  if (chosen == nullptr && !ranges.empty()) {
    return std::make_unique<PrunedScanSource>(std::move(reader), read, std::move(tests));
  }
  if (chosen == nullptr) return FullScan(std::move(reader), read);
  if (chosen->kind == "id_lookup") return IdLookup(std::move(reader), read, chosen->keys);
  if (chosen->kind == "root_span_lookup") return RootLookup(std::move(reader), read, chosen->keys);
  return std::make_unique<PostingsSource>(std::move(reader), read, chosen->keys[0], chosen->keys[1]);
}

}  // namespace

AccessPlan RowsAccess(json::Array rows) {
  auto shared = std::make_shared<const json::Array>(std::move(rows));
  AccessPlan plan;
  plan.source = std::make_unique<RowsSource>(shared);
  plan.full = std::make_unique<RowsSource>(shared);
  return plan;
}

AccessPlan ChooseAccess(Reader reader, const engine::ReadOptions& read, const Query& q,
                        const EvalContext* ctx) {
  AccessPlan plan;
  plan.candidates = FindIndexCandidates(q.filter, ctx);
  // Lookups (fewest keys first) beat postings, which beat a pruned scan,
  // which beats the full scan.
  IndexCandidate* best = nullptr;
  IndexCandidate* postings = nullptr;
  std::vector<IndexCandidate*> ranges;
  for (IndexCandidate& c : plan.candidates) {
    if (c.kind == "range") {
      if (!c.keys.empty()) ranges.push_back(&c);
    } else if (c.kind == "postings") {
      if (c.keys.empty()) c.why = "needs a quoted query on an indexed field";
      if (!c.keys.empty() && postings == nullptr) postings = &c;
    } else if (c.keys.empty() || c.keys.size() > kMaxLookupKeys) {
      c.why = "needs 1 to " + std::to_string(kMaxLookupKeys) + " string keys";
    } else if (best == nullptr || c.keys.size() < best->keys.size()) {
      best = &c;
    }
  }
  IndexCandidate* chosen = best != nullptr ? best : postings;
  for (IndexCandidate& c : plan.candidates) {
    if (&c == chosen) {
      c.used = true;
      c.why = c.kind == "postings" ? "no id or root_span_id lookup applies" : "fewest keys";
    } else if (chosen == nullptr && c.kind == "range" && !c.keys.empty()) {
      c.used = true;
      c.why = "column values and block min/max prune the scan";
    } else if (c.why.empty()) {
      c.why = "another path is narrower";
    }
  }
  // A top-k by created reads blocks newest first and stops at the limit;
  // column tests still prune the blocks it reads. (At 20k spans the pruned
  // scan was faster when the tests keep few rows; at 1M spans it decoded
  // every passing row: q4 took 15 s.) Postings candidates take the top-k
  // order too.
  plan.top_k = IsTopKByCreated(q) && (chosen == nullptr || chosen->kind == "postings");
  plan.source = SourceFor(reader, read, chosen, ranges, plan.top_k);
  plan.narrowed = chosen != nullptr || !ranges.empty();
  plan.full = FullScan(std::move(reader), read);
  if (NamesPaginationKey(q)) {
    plan.pagination_key = true;
    plan.source = std::make_unique<PaginationKeyed>(std::move(plan.source));
    plan.full = std::make_unique<PaginationKeyed>(std::move(plan.full));
  }
  return plan;
}

json::Value ExplainPlan(const Query& q, const AccessPlan& access, const std::string& container) {
  json::Array candidates;
  for (const IndexCandidate& c : access.candidates) {
    candidates.push_back(json::Object{{"kind", c.kind},
                                      {"field", c.field},
                                      {"detail", c.detail},
                                      {"used", c.used},
                                      {"why", c.why}});
  }
  int passes = q.shape == Shape::kSpans ? 1 : 2;
  if (q.filter.is_object() && q.filter.Dump().find("any_span") != std::string::npos) ++passes;
  if (q.sample && !q.sample->by_rate && q.shape == Shape::kSpans) ++passes;
  json::Object steps{{"filter", q.filter.is_null() ? json::Value("none") : json::Value("per row")},
                     {"sort", SortDescription(q, access)},
                     {"limit", q.limit}};
  if (q.shape != Shape::kSpans) {
    steps.set("load_traces", "root_span_lookup per chosen trace (up to " +
                                 std::to_string(kMaxLookupKeys) + " traces), else a second scan");
  }
  if (q.aggregated()) {
    steps.set("aggregate", json::Object{{"dimensions", static_cast<int64_t>(q.dimensions.size())},
                                        {"measures", static_cast<int64_t>(q.measures.size())},
                                        {"pivot", static_cast<int64_t>(q.pivot.size())},
                                        {"unpivot", static_cast<int64_t>(q.unpivot.size())}});
  }
  if (!q.final_filter.is_null()) steps.set("final_filter", "on output rows");
  if (q.sample) steps.set("sample", q.sample->by_rate ? "rate" : "count");
  steps.set("project", q.select.empty() ? "all fields" : "select list");
  return json::Object{
      {"source",
       json::Object{{"kind", q.source_kind}, {"id", q.source_id}, {"container", container}}},
      {"shape", ShapeName(q.shape)},
      {"access", access.source->Describe()},
      {"index_candidates", std::move(candidates)},
      {"passes", passes},
      {"steps", std::move(steps)}};
}

}  // namespace spanlake::query::exec
