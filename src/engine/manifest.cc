#include "engine/manifest.h"

#include <algorithm>
#include <cstdio>

#include "json/value.h"
#include "segment/coding.h"

namespace spanlake::engine {

namespace {

constexpr std::string_view kMagic{"SPLKMAN\n", 8};
constexpr uint32_t kVersion = 2;  // v2 adds pending_deletes; v1 still reads
constexpr size_t kFooterSize = 20;
constexpr int kMaxPublishAttempts = 8;

std::string Digits20(uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(n));
  return buf;
}

json::Value SegmentToJson(const SegmentInfo& s) {
  json::Array containers;
  for (const std::string& c : s.containers) containers.emplace_back(c);
  json::Object out{{"key", s.key},
                      {"bytes", s.bytes},
                      {"rows", s.rows},
                      {"versions", s.versions},
                      {"min_xact", std::to_string(s.min_xact)},
                      {"max_xact", std::to_string(s.max_xact)},
                      {"containers", std::move(containers)}};
  if (s.min_row_ms != 0) out.set("min_row_ms", std::to_string(s.min_row_ms));
  return out;
}

bool GetU64(const json::Value& obj, std::string_view field, uint64_t* out) {
  const json::Value* v = obj.find(field);
  if (v == nullptr) return false;
  if (v->is_int() && v->as_int() >= 0) {
    *out = static_cast<uint64_t>(v->as_int());
    return true;
  }
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 20) return false;
  uint64_t n = 0;
  for (char c : v->as_string()) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = n;
  return true;
}

Result<SegmentInfo> SegmentFromJson(const json::Value& v) {
  SegmentInfo s;
  const json::Value* key = v.find("key");
  const json::Value* containers = v.find("containers");
  if (!key || !key->is_string() || !containers || !containers->is_array() ||
      !GetU64(v, "bytes", &s.bytes) || !GetU64(v, "rows", &s.rows) ||
      !GetU64(v, "versions", &s.versions) || !GetU64(v, "min_xact", &s.min_xact) ||
      !GetU64(v, "max_xact", &s.max_xact)) {
    return Status::Corruption("manifest: malformed segment entry");
  }
  if (v.find("min_row_ms") != nullptr && !GetU64(v, "min_row_ms", &s.min_row_ms)) {
    return Status::Corruption("manifest: malformed min_row_ms");
  }
  s.key = key->as_string();
  for (const json::Value& c : containers->as_array()) {
    if (!c.is_string()) return Status::Corruption("manifest: container name is not a string");
    s.containers.push_back(c.as_string());
  }
  return s;
}

json::Value PendingToJson(const std::vector<PendingDelete>& pending) {
  json::Array out;
  for (const PendingDelete& p : pending) {
    out.push_back(json::Object{{"key", p.key}, {"due_ms", std::to_string(p.due_ms)}});
  }
  return out;
}

Status PendingFromJson(const json::Value* v, std::vector<PendingDelete>* out) {
  if (v == nullptr) return Status::Ok();
  if (!v->is_array()) return Status::Corruption("manifest: pending_deletes is not an array");
  for (const json::Value& e : v->as_array()) {
    PendingDelete p;
    const json::Value* key = e.find("key");
    if (!key || !key->is_string() || !GetU64(e, "due_ms", &p.due_ms)) {
      return Status::Corruption("manifest: malformed pending_deletes entry");
    }
    p.key = key->as_string();
    out->push_back(std::move(p));
  }
  return Status::Ok();
}

}  // namespace

std::string ManifestKey(uint64_t seq) { return std::string(kManifestPrefix) + Digits20(seq); }
std::string SegmentKey(uint64_t seq) { return std::string(kSegmentPrefix) + Digits20(seq) + ".seg"; }

std::string Manifest::Encode() const {
  json::Array segs;
  for (const SegmentInfo& s : segments) segs.push_back(SegmentToJson(s));
  json::Value body(json::Object{{"seq", std::to_string(seq)},
                                {"wal_high_water", std::to_string(wal_high_water)},
                                {"segments", std::move(segs)},
                                {"pending_deletes", PendingToJson(pending_deletes)}});
  std::string out = body.Dump();
  uint32_t body_len = static_cast<uint32_t>(out.size());
  uint32_t crc = segment::MaskedCrc(out);
  segment::PutFixed32(&out, body_len);
  segment::PutFixed32(&out, kVersion);
  segment::PutFixed32(&out, crc);
  out.append(kMagic);
  return out;
}

Result<Manifest> Manifest::Decode(std::string_view bytes) {
  if (bytes.size() < kFooterSize || bytes.substr(bytes.size() - 8) != kMagic) {
    return Status::Corruption("manifest: missing footer magic");
  }
  const char* f = bytes.data() + bytes.size() - kFooterSize;
  uint32_t body_len = segment::DecodeFixed32(f);
  uint32_t version = segment::DecodeFixed32(f + 4);
  uint32_t crc = segment::DecodeFixed32(f + 8);
  if (version != 1 && version != kVersion) {
    return Status::Corruption("manifest: unsupported format version " + std::to_string(version));
  }
  if (body_len != bytes.size() - kFooterSize) return Status::Corruption("manifest: body length mismatch");
  std::string_view body = bytes.substr(0, body_len);
  if (segment::MaskedCrc(body) != crc) return Status::Corruption("manifest: checksum mismatch");
  Result<json::Value> doc = json::Value::Parse(body);
  if (!doc.ok()) return Status::Corruption("manifest: body is not JSON: " + doc.status().message());
  Manifest m;
  const json::Value* segs = doc->find("segments");
  if (!GetU64(*doc, "seq", &m.seq) || !GetU64(*doc, "wal_high_water", &m.wal_high_water) ||
      segs == nullptr || !segs->is_array()) {
    return Status::Corruption("manifest: missing seq, wal_high_water or segments");
  }
  for (const json::Value& s : segs->as_array()) {
    ASSIGN_OR_RETURN(SegmentInfo info, SegmentFromJson(s));
    m.segments.push_back(std::move(info));
  }
  RETURN_IF_ERROR(PendingFromJson(version >= 2 ? doc->find("pending_deletes") : nullptr, &m.pending_deletes));
  return m;
}

Result<LoadedManifest> LoadLatestManifest(io::ObjectStore& store) {
  ASSIGN_OR_RETURN(std::vector<io::ObjectInfo> objects, store.List(kManifestPrefix));
  LoadedManifest out;
  // Names are zero-padded, so bytewise order is seq order: newest last.
  for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
    std::string_view name = std::string_view(it->key).substr(kManifestPrefix.size());
    if (name.size() != 20 || name.find_first_not_of("0123456789") != std::string_view::npos) continue;
    uint64_t seq = std::stoull(std::string(name));
    out.max_seq = std::max(out.max_seq, seq);
    ASSIGN_OR_RETURN(std::string bytes, store.Get(it->key));
    Result<Manifest> m = Manifest::Decode(bytes);
    if (m.ok() && m->seq == seq) {
      out.manifest = std::move(*m);
      return out;
    }
    out.invalid.push_back(it->key);
  }
  return out;
}

Status PublishManifest(io::ObjectStore& store, Manifest* m) {
  for (int attempt = 0; attempt < kMaxPublishAttempts; ++attempt) {
    std::string bytes = m->Encode();
    std::string key = ManifestKey(m->seq);
    Status st = store.PutIfAbsent(key, bytes);
    if (st.ok()) return st;
    if (st.code() != Code::kAlreadyExists) return st.WithContext("publish " + key);
    ASSIGN_OR_RETURN(std::string existing, store.Get(key));
    if (existing == bytes) return Status::Ok();
    if (Manifest::Decode(existing).ok()) {
      return Status::Internal("publish " + key + ": another writer published this manifest");
    }
    ++m->seq;  // a torn manifest holds the name; it is skipped by readers
  }
  return Status::Internal("publish manifest: too many torn manifests in a row");
}

}  // namespace spanlake::engine
