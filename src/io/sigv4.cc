#include "io/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace spanlake::io::sigv4 {

namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

// Spelled out rather than std::isalnum, which follows the C locale.
bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Header values are signed trimmed, with inner runs of spaces collapsed to one.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Lowercased names, sorted; repeated names joined with ',' in order given.
Pairs CanonicalHeaderList(const Pairs& headers) {
  Pairs sorted;
  for (const auto& [name, value] : headers) sorted.emplace_back(Lower(name), TrimValue(value));
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Pairs merged;
  for (auto& h : sorted) {
    if (!merged.empty() && merged.back().first == h.first) {
      merged.back().second += "," + h.second;
    } else {
      merged.push_back(std::move(h));
    }
  }
  return merged;
}

std::string CredentialScope(std::string_view amz_date, std::string_view region,
                            std::string_view service) {
  return std::string(amz_date.substr(0, 8)) + "/" + std::string(region) + "/" +
         std::string(service) + "/aws4_request";
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string CanonicalQuery(const Pairs& query) {
  Pairs encoded;
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k + "=" + v;
  }
  return out;
}

std::string AmzDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string SignedHeaders(const Request& r) {
  std::string out;
  for (const auto& h : CanonicalHeaderList(r.headers)) {
    if (!out.empty()) out.push_back(';');
    out += h.first;
  }
  return out;
}

std::string CanonicalRequest(const Request& r) {
  std::string out = r.method + "\n" + r.encoded_path + "\n" + CanonicalQuery(r.query) + "\n";
  for (const auto& [name, value] : CanonicalHeaderList(r.headers)) {
    out += name + ":" + value + "\n";
  }
  // Appended piece by piece: GCC 12 at -O3 misreports `"\n" + std::string` (-Wrestrict).
  out += '\n';
  out += SignedHeaders(r);
  out += '\n';
  out += r.payload_hash;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view region,
                         std::string_view service, std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" +
         CredentialScope(amz_date, region, service) + "\n" + Sha256Hex(canonical_request);
}

std::string Authorization(const Credentials& creds, std::string_view amz_date,
                          std::string_view region, std::string_view service, const Request& r) {
  std::string key = SigningKey(creds.secret_key, amz_date.substr(0, 8), region, service);
  std::string to_sign = StringToSign(amz_date, region, service, CanonicalRequest(r));
  std::string signature = Hex(HmacSha256(key, to_sign));
  return std::string(kAlgorithm) + " Credential=" + creds.access_key + "/" +
         CredentialScope(amz_date, region, service) + ",SignedHeaders=" + SignedHeaders(r) +
         ",Signature=" + signature;
}

}  // namespace spanlake::io::sigv4
