#include "query/exec/query.h"

#include "query/expr.h"
#include "query/functions.h"
#include "query/syntax/syntax.h"

namespace spanlake::query::exec {

namespace {

// Top-level keys of Braintrust's query tree whose behaviour its public BTQL/SQL
// reference does not document: refused rather than guessed.
const char* const kUnsupportedKeys[] = {"infer", "comparison_key", "weighted_scores",
                                        "custom_columns"};

bool IsOp(const json::Value& node, const char* op) {
  const json::Value* v = node.find("op");
  return v != nullptr && v->is_string() && v->as_string() == op;
}

bool Present(const json::Value* v) {
  return v != nullptr && !v->is_null() && !(v->is_array() && v->as_array().empty());
}

// Replaces every {btql: "<text>"} snippet by the expression it parses to.
Status ExpandSnippets(json::Value& node, const std::string& where) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.as_array().size(); ++i) {
      RETURN_IF_ERROR(ExpandSnippets(node.as_array()[i], where + "[" + std::to_string(i) + "]"));
    }
    return Status::Ok();
  }
  if (!node.is_object() || IsOp(node, "literal")) return Status::Ok();
  if (const json::Value* text = node.find("btql")) {
    if (!text->is_string()) return Status::InvalidArgument(where + ": 'btql' must be a string");
    Result<json::Value> e = syntax::ParseBtqlExpr(text->as_string());
    if (!e.ok()) return e.status().WithContext(where);
    node = std::move(e).value();
    return Status::Ok();
  }
  for (auto& [k, v] : node.as_object()) RETURN_IF_ERROR(ExpandSnippets(v, where + "." + k));
  return Status::Ok();
}

// The ident form of a source, {op:"ident", name:[<source>, <id>]}, as the
// function form.
json::Value SourceAsFunction(const json::Value& from) {
  const json::Value* name = from.find("name");
  if (!IsOp(from, "ident") || name == nullptr || !name->is_array() ||
      name->as_array().size() != 2) {
    return from;
  }
  json::Value fn = Call(name->as_array()[0].is_string() ? name->as_array()[0].as_string() : "",
                        json::Array{Literal(name->as_array()[1])});
  if (const json::Value* shape = from.find("shape")) fn.as_object().set("shape", *shape);
  return fn;
}

Status BindSource(const json::Value* from_in, Query& q);

// FROM (SELECT …): binds the inner tree; the outer reads its rows.
Status BindSubquery(const json::Value& from, Query& q) {
  const json::Value* tree = from.find("query");
  if (tree == nullptr || !tree->is_object())
    return Status::InvalidArgument("query.from: a subquery needs 'query', a query tree");
  const json::Value* inner_from = tree->find("from");
  if (inner_from != nullptr && IsOp(*inner_from, "subquery"))
    return Status::InvalidArgument("query.from: subqueries nest one level only");
  if (from.find("shape") != nullptr)
    return Status::InvalidArgument("query.from: a subquery has no shape; set it on its source");
  Result<Query> inner = BindQuery(*tree);
  if (!inner.ok()) return inner.status().WithContext("query.from.query");
  if (!inner->cursor.empty())
    return Status::InvalidArgument("query.from.query: a subquery takes no cursor");
  const json::Value* limit = tree->find("limit");
  if (limit == nullptr || limit->is_null()) {
    inner->limit = kMaxLimit;
    q.inner_unlimited = true;
  }
  q.source_kind = inner->source_kind;
  q.source_id = inner->source_id;
  q.inner = std::make_shared<const Query>(std::move(inner).value());
  return Status::Ok();
}

Status BindSource(const json::Value* from_in, Query& q) {
  if (from_in != nullptr && IsOp(*from_in, "subquery")) return BindSubquery(*from_in, q);
  json::Value converted = from_in != nullptr ? SourceAsFunction(*from_in) : json::Value();
  const json::Value* from = from_in != nullptr ? &converted : nullptr;
  const char* expected =
      "query.from must be project_logs('<id>'), experiment('<id>') or dataset('<id>'), i.e. "
      "{op:\"function\", name:{op:\"ident\", name:[<source>]}, args:[{op:\"literal\", "
      "value:<id>}]}";
  if (from == nullptr || !from->is_object() || !IsOp(*from, "function")) {
    return Status::InvalidArgument(expected);
  }
  q.source_kind = FunctionName(*from);
  if (q.source_kind != "project_logs" && q.source_kind != "experiment" &&
      q.source_kind != "dataset" && q.source_kind != "project_functions") {
    return Status::InvalidArgument(
        "query.from: unsupported source '" + q.source_kind +
        "'; use project_logs, experiment, dataset or project_functions");
  }
  const json::Value* args = from->find("args");
  if (args == nullptr || !args->is_array() || args->as_array().empty()) {
    return Status::InvalidArgument(std::string("query.from: ") + expected);
  }
  for (size_t i = 0; i < args->as_array().size(); ++i) {
    const json::Value& arg = ArgExpr(args->as_array()[i]);
    const json::Value* id = IsOp(arg, "literal") ? arg.find("value") : nullptr;
    if (id == nullptr || !id->is_string() || id->as_string().empty()) {
      return Status::InvalidArgument(
          "query.from: each source argument must be a quoted id or name");
    }
    if (i == 0) {
      q.source_id = id->as_string();
    } else {
      q.more_source_ids.push_back(id->as_string());
    }
  }
  const json::Value* shape = from->find("shape");
  if (!q.more_source_ids.empty() && shape != nullptr && !shape->is_null() &&
      *shape != json::Value("spans")) {
    return Status::InvalidArgument("query.from: several ids in one source read the spans shape "
                                   "only");
  }
  if (shape == nullptr || shape->is_null() || *shape == json::Value("spans")) return Status::Ok();
  if (*shape == json::Value("traces")) {
    q.shape = Shape::kTraces;
  } else if (*shape == json::Value("summary")) {
    q.shape = Shape::kSummary;
  } else {
    return Status::InvalidArgument("query.from.shape must be 'spans', 'traces' or 'summary'");
  }
  return Status::Ok();
}

Result<std::vector<Named>> BindList(const json::Value* list, const std::string& where,
                                    ExprRules rules, bool allow_star, bool* star) {
  std::vector<Named> out;
  if (!Present(list)) return out;
  if (!list->is_array()) return Status::InvalidArgument(where + " must be an array");
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const json::Value& item = list->as_array()[i];
    std::string at = where + "[" + std::to_string(i) + "]";
    if (IsOp(item, "star")) {
      if (!allow_star) return Status::InvalidArgument(at + ": '*' is not allowed here");
      *star = true;
      continue;
    }
    const json::Value* alias = item.find("alias");
    const json::Value* expr = item.find("expr");
    if (alias == nullptr || !alias->is_string() || expr == nullptr) {
      return Status::InvalidArgument(at + ": must be {expr, alias}" +
                                     (allow_star ? " or {op:\"star\"}" : ""));
    }
    RETURN_IF_ERROR(ValidateExpr(*expr, at + ".expr", rules));
    out.push_back(Named{alias->as_string(), *expr});
  }
  if (allow_star && *star && !out.empty()) {
    return Status::InvalidArgument(where + ": '*' cannot be combined with other select items");
  }
  return out;
}

// Whether `node` reads a row field outside of every aggregate call.
bool BareIdent(const json::Value& node) {
  if (node.is_array()) {
    for (const json::Value& e : node.as_array()) {
      if (BareIdent(e)) return true;
    }
    return false;
  }
  if (!node.is_object() || IsOp(node, "literal")) return false;
  if (IsOp(node, "ident")) return true;
  if (IsOp(node, "function") && IsAggregateFunction(FunctionName(node))) return false;
  for (const auto& [k, v] : node.as_object()) {
    if (k != "name" && k != "loc" && BareIdent(v)) return true;
  }
  return false;
}

// Rewrites an expression over output rows: sub-expressions equal to a
// dimension or measure become that column; other aggregate calls become new
// hidden measures in `hidden` (named `prefix`N).
json::Value RewriteForOutput(const json::Value& node, const std::vector<Named>& columns,
                             std::vector<Named>& hidden, const char* prefix) {
  if (node.is_array()) {
    json::Array out;
    for (const json::Value& e : node.as_array())
      out.push_back(RewriteForOutput(e, columns, hidden, prefix));
    return out;
  }
  if (!node.is_object() || IsOp(node, "literal")) return node;
  json::Value bare = WithoutLoc(node);
  for (const std::vector<Named>* list :
       {&columns, static_cast<const std::vector<Named>*>(&hidden)}) {
    for (const Named& c : *list) {
      if (WithoutLoc(c.expr) == bare) return Ident(json::Array{json::Value(c.alias)});
    }
  }
  if (IsOp(node, "function") && IsAggregateFunction(FunctionName(node))) {
    std::string alias = prefix + std::to_string(hidden.size());
    hidden.push_back(Named{alias, node, true});
    return Ident(json::Array{json::Value(alias)});
  }
  json::Object out;
  for (const auto& [k, v] : node.as_object()) {
    out.set(k, k == "name" ? v : RewriteForOutput(v, columns, hidden, prefix));
  }
  return out;
}

Status BindAggregation(const json::Value& tree, Query& q) {
  bool unused = false;
  ASSIGN_OR_RETURN(q.dimensions,
                   BindList(tree.find("dimensions"), "query.dimensions", {}, false, &unused));
  ExprRules agg{.allow_aggregates = true, .allow_any_span = false};
  ASSIGN_OR_RETURN(q.measures,
                   BindList(tree.find("measures"), "query.measures", agg, false, &unused));
  for (size_t i = 0; i < q.measures.size(); ++i) {
    if (BareIdent(q.measures[i].expr)) {
      return Status::InvalidArgument(
          "query.measures[" + std::to_string(i) + "] ('" + q.measures[i].alias +
          "'): fields must be inside an aggregate such as count(), sum() or avg()");
    }
  }
  ASSIGN_OR_RETURN(q.pivot, BindList(tree.find("pivot"), "query.pivot", {}, false, &unused));
  if (!q.pivot.empty() && q.measures.empty()) {
    return Status::InvalidArgument("query.pivot needs measures to spread over the pivot values");
  }
  return Status::Ok();
}

Status BindUnpivot(const json::Value* list, Query& q) {
  if (!Present(list)) return Status::Ok();
  if (!list->is_array()) return Status::InvalidArgument("query.unpivot must be an array");
  if (!q.aggregated()) return Status::InvalidArgument("query.unpivot needs dimensions or measures");
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const json::Value& item = list->as_array()[i];
    std::string at = "query.unpivot[" + std::to_string(i) + "]";
    const json::Value* expr = item.find("expr");
    const json::Value* alias = item.find("alias");
    if (expr == nullptr || alias == nullptr)
      return Status::InvalidArgument(at + ": must be {expr, alias}");
    RETURN_IF_ERROR(ValidateExpr(*expr, at + ".expr"));
    Unpivot u{*expr, "", ""};
    if (alias->is_string()) {
      u.alias = alias->as_string();
    } else if (alias->is_array() && alias->as_array().size() == 2 &&
               alias->as_array()[0].is_string() && alias->as_array()[1].is_string()) {
      u.alias = alias->as_array()[0].as_string();
      u.value_alias = alias->as_array()[1].as_string();
    } else {
      return Status::InvalidArgument(at + ".alias must be a name or [key_name, value_name]");
    }
    q.unpivot.push_back(std::move(u));
  }
  return Status::Ok();
}

Status BindSort(const json::Value* list, Query& q) {
  if (!Present(list)) return Status::Ok();
  if (!list->is_array()) return Status::InvalidArgument("query.sort must be an array");
  std::vector<Named> columns = q.dimensions;
  columns.insert(columns.end(), q.measures.begin(), q.measures.end());
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const json::Value& item = list->as_array()[i];
    std::string at = "query.sort[" + std::to_string(i) + "]";
    const json::Value* expr = item.find("expr");
    const json::Value* dir = item.find("dir");
    if (expr == nullptr || (dir != nullptr && !dir->is_null() && *dir != json::Value("asc") &&
                            *dir != json::Value("desc"))) {
      return Status::InvalidArgument(at + ": must be {expr, dir: \"asc\"|\"desc\"}");
    }
    SortKey key{*expr, dir != nullptr && *dir == json::Value("desc")};
    if (!q.aggregated())
      RETURN_IF_ERROR(ValidateExpr(*expr, at + ".expr", {.allow_any_span = false}));
    if (q.aggregated()) {
      key.expr = RewriteForOutput(*expr, columns, q.measures, "$sort");
    } else if (IsOp(*expr, "ident") && expr->find("name")->as_array().size() == 1) {
      for (const Named& s : q.select) {
        if (json::Value(s.alias) == expr->find("name")->as_array()[0]) key.expr = s.expr;
      }
    }
    RETURN_IF_ERROR(
        ValidateExpr(key.expr, at + ".expr", {.allow_aggregates = false, .allow_any_span = false}));
    q.sort.push_back(std::move(key));
  }
  return Status::Ok();
}

Status BindFinalFilter(const json::Value* f, Query& q) {
  if (!Present(f)) return Status::Ok();
  std::vector<Named> columns = q.dimensions;
  columns.insert(columns.end(), q.measures.begin(), q.measures.end());
  if (q.aggregated()) {
    q.final_filter = RewriteForOutput(*f, columns, q.measures, "$having");
  } else if (q.shape == Shape::kSummary) {
    q.final_filter = RewriteForOutput(*f, {}, q.trace_measures, "$agg");
  } else {
    q.final_filter = *f;
  }
  for (const std::vector<Named>* list : {&q.measures, &q.trace_measures}) {  // NOLINT
    for (const Named& m : *list) {
      if (m.hidden) {
        RETURN_IF_ERROR(ValidateExpr(m.expr, "query.final_filter",
                                     {.allow_aggregates = true, .allow_any_span = false}));
      }
    }
  }
  return ValidateExpr(q.final_filter, "query.final_filter",
                      {.allow_aggregates = false, .allow_any_span = false});
}

Status BindSample(const json::Value* s, Query& q) {
  if (!Present(s)) return Status::Ok();
  const json::Value* method = s->find("method");
  const json::Value* type = method ? method->find("type") : nullptr;
  const json::Value* value = method ? method->find("value") : nullptr;
  if (type == nullptr || value == nullptr || !value->is_number()) {
    return Status::InvalidArgument(
        "query.sample must be {method:{type:\"rate\"|\"count\", value}, seed?}");
  }
  Sample out;
  if (*type == json::Value("rate") && value->as_double() >= 0 && value->as_double() <= 1) {
    out.rate = value->as_double();
  } else if (*type == json::Value("count") && value->is_int() && value->as_int() >= 1) {
    out.by_rate = false;
    out.count = value->as_int();
  } else {
    return Status::InvalidArgument("query.sample: a rate is from 0 to 1, a count an integer ≥ 1");
  }
  if (const json::Value* seed = s->find("seed"); seed && seed->is_int()) out.seed = seed->as_int();
  q.sample = out;
  return Status::Ok();
}

Status BindScalars(const json::Value& tree, Query& q) {
  if (const json::Value* l = tree.find("limit"); l && !l->is_null()) {
    if (!l->is_int() || l->as_int() < 0 || l->as_int() > kMaxLimit) {
      return Status::InvalidArgument("query.limit must be an integer from 0 to " +
                                     std::to_string(kMaxLimit));
    }
    q.limit = l->as_int();
  }
  if (const json::Value* c = tree.find("cursor"); c && !c->is_null()) {
    if (!c->is_string()) return Status::InvalidArgument("query.cursor must be a string");
    q.cursor = c->as_string();
  }
  if (const json::Value* p = tree.find("preview_length"); p && !p->is_null()) {
    if (!p->is_int() || p->as_int() < 0 || p->as_int() > 1000000) {
      return Status::InvalidArgument("query.preview_length must be an integer from 0 to 1000000");
    }
    q.preview_length = p->as_int();
  }
  return Status::Ok();
}

json::Value And(json::Value a, json::Value b) {
  if (a.is_null()) return b;
  return json::Object{{"op", "and"}, {"children", json::Array{std::move(a), std::move(b)}}};
}

// Splits `node` into its top-level AND terms (n-ary `children` or left/right).
void Conjuncts(const json::Value& node, json::Array& out) {
  if (IsOp(node, "and")) {
    if (const json::Value* c = node.find("children"); c != nullptr && c->is_array()) {
      for (const json::Value& e : c->as_array()) Conjuncts(e, out);
    }
    for (const char* side : {"left", "right"}) {
      if (const json::Value* e = node.find(side); Present(e)) Conjuncts(*e, out);
    }
    return;
  }
  out.push_back(node);
}

// `FILTER_SPANS(cond)` as a top-level AND term of the filter is the text form
// of span_filter (Braintrust's SQL reference: keep the trace selection, narrow
// the spans returned): the terms move into the tree's span_filter. Anywhere
// else the validator refuses it.
Status HoistFilterSpans(json::Value& tree) {
  json::Value* f = tree.find("filter");
  if (!Present(f) || f->Dump().find("filter_spans") == std::string::npos) return Status::Ok();
  json::Array terms;
  Conjuncts(*f, terms);
  json::Value kept, spans;
  for (json::Value& t : terms) {
    if (FunctionName(t) != "filter_spans") {
      kept = And(std::move(kept), std::move(t));
      continue;
    }
    const json::Value* args = t.find("args");
    if (args == nullptr || !args->is_array() || args->as_array().size() != 1) {
      return Status::InvalidArgument("query.filter: FILTER_SPANS() takes one condition");
    }
    spans = And(std::move(spans), ArgExpr(args->as_array()[0]));
  }
  if (spans.is_null()) return Status::Ok();  // only a string mentioned it
  if (const json::Value* s = tree.find("span_filter"); Present(s)) spans = And(*s, std::move(spans));
  tree.as_object().set("span_filter", std::move(spans));
  if (kept.is_null()) {
    tree.as_object().erase("filter");
  } else {
    tree.as_object().set("filter", std::move(kept));
  }
  return Status::Ok();
}

// trace_filter keeps the traces any span of which matches: `any_span(cond)`
// joins the filter. span_filter narrows the spans returned: on the spans
// shape it joins the filter; on the traces shape it applies to the spans of
// the chosen traces.
Status BindSpanAndTraceFilters(const json::Value& tree, Query& q) {
  if (const json::Value* t = tree.find("trace_filter"); Present(t)) {
    RETURN_IF_ERROR(ValidateExpr(*t, "query.trace_filter", {.allow_any_span = false}));
    q.filter = And(std::move(q.filter), Call("any_span", json::Array{*t}));
  }
  const json::Value* s = tree.find("span_filter");
  if (!Present(s)) return Status::Ok();
  RETURN_IF_ERROR(ValidateExpr(*s, "query.span_filter", {.allow_any_span = false}));
  if (q.shape == Shape::kSummary) {
    return Status::InvalidArgument(
        "query.span_filter (FILTER_SPANS()) applies to the spans and traces shapes, not summary");
  }
  if (q.shape == Shape::kSpans) {
    q.filter = And(std::move(q.filter), *s);
  } else {
    q.span_filter = *s;
  }
  return Status::Ok();
}

}  // namespace

const char* ShapeName(Shape s) {
  switch (s) {
    case Shape::kSpans: return "spans";
    case Shape::kTraces: return "traces";
    case Shape::kSummary: return "summary";
  }
  return "?";
}

Result<Query> BindQuery(const json::Value& tree_in) {
  if (!tree_in.is_object())
    return Status::InvalidArgument("'query' must be text or the JSON query tree");
  json::Value tree = tree_in;
  RETURN_IF_ERROR(ExpandSnippets(tree, "query"));
  RETURN_IF_ERROR(HoistFilterSpans(tree));
  for (const char* key : kUnsupportedKeys) {
    if (Present(tree.find(key)))
      return Status::InvalidArgument(std::string("query.") + key +
                                     " is not supported yet: Braintrust's public query reference "
                                     "does not define what it does");
  }
  Query q;
  RETURN_IF_ERROR(BindSource(tree.find("from"), q));
  bool star = false;
  ASSIGN_OR_RETURN(q.select, BindList(tree.find("select"), "query.select",
                                      {.allow_any_span = false}, true, &star));
  if (const json::Value* f = tree.find("filter"); Present(f)) {
    RETURN_IF_ERROR(ValidateExpr(*f, "query.filter"));
    q.filter = *f;
  }
  RETURN_IF_ERROR(BindSpanAndTraceFilters(tree, q));
  RETURN_IF_ERROR(BindAggregation(tree, q));
  RETURN_IF_ERROR(BindUnpivot(tree.find("unpivot"), q));
  RETURN_IF_ERROR(BindScalars(tree, q));
  RETURN_IF_ERROR(BindSort(tree.find("sort"), q));
  RETURN_IF_ERROR(BindFinalFilter(tree.find("final_filter"), q));
  RETURN_IF_ERROR(BindSample(tree.find("sample"), q));
  return q;
}

}  // namespace spanlake::query::exec
