#include "io/s3_xml.h"

#include <charconv>

namespace spanlake::io::s3xml {

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity body between '&' and ';' ("amp", "#39", "#x41"), or
// returns false when it is not one we know.
bool DecodeEntity(std::string_view name, std::string* out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& [n, c] : kNamed) {
    if (name == n) {
      out->push_back(c);
      return true;
    }
  }
  if (name.size() < 2 || name[0] != '#') return false;
  bool hex = name[1] == 'x' || name[1] == 'X';
  std::string_view digits = name.substr(hex ? 2 : 1);
  uint32_t cp = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      cp > 0x10FFFF) {
    return false;
  }
  AppendUtf8(cp, out);
  return true;
}

}  // namespace

std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semi != std::string_view::npos && semi - i <= 10 &&
        DecodeEntity(text.substr(i + 1, semi - i - 1), &out)) {
      i = semi + 1;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> ElementTexts(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<";  // built by appending: see the -Wrestrict note in sigv4.cc
  open += tag;
  std::string close = "</";
  close += tag;
  close += '>';
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    char next = after < xml.size() ? xml[after] : '\0';
    if (next != '>' && next != ' ' && next != '/') {  // a longer tag name: <KeyCount> vs <Key>
      pos = after;
      continue;
    }
    if (xml[gt - 1] == '/') {  // <tag/>
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
  return out;
}

std::string FirstText(std::string_view xml, std::string_view tag) {
  auto texts = ElementTexts(xml, tag);
  return texts.empty() ? "" : Unescape(texts.front());
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return Status::Corruption("S3 list response has no ListBucketResult: " +
                              std::string(xml.substr(0, 200)));
  }
  ListPage page;
  for (std::string_view contents : ElementTexts(xml, "Contents")) {
    ObjectInfo info;
    info.key = FirstText(contents, "Key");
    std::string size = FirstText(contents, "Size");
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), info.size);
    if (info.key.empty() || size.empty() || ec != std::errc() || end != size.data() + size.size()) {
      return Status::Corruption("S3 list response has a bad Contents entry: " +
                                std::string(contents.substr(0, 200)));
    }
    page.objects.push_back(std::move(info));
  }
  page.truncated = FirstText(xml, "IsTruncated") == "true";
  page.next_token = FirstText(xml, "NextContinuationToken");
  if (page.truncated && page.next_token.empty()) {
    return Status::Corruption("S3 list response is truncated but has no NextContinuationToken");
  }
  return page;
}

std::string CompleteMultipartBody(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    out += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           Escape(etags[i]) + "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace spanlake::io::s3xml
