#include "segment/columns.h"

#include <algorithm>

#include "segment/coding.h"

namespace spanlake::segment {

namespace {

constexpr const char* kStringPaths[][2] = {
    {"span_attributes", "type"}, {"span_attributes", "name"}};
constexpr const char* kNumericObjects[] = {"metrics", "scores"};

Status Bad(std::string_view what) {
  return Status::Corruption("segment columns section: " + std::string(what));
}

void PutValue(std::string* out, ColumnType type, const json::Value& v) {
  if (type == ColumnType::kDouble) {
    PutDouble(out, v.as_double());
  } else {
    PutString(out, v.as_string());
  }
}

bool GetValue(Decoder& d, ColumnType type, double* num, std::string_view* str) {
  return type == ColumnType::kDouble ? d.GetDouble(num) : d.GetString(str);
}

bool Less(ColumnType type, const json::Value& a, const json::Value& b) {
  return type == ColumnType::kDouble ? a.as_double() < b.as_double() : a.as_string() < b.as_string();
}

}  // namespace

void ColumnsBuilder::Add(const std::string& name, ColumnType type, uint64_t ordinal,
                         const json::Value& v) {
  auto [it, inserted] = columns_.try_emplace(name, Values{type, {}});
  if (it->second.type != type) return;  // first type seen wins; others are not columnar
  it->second.values.emplace_back(ordinal, v);
}

void ColumnsBuilder::AddVersion(uint64_t ordinal, const json::Object& write) {
  if (const json::Value* c = write.find("created"); c && c->is_string()) {
    Add("created", ColumnType::kString, ordinal, *c);
  }
  for (const auto& path : kStringPaths) {
    const json::Value* obj = write.find(path[0]);
    const json::Value* v = obj ? obj->find(path[1]) : nullptr;
    if (v && v->is_string()) Add(std::string(path[0]) + "." + path[1], ColumnType::kString, ordinal, *v);
  }
  for (const char* name : kNumericObjects) {
    const json::Value* obj = write.find(name);
    if (obj == nullptr || !obj->is_object()) continue;
    for (const auto& [k, v] : obj->as_object()) {
      if (v.is_number()) Add(std::string(name) + "." + k, ColumnType::kDouble, ordinal, v);
    }
  }
}

std::string ColumnsBuilder::Encode(const std::vector<uint64_t>& block_first_versions) const {
  std::string out;
  PutVarint64(&out, columns_.size());
  for (const auto& [name, col] : columns_) {
    PutString(&out, name);
    out.push_back(static_cast<char>(col.type));
    PutVarint64(&out, block_first_versions.size());
    size_t i = 0;
    for (size_t b = 0; b < block_first_versions.size(); ++b) {
      uint64_t end = b + 1 < block_first_versions.size() ? block_first_versions[b + 1] : UINT64_MAX;
      size_t begin = i;
      while (i < col.values.size() && col.values[i].first < end) ++i;
      PutVarint64(&out, i - begin);
      if (i == begin) continue;
      auto [lo, hi] = std::minmax_element(
          col.values.begin() + begin, col.values.begin() + i,
          [type = col.type](const auto& a, const auto& b) { return Less(type, a.second, b.second); });
      PutValue(&out, col.type, lo->second);
      PutValue(&out, col.type, hi->second);
    }
    PutVarint64(&out, col.values.size());
    uint64_t prev = 0;
    for (const auto& [ordinal, v] : col.values) {
      PutVarint64(&out, ordinal - prev);
      prev = ordinal;
      PutValue(&out, col.type, v);
    }
  }
  return out;
}

Result<std::shared_ptr<const ColumnSet>> ColumnSet::Decode(std::string bytes, uint64_t block_count,
                                                           uint64_t version_count) {
  auto set = std::make_shared<ColumnSet>();
  set->bytes_ = std::move(bytes);
  Decoder d(set->bytes_);
  uint64_t n = 0;
  if (!d.GetVarint64(&n) || n > d.remaining()) return Bad("bad column count");
  set->columns_.resize(n);
  for (Column& c : set->columns_) {
    std::string_view name;
    uint8_t type = 0;
    uint64_t blocks = 0;
    if (!d.GetString(&name) || !d.GetByte(&type) || !d.GetVarint64(&blocks)) return Bad("truncated column");
    if (type != 1 && type != 2) return Bad("unknown column type");
    if (blocks != block_count) return Bad("block count disagrees with the blocks section");
    c.name = name;
    c.type = static_cast<ColumnType>(type);
    c.blocks.resize(blocks);
    for (BlockStat& s : c.blocks) {
      if (!d.GetVarint64(&s.present)) return Bad("truncated block stats");
      if (s.present == 0) continue;
      if (!GetValue(d, c.type, &s.min_num, &s.min_str) || !GetValue(d, c.type, &s.max_num, &s.max_str)) {
        return Bad("truncated block min/max");
      }
    }
    uint64_t count = 0;
    if (!d.GetVarint64(&count) || count > version_count) return Bad("bad value count");
    c.values.resize(count);
    uint64_t ordinal = 0;
    for (ColumnValue& v : c.values) {
      uint64_t delta = 0;
      if (!d.GetVarint64(&delta) || !GetValue(d, c.type, &v.num, &v.str)) return Bad("truncated values");
      ordinal += delta;
      if (ordinal >= version_count) return Bad("version ordinal out of range");
      v.version = ordinal;
    }
  }
  if (!d.empty()) return Bad("trailing bytes");
  return std::shared_ptr<const ColumnSet>(std::move(set));
}

const Column* ColumnSet::Find(std::string_view name) const {
  for (const Column& c : columns_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace spanlake::segment
