#include "segment/columns.h"

#include <algorithm>
#include <cmath>

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

constexpr double kExactInt = 9007199254740992.0;  // 2^53: larger integers lose digits as doubles

// How a number reads back from the version's JSON: 2 an integer the column's
// double holds exactly, 1 a double, 0 neither (a large integer, non-finite).
int NumberKind(const json::Value& v) {
  if (v.is_int()) return std::fabs(static_cast<double>(v.as_int())) <= kExactInt ? 2 : 0;
  double d = v.as_double();
  if (!std::isfinite(d)) return 0;
  if (std::trunc(d) != d) return 1;
  // An integral double may be written as an integer token ("3"): ask the parser.
  Result<json::Value> back = json::Value::Parse(v.Dump());
  if (!back.ok() || !back->is_number()) return 0;
  if (!back->is_int()) return 1;
  return std::fabs(d) <= kExactInt ? 2 : 0;
}

void PutVersionList(std::string* out, const std::vector<uint64_t>& versions) {
  PutVarint64(out, versions.size());
  uint64_t prev = 0;
  for (uint64_t v : versions) {
    PutVarint64(out, v - prev);
    prev = v;
  }
}

bool GetVersionList(Decoder& d, uint64_t version_count, std::vector<uint64_t>* out) {
  uint64_t n = 0;
  if (!d.GetVarint64(&n) || n > version_count) return false;
  out->resize(n);
  uint64_t v = 0;
  for (uint64_t& x : *out) {
    uint64_t delta = 0;
    if (!d.GetVarint64(&delta)) return false;
    v += delta;
    if (v >= version_count || (&x != out->data() && delta == 0)) return false;
    x = v;
  }
  return true;
}

}  // namespace

void ColumnsBuilder::Add(const std::string& name, ColumnType type, uint64_t ordinal,
                         const json::Value& v) {
  Values& col =
      columns_.try_emplace(name, Values{type, {}, {}, {}, false, {}, UINT64_MAX}).first->second;
  if (col.last == ordinal) return;  // a repeated key (parsed objects have none): the first wins
  col.last = ordinal;
  if (type == ColumnType::kDouble) {
    int kind = v.is_number() ? NumberKind(v) : 0;
    if (v.is_number()) col.values.emplace_back(ordinal, v);
    if (kind == 2) col.ints.push_back(ordinal);
    if (kind == 0) col.others.push_back(ordinal);
    return;
  }
  if (v.is_string()) {
    col.values.emplace_back(ordinal, v);
  } else {
    col.others.push_back(ordinal);
  }
}

void ColumnsBuilder::AddMetadata(uint64_t ordinal, const json::Object& metadata) {
  for (const auto& [k, v] : metadata) {
    if (k.find('.') != std::string::npos) continue;  // `metadata.a.b` would name a nested path
    std::string name = "metadata." + k;
    auto it = columns_.find(name);
    if (it == columns_.end()) {
      if (metadata_columns_ == kMaxMetadataColumns) {
        metadata_complete_ = false;  // this key is not tracked: readers know nothing of it
        continue;
      }
      ++metadata_columns_;
      Values fresh{ColumnType::kString, {}, {}, {}, true, {}, UINT64_MAX};
      it = columns_.try_emplace(name, std::move(fresh)).first;
    }
    Values& col = it->second;
    if (col.last == ordinal) continue;  // a repeated key: the first wins, as Object::find
    col.last = ordinal;
    if (!v.is_string() || v.as_string().size() > kMaxMetadataValueBytes) {
      col.others.push_back(ordinal);
      continue;
    }
    if (col.distinct.size() > kMaxMetadataDistinct) continue;  // dropped: values no longer kept
    col.distinct.insert(v.as_string());
    col.values.emplace_back(ordinal, v);
  }
}

bool ColumnsBuilder::Kept(const Values& col) {
  return !col.metadata || col.distinct.size() <= kMaxMetadataDistinct;
}

void ColumnsBuilder::AddVersion(uint64_t ordinal, const json::Object& write) {
  if (const json::Value* c = write.find("created")) Add("created", ColumnType::kString, ordinal, *c);
  for (const auto& path : kStringPaths) {
    const json::Value* obj = write.find(path[0]);
    const json::Value* v = obj && obj->is_object() ? obj->find(path[1]) : nullptr;
    if (v) Add(std::string(path[0]) + "." + path[1], ColumnType::kString, ordinal, *v);
  }
  for (const char* name : kNumericObjects) {
    const json::Value* obj = write.find(name);
    if (obj == nullptr || !obj->is_object()) continue;
    for (const auto& [k, v] : obj->as_object()) {
      Add(std::string(name) + "." + k, ColumnType::kDouble, ordinal, v);
    }
  }
  const json::Value* metadata = write.find("metadata");
  if (metadata != nullptr && metadata->is_object()) AddMetadata(ordinal, metadata->as_object());
}

std::string ColumnsBuilder::EncodeExtras() const {
  std::string out;
  out.push_back(metadata_complete_ ? 1 : 0);
  PutVarint64(&out, columns_.size());
  for (const auto& [name, col] : columns_) {
    PutString(&out, name);
    out.push_back(Kept(col) ? 0 : 1);
    if (!Kept(col)) continue;
    PutVersionList(&out, col.ints);
    PutVersionList(&out, col.others);
  }
  return out;
}

std::string ColumnsBuilder::Encode(const std::vector<uint64_t>& block_first_versions) const {
  std::string out;
  size_t n = 0;
  for (const auto& [name, col] : columns_) n += Kept(col) ? 1 : 0;
  PutVarint64(&out, n);
  for (const auto& [name, col] : columns_) {
    if (!Kept(col)) continue;
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

Result<std::shared_ptr<const ColumnSet>> ColumnSet::Decode(std::string bytes,
                                                           std::optional<std::string> extras,
                                                           uint64_t block_count,
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
  if (extras) RETURN_IF_ERROR(set->DecodeExtras(*extras, version_count));
  return std::shared_ptr<const ColumnSet>(std::move(set));
}

Status ColumnSet::DecodeExtras(std::string_view extras, uint64_t version_count) {
  Decoder d(extras);
  uint8_t complete = 0;
  uint64_t n = 0;
  if (!d.GetByte(&complete) || complete > 1 || !d.GetVarint64(&n) || n > d.remaining()) {
    return Bad("extras: bad header");
  }
  has_extras_ = true;
  metadata_complete_ = complete == 1;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name;
    uint8_t dropped = 0;
    if (!d.GetString(&name) || !d.GetByte(&dropped) || dropped > 1) return Bad("extras: truncated column");
    if (dropped == 1) {
      dropped_.emplace(name);
      continue;
    }
    auto it = std::find_if(columns_.begin(), columns_.end(), [&](const Column& c) { return c.name == name; });
    if (it == columns_.end()) return Bad("extras: names a column the columns section lacks");
    if (it->exact) return Bad("extras: column listed twice");
    if (!GetVersionList(d, version_count, &it->ints) || !GetVersionList(d, version_count, &it->others)) {
      return Bad("extras: bad version list of " + std::string(name));
    }
    it->exact = true;
  }
  if (!d.empty()) return Bad("extras: trailing bytes");
  for (const Column& c : columns_) {
    if (!c.exact) return Bad("extras: column " + c.name + " is not listed");
  }
  return Status::Ok();
}

bool ColumnSet::Knows(std::string_view name) const {
  if (!has_extras_ || dropped_.count(name) > 0) return false;
  if (Find(name) != nullptr) return true;
  if (name.starts_with("metadata.")) {
    return metadata_complete_ && name.find('.', 9) == std::string_view::npos;
  }
  return name == "created" || name == "span_attributes.type" || name == "span_attributes.name" ||
         name.starts_with("metrics.") || name.starts_with("scores.");
}

const Column* ColumnSet::Find(std::string_view name) const {
  for (const Column& c : columns_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace spanlake::segment
