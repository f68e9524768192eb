#include "query/exec/executor.h"

#include <algorithm>
#include <set>

#include "base/time.h"
#include "query/exec/executor_internal.h"
#include "query/value_ops.h"

namespace spanlake::query::exec {

namespace {

constexpr std::string_view kAnySpanSlot = "$any_span";

// Replaces any_span(cond) calls by `$any_span(i)`, collecting the conditions.
json::Value BindAnySpan(const json::Value& node, std::vector<json::Value>& conds) {
  if (node.is_array()) {
    json::Array out;
    for (const json::Value& e : node.as_array()) out.push_back(BindAnySpan(e, conds));
    return out;
  }
  const json::Value* op = node.find("op");
  if (!node.is_object() || (op != nullptr && *op == json::Value("literal"))) return node;
  if (FunctionName(node) == "any_span") {
    conds.push_back(ArgExpr(node.find("args")->as_array()[0]));
    return Call(kAnySpanSlot, json::Array{Literal(static_cast<int64_t>(conds.size() - 1))});
  }
  json::Object out;
  for (const auto& [k, v] : node.as_object()) out.set(k, k == "name" ? v : BindAnySpan(v, conds));
  return out;
}

std::vector<json::Value> Unpivoted(const json::Value& row, const std::vector<Unpivot>& specs,
                                   const EvalContext& ctx) {
  std::vector<json::Value> rows{row};
  for (const Unpivot& u : specs) {
    std::vector<json::Value> next;
    for (const json::Value& r : rows) {
      json::Value v = Eval(u.expr, r, ctx);
      auto with = [&](json::Value key, json::Value value) {
        json::Value copy = r;
        copy.as_object().set(u.alias, std::move(key));
        if (!u.value_alias.empty()) copy.as_object().set(u.value_alias, std::move(value));
        next.push_back(std::move(copy));
      };
      if (!u.value_alias.empty()) {
        if (v.is_object()) {
          for (const auto& [k, e] : v.as_object()) with(json::Value(k), e);
        }
      } else if (v.is_array()) {
        for (const json::Value& e : v.as_array()) with(e, json::Value());
      } else if (!v.is_null()) {
        with(v, json::Value());
      }
    }
    rows = std::move(next);
  }
  return rows;
}

std::string IdOf(const json::Value& row) {
  const json::Value* id = row.find("id");
  return id != nullptr && id->is_string() ? id->as_string() : "";
}

json::Value ColumnarJson(const engine::ColumnarRead& c) {
  json::Array columns;
  for (const std::string& name : c.columns) columns.push_back(json::Value(name));
  return json::Object{{"columns", std::move(columns)},
                      {"rows_from_columns", static_cast<int64_t>(c.rows_from_columns)},
                      {"rows_decoded", static_cast<int64_t>(c.rows_decoded)}};
}

json::Value TopKJson(const engine::TopKStats& s) {
  return json::Object{{"blocks", static_cast<int64_t>(s.blocks)},
                      {"blocks_read", static_cast<int64_t>(s.blocks_read)},
                      {"rows_decoded", static_cast<int64_t>(s.rows_decoded)},
                      {"stopped_early", s.stopped_early}};
}

}  // namespace

std::string RootOf(const json::Value& row) {
  const json::Value* root = row.find("root_span_id");
  return root != nullptr && root->is_string() ? root->as_string() : IdOf(row);
}

uint64_t SampleHash(const std::string& key, int64_t seed) {
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(seed);
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;  // finalize so that nearby keys spread over the range
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

Executor::Executor(const engine::Engine& engine, std::string container, const Query& q,
                   const ExecOptions& opts)
    : engine_(engine), container_(std::move(container)), q_(q), opts_(opts), budget_(opts.limits) {}

Status Executor::Prepare() {
  if (!opts_.read.as_of) opts_.read.as_of = engine_.last_xact();
  ctx_.now_micros = opts_.now_micros != 0 ? opts_.now_micros : NowMillis() * 1000;
  ctx_.tz_offset_minutes = opts_.tz_offset_minutes;
  ctx_.span_sets = &span_sets_;
  reader_ = std::make_shared<engine::SnapshotReader>(engine_.GetSnapshot(), container_);
  if (q_.inner) {
    RETURN_IF_ERROR(RunSubquery());
  } else if (!opts_.more_containers.empty()) {
    RETURN_IF_ERROR(ReadSources());
  } else {
    if (std::optional<std::vector<std::string>> columns = ColumnarColumns(q_)) {
      columnar_ = std::make_shared<engine::ColumnarRead>();
      columnar_->columns = std::move(*columns);
      opts_.read.columnar = columnar_;
    }
    access_ = ChooseAccess(reader_, opts_.read, q_, &ctx_);
  }
  std::vector<json::Value> conds;
  // Rows read from several sources all passed the filter already.
  if (opts_.more_containers.empty()) filter_ = BindAnySpan(q_.filter, conds);
  span_sets_.resize(conds.size());
  if (!conds.empty()) {
    Status st;
    Status scan = access_.full->Scan(std::nullopt, [&](json::Value row, const engine::PageKey&) {
      st = budget_.Tick();
      for (size_t i = 0; st.ok() && i < conds.size(); ++i) {
        if (Truthy(Eval(conds[i], row, ctx_)) && span_sets_[i].insert(RootOf(row)).second) {
          st = budget_.Hold(static_cast<int64_t>(64 + RootOf(row).size()));
        }
      }
      return st.ok();
    });
    RETURN_IF_ERROR(st);
    RETURN_IF_ERROR(scan);
  }
  if (!q_.cursor.empty()) {
    ASSIGN_OR_RETURN(after_, DecodeCursor(q_.cursor, SortDirections().size()));
  }
  return Status::Ok();
}

// FROM (subquery): the inner query runs on the same snapshot; its rows are
// the source of this one.
Status Executor::RunSubquery() {
  ASSIGN_OR_RETURN(QueryResult inner, Execute(engine_, container_, *q_.inner, opts_));
  if (q_.inner_unlimited && !inner.cursor.empty()) {
    return Status::InvalidArgument("the subquery in FROM yields more rows than one page holds (" +
                                   std::to_string(kMaxLimit) +
                                   " rows, or the result size cap); narrow it or give it a LIMIT");
  }
  size_t bytes = 0;
  for (const json::Value& row : inner.rows) bytes += ApproxBytes(row);
  RETURN_IF_ERROR(budget_.Hold(static_cast<int64_t>(bytes)));
  access_ = RowsAccess(std::move(inner.rows));
  return Status::Ok();
}

// Several ids in one source: each container's rows that pass the filter
// (any_span included, per container) become the rows the query runs over;
// the filter is not applied again.
Status Executor::ReadSources() {
  Query rows_of = q_;
  rows_of.select.clear();
  rows_of.dimensions.clear();
  rows_of.measures.clear();
  rows_of.pivot.clear();
  rows_of.unpivot.clear();
  rows_of.trace_measures.clear();
  rows_of.sort.clear();
  rows_of.final_filter = json::Value();
  rows_of.sample.reset();
  rows_of.cursor.clear();
  rows_of.limit = kMaxLimit;
  rows_of.more_source_ids.clear();
  ExecOptions one = opts_;
  one.more_containers.clear();
  json::Array rows;
  std::vector<std::string> containers{container_};
  containers.insert(containers.end(), opts_.more_containers.begin(), opts_.more_containers.end());
  for (const std::string& c : containers) {
    ASSIGN_OR_RETURN(QueryResult part, Execute(engine_, c, rows_of, one));
    if (!part.cursor.empty()) {
      return Status::InvalidArgument("source " + c + " has more matching rows than one page (" +
                                     std::to_string(kMaxLimit) +
                                     " rows, or the result size cap); query it alone or narrow "
                                     "the filter");
    }
    for (json::Value& row : part.rows) {
      RETURN_IF_ERROR(HoldRow(row));
      rows.push_back(std::move(row));
    }
  }
  access_ = RowsAccess(std::move(rows));
  return Status::Ok();
}

bool Executor::Keep(const json::Value& row) const {
  return filter_.is_null() || Truthy(Eval(filter_, row, ctx_));
}

bool Executor::SampledByRate(const std::string& key) const {
  if (!q_.sample || !q_.sample->by_rate) return true;
  return static_cast<double>(SampleHash(key, q_.sample->seed)) / 18446744073709551616.0 <
         q_.sample->rate;
}

Result<std::unordered_set<std::string>> Executor::SampleByCount(
    const std::vector<std::pair<std::string, engine::PageKey>>& keys) const {
  std::vector<std::pair<uint64_t, std::string>> hashed;
  for (const auto& [k, pk] : keys) hashed.emplace_back(SampleHash(k, q_.sample->seed), k);
  size_t n = std::min(hashed.size(), static_cast<size_t>(q_.sample->count));
  std::partial_sort(hashed.begin(), hashed.begin() + static_cast<ptrdiff_t>(n), hashed.end());
  std::unordered_set<std::string> out;
  for (size_t i = 0; i < n; ++i) out.insert(hashed[i].second);
  return out;
}

json::Value Executor::Project(const json::Value& row) const {
  if (q_.select.empty()) return row;
  json::Object out;
  for (const Named& s : q_.select) out.set(s.alias, Eval(s.expr, row, ctx_));
  return json::Value(std::move(out));
}

bool Executor::PassesFinal(const json::Value& row) const {
  return q_.final_filter.is_null() || Truthy(Eval(q_.final_filter, row, ctx_));
}

std::vector<bool> Executor::SortDirections() const {
  std::vector<bool> out;
  if (q_.aggregated() && q_.sort.empty()) return std::vector<bool>(q_.dimensions.size(), false);
  for (const SortKey& k : q_.sort) out.push_back(k.desc);
  return out;
}

json::Array Executor::SortValues(const json::Value& row) const {
  json::Array out;
  if (q_.aggregated() && q_.sort.empty()) {
    for (const Named& d : q_.dimensions) {
      const json::Value* v = row.find(d.alias);
      out.push_back(v ? *v : json::Value());
    }
    return out;
  }
  for (const SortKey& k : q_.sort) out.push_back(Eval(k.expr, row, ctx_));
  return out;
}

Result<Page> Executor::TakePage(std::vector<Candidate> cands) {
  std::vector<bool> desc = SortDirections();
  if (after_) {
    std::erase_if(cands,
                  [&](const Candidate& c) { return ComparePositions(c.pos, *after_, desc) <= 0; });
  }
  std::sort(cands.begin(), cands.end(), [&](const Candidate& a, const Candidate& b) {
    return ComparePositions(a.pos, b.pos, desc) < 0;
  });
  Page page;
  size_t bytes = 0;
  for (size_t i = 0; i < cands.size(); ++i) {
    size_t n = cands[i].row.Dump().size();
    bool full = static_cast<int64_t>(i) == q_.limit || bytes + n > opts_.limits.result_bytes;
    if (full && i == 0 && q_.limit > 0) {
      return Status::TooLarge("a single result row is larger than the result cap of " +
                              std::to_string(opts_.limits.result_bytes) + " bytes");
    }
    if (full) {
      if (i > 0) page.last = cands[i - 1].pos;
      break;
    }
    bytes += n;
    page.rows.push_back(std::move(cands[i].row));
  }
  return page;
}

Status Executor::ScanFiltered(
    const std::function<Status(json::Value, const engine::PageKey&)>& fn,
    const std::function<std::optional<int64_t>()>* floor) {
  Status st;
  RowVisitor visit = [&](json::Value row, const engine::PageKey& key) {
    st = budget_.Tick();
    if (st.ok() && Keep(row)) st = fn(std::move(row), key);
    return st.ok();
  };
  Status scan;
  if (floor != nullptr && access_.top_k) {
    top_k_.emplace();
    scan = access_.source->ScanTop(*floor, visit, &*top_k_);
  } else {
    scan = access_.source->Scan(std::nullopt, visit);
  }
  RETURN_IF_ERROR(st);
  return scan;
}

Result<Page> Executor::RunSpansStreamed() {
  std::optional<engine::PageKey> after;
  if (after_) after = PageKeyFrom(after_->tiebreak);
  Page page;
  Status st;
  size_t bytes = 0;
  engine::PageKey last;
  Status scan = access_.source->Scan(after, [&](json::Value row, const engine::PageKey& key) {
    st = budget_.Tick();
    if (!st.ok()) return false;
    if (!Keep(row) || !SampledByRate(IdOf(row))) return true;
    json::Value out = Project(row);
    if (!PassesFinal(out)) return true;
    size_t n = out.Dump().size();
    if (static_cast<int64_t>(page.rows.size()) == q_.limit ||
        bytes + n > opts_.limits.result_bytes) {
      if (page.rows.empty() && q_.limit > 0)
        st = Status::TooLarge("a single result row is larger than the result cap");
      if (!page.rows.empty()) page.last = Position{{}, PageKeyValue(last)};
      return false;
    }
    bytes += n;
    page.rows.push_back(std::move(out));
    last = key;
    return true;
  });
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(scan);
  return page;
}

Result<Page> Executor::RunSpansSorted() {
  std::unordered_set<std::string> sample_set;
  bool by_count = q_.sample && !q_.sample->by_rate;
  if (by_count) {
    std::vector<std::pair<std::string, engine::PageKey>> keys;
    RETURN_IF_ERROR(ScanFiltered([&](json::Value row, const engine::PageKey& key) {
      keys.emplace_back(IdOf(row), key);
      return budget_.Hold(static_cast<int64_t>(64 + keys.back().first.size()));
    }));
    ASSIGN_OR_RETURN(sample_set, SampleByCount(keys));
  }
  std::vector<bool> desc = SortDirections();
  auto later = [&](const Candidate& a, const Candidate& b) {
    return ComparePositions(a.pos, b.pos, desc) < 0;
  };
  std::vector<Candidate> heap;  // max-heap by position: the front is the last row kept
  size_t keep = static_cast<size_t>(q_.limit) + 1;
  // A top_k_scan (sort: created desc) may stop once the last row kept
  // outranks every row not visited: only with `keep` rows held.
  std::function<std::optional<int64_t>()> floor = [&]() -> std::optional<int64_t> {
    if (heap.size() < keep) return std::nullopt;
    const json::Value& v = heap.front().pos.keys[0];
    return v.is_string() ? CreatedKey(v.as_string()) : std::nullopt;
  };
  RETURN_IF_ERROR(ScanFiltered([&](json::Value row, const engine::PageKey& key) -> Status {
    std::string id = IdOf(row);
    if (by_count ? !sample_set.count(id) : !SampledByRate(id)) return Status::Ok();
    Position pos{SortValues(row), PageKeyValue(key)};
    if (after_ && ComparePositions(pos, *after_, desc) <= 0) return Status::Ok();
    json::Value out = Project(row);
    if (!PassesFinal(out)) return Status::Ok();
    RETURN_IF_ERROR(HoldRow(out));
    heap.push_back(Candidate{std::move(pos), std::move(out)});
    std::push_heap(heap.begin(), heap.end(), later);
    if (heap.size() > keep) {
      std::pop_heap(heap.begin(), heap.end(), later);
      RETURN_IF_ERROR(budget_.Hold(-static_cast<int64_t>(ApproxBytes(heap.back().row))));
      heap.pop_back();
    }
    return Status::Ok();
  }, &floor));
  return TakePage(std::move(heap));
}

Status Executor::ForEachInput(const std::function<Status(const json::Value&)>& fn) {
  if (q_.shape == Shape::kSpans) {
    std::unordered_set<std::string> sample_set;
    bool by_count = q_.sample && !q_.sample->by_rate;
    if (by_count) {
      std::vector<std::pair<std::string, engine::PageKey>> keys;
      RETURN_IF_ERROR(ScanFiltered([&](json::Value row, const engine::PageKey& key) {
        keys.emplace_back(IdOf(row), key);
        return budget_.Hold(static_cast<int64_t>(64 + keys.back().first.size()));
      }));
      ASSIGN_OR_RETURN(sample_set, SampleByCount(keys));
    }
    return ScanFiltered([&](json::Value row, const engine::PageKey&) {
      std::string id = IdOf(row);
      if (by_count ? !sample_set.count(id) : !SampledByRate(id)) return Status::Ok();
      return fn(row);
    });
  }
  RETURN_IF_ERROR(CollectTraces());
  std::vector<std::string> roots = MatchedTraces();
  std::unordered_set<std::string> set(roots.begin(), roots.end());
  if (q_.shape == Shape::kTraces) {
    return ForEachTraceSpan(set, [&](json::Value row, const engine::PageKey&) { return fn(row); });
  }
  ASSIGN_OR_RETURN(std::vector<Candidate> summaries, Summaries(set));
  for (const Candidate& c : summaries) RETURN_IF_ERROR(fn(c.row));
  return Status::Ok();
}

Result<Page> Executor::RunAggregated() {
  Aggregator agg(q_, ctx_, budget_);
  RETURN_IF_ERROR(ForEachInput([&](const json::Value& row) -> Status {
    if (q_.unpivot.empty()) return agg.Add(row);
    for (const json::Value& r : Unpivoted(row, q_.unpivot, ctx_)) RETURN_IF_ERROR(agg.Add(r));
    return Status::Ok();
  }));
  std::vector<Candidate> cands;
  for (json::Value& row : agg.Finish()) {
    if (!PassesFinal(row)) continue;
    Position pos{SortValues(row), *row.find("$group")};
    row.as_object().erase("$group");
    for (const Named& m : q_.measures) {
      if (m.hidden) row.as_object().erase(m.alias);
    }
    cands.push_back(Candidate{std::move(pos), std::move(row)});
  }
  return TakePage(std::move(cands));
}

Result<QueryResult> Executor::Run() {
  RETURN_IF_ERROR(Prepare());
  Result<Page> page = Status::Internal("no shape ran");
  if (q_.aggregated()) {
    page = RunAggregated();
  } else if (q_.shape == Shape::kTraces) {
    page = RunTraces();
  } else if (q_.shape == Shape::kSummary) {
    page = RunSummary();
  } else if (q_.sort.empty() && !(q_.sample && !q_.sample->by_rate)) {
    page = RunSpansStreamed();
  } else {
    page = RunSpansSorted();
  }
  RETURN_IF_ERROR(page.status());
  QueryResult out;
  out.rows = std::move(page->rows);
  if (page->last) out.cursor = EncodeCursor(*page->last);
  out.snapshot_xact = *opts_.read.as_of;
  out.stats = json::Object{{"rows_visited", static_cast<int64_t>(budget_.rows_visited())},
                           {"peak_bytes_held", static_cast<int64_t>(budget_.peak_bytes())}};
  if (top_k_) out.stats.as_object().set("top_k", TopKJson(*top_k_));
  if (columnar_) out.stats.as_object().set("columnar", ColumnarJson(*columnar_));
  return out;
}

Result<QueryResult> Execute(const engine::Engine& engine, const std::string& container,
                            const Query& q, const ExecOptions& options) {
  Executor ex(engine, container, q, options);
  return ex.Run();
}

json::Value Explain(const engine::Engine& engine, const std::string& container, const Query& q,
                    const ExecOptions& options) {
  if (q.inner) {  // the outer query reads the subquery's rows in memory
    return json::Object{{"access", json::Object{{"type", "subquery"}}},
                        {"subquery", Explain(engine, container, *q.inner, options)}};
  }
  engine::ReadOptions read = options.read;
  if (!read.as_of) read.as_of = engine.last_xact();
  Reader reader = std::make_shared<engine::SnapshotReader>(engine.GetSnapshot(), container);
  EvalContext ctx;
  ctx.now_micros = options.now_micros;  // 0: the clock
  ctx.tz_offset_minutes = options.tz_offset_minutes;
  AccessPlan access = ChooseAccess(std::move(reader), read, q, &ctx);
  json::Value plan = ExplainPlan(q, access, container);
  bool columnar = ColumnarColumns(q).has_value();
  if (!access.top_k && !columnar) return plan;
  // What a top-k scan reads, and how many rows the columnar path builds from
  // columns, depend on the data: run it and show its counts.
  Result<QueryResult> ran = Execute(engine, container, q, options);
  const char* key = columnar ? "columnar" : "top_k";
  const json::Value* stats = ran.ok() ? ran->stats.find(key) : nullptr;
  json::Value described = *plan.find("access");
  if (columnar) described.as_object().set("aggregate", "columnar: single-version segment rows from columns");
  described.as_object().set(columnar ? "columnar" : "ran",
                            stats != nullptr ? *stats : json::Value(ran.status().message()));
  plan.as_object().set("access", std::move(described));
  return plan;
}

json::Value InferSchema(const json::Array& rows) {
  std::map<std::string, std::set<std::string>> types;
  std::vector<std::string> order;
  for (const json::Value& row : rows) {
    if (!row.is_object()) continue;
    for (const auto& [k, v] : row.as_object()) {
      static const char* kNames[] = {"null",   "boolean", "integer", "number",
                                     "string", "array",   "object"};
      auto [it, fresh] = types.try_emplace(k);
      if (fresh) order.push_back(k);
      it->second.insert(kNames[static_cast<int>(v.type())]);
    }
  }
  json::Object props;
  for (const std::string& k : order) {
    const std::set<std::string>& t = types[k];
    if (t.size() == 1) {
      props.set(k, json::Object{{"type", *t.begin()}});
    } else {
      json::Array list;
      for (const std::string& name : t) list.push_back(json::Value(name));
      props.set(k, json::Object{{"type", std::move(list)}});
    }
  }
  return json::Object{
      {"type", "array"},
      {"items", json::Object{{"type", "object"}, {"properties", std::move(props)}}}};
}

}  // namespace spanlake::query::exec
