#include "engine/engine.h"

#include "base/log.h"

namespace spanlake::engine {

std::string EncodeTransaction(const std::vector<RowWrite>& rows) {
  std::string out = "{\"v\":1,\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::Object entry{{"c", rows[i].container}, {"o", rows[i].org_id}};
    if (!rows[i].project_id.empty()) entry.set("p", rows[i].project_id);
    entry.set("r", rows[i].row);
    json::Value(std::move(entry)).DumpTo(out);
  }
  out += "]}";
  return out;
}

Result<std::vector<RowWrite>> DecodeTransaction(std::string_view payload) {
  ASSIGN_OR_RETURN(json::Value doc, json::Value::Parse(payload));
  const json::Value* v = doc.find("v");
  const json::Value* rows = doc.find("rows");
  if (v == nullptr || !v->is_int() || v->as_int() != 1 || rows == nullptr || !rows->is_array()) {
    return Status::Corruption("wal transaction: unknown payload version or shape");
  }
  std::vector<RowWrite> out;
  for (json::Value& e : doc.find("rows")->as_array()) {
    const json::Value* c = e.find("c");
    const json::Value* o = e.find("o");
    json::Value* r = e.find("r");
    if (!c || !c->is_string() || !o || !o->is_string() || !r || !r->is_object() ||
        !r->find("id") || !r->find("id")->is_string()) {
      return Status::Corruption("wal transaction: malformed row entry");
    }
    const json::Value* p = e.find("p");
    out.push_back(RowWrite{c->as_string(), o->as_string(), p && p->is_string() ? p->as_string() : "",
                           std::move(r->as_object())});
  }
  return out;
}

Result<std::unique_ptr<Engine>> Engine::Open(const Options& options) {
  std::unique_ptr<Engine> engine(new Engine());
  std::string wal_dir = options.data_dir + "/wal";
  RETURN_IF_ERROR(engine->Replay(wal_dir));
  ASSIGN_OR_RETURN(engine->wal_, wal::Writer::Open(wal_dir, wal::Options{.sync = options.sync}));
  return engine;
}

Engine::~Engine() = default;

Status Engine::Replay(const std::string& wal_dir) {
  uint64_t max_xact = 0;
  auto apply = [&](uint64_t xact, std::string_view payload) -> Status {
    ASSIGN_OR_RETURN(std::vector<RowWrite> rows, DecodeTransaction(payload));
    memtable_.Apply(xact, rows);
    max_xact = std::max(max_xact, xact);
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(wal::ReplayStats stats, wal::Replay(wal_dir, apply));
  if (stats.truncated_bytes > 0) {
    LogWarn("wal: dropped a torn tail of " + std::to_string(stats.truncated_bytes) +
            " bytes (a write that was never acknowledged)");
  }
  LogInfo("wal: replayed " + std::to_string(stats.records) + " transactions");
  clock_.AdvancePast(max_xact);
  visible_xact_ = max_xact;
  return Status::Ok();
}

Result<uint64_t> Engine::Write(std::vector<RowWrite> rows) {
  std::string payload = EncodeTransaction(rows);
  uint64_t xact, seq, ticket;
  {
    std::lock_guard<std::mutex> l(append_mu_);
    xact = clock_.Next();
    seq = next_seq_++;
    ticket = wal_->Append(xact, payload);
  }
  Status synced = wal_->Sync(ticket);
  std::unique_lock<std::mutex> l(apply_mu_);
  apply_cv_.wait(l, [&] { return applied_seq_ == seq; });
  if (synced.ok()) {
    memtable_.Apply(xact, rows);
    visible_xact_ = xact;
  }
  ++applied_seq_;
  apply_cv_.notify_all();
  if (!synced.ok()) return synced;
  return xact;
}

uint64_t Engine::last_xact() const {
  std::lock_guard<std::mutex> l(apply_mu_);
  return visible_xact_;
}

}  // namespace spanlake::engine
