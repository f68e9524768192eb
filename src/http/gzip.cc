#include "http/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace spanlake::http {

namespace {

constexpr size_t kChunk = 64 << 10;
constexpr size_t kMaxFeed = 1u << 30;  // zlib counts input in uInt

// Owns an inflate stream so that every return path ends it.
class Inflater {
 public:
  explicit Inflater(int window_bits) { ok_ = inflateInit2(&zs_, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return ok_; }
  z_stream* stream() { return &zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

Status Corrupt() { return Status::InvalidArgument("invalid compressed data"); }

// Feeds zlib from `*in`, advancing it by what zlib consumed.
void Feed(z_stream* zs, std::string_view* in) {
  if (zs->avail_in > 0 || in->empty()) return;
  size_t n = std::min(in->size(), kMaxFeed);
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in->data()));
  zs->avail_in = static_cast<uInt>(n);
  in->remove_prefix(n);
}

}  // namespace

Result<std::string> Inflate(std::string_view in, DeflateFormat format, size_t max_out) {
  Inflater inflater(format == DeflateFormat::kRaw ? -15 : 15 + 32);
  if (!inflater.ok()) return Status::Internal("inflateInit2 failed");
  z_stream* zs = inflater.stream();
  std::string out;
  for (;;) {
    Feed(zs, &in);
    // Room for one byte past the limit, so that exceeding it is detectable
    // without ever holding more than max_out + 1 bytes.
    size_t room = std::min(kChunk, max_out + 1 - out.size());
    size_t old = out.size();
    out.resize(old + room);
    zs->next_out = reinterpret_cast<Bytef*>(out.data() + old);
    zs->avail_out = static_cast<uInt>(room);
    int rc = inflate(zs, Z_NO_FLUSH);
    out.resize(old + room - zs->avail_out);
    if (out.size() > max_out) return Status::TooLarge("inflated data exceeds the limit");
    bool input_left = zs->avail_in > 0 || !in.empty();
    if (rc == Z_STREAM_END) {
      if (!input_left || format == DeflateFormat::kRaw) return out;
      if (inflateReset(zs) != Z_OK) return Corrupt();  // next gzip member
      continue;
    }
    if (rc == Z_BUF_ERROR && !input_left) return Corrupt();  // truncated
    if (rc != Z_OK && rc != Z_BUF_ERROR) return Corrupt();
  }
}

std::string GzipCompress(std::string_view in, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(std::min(in.size(), kMaxFeed))) + 64);
  size_t written = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    Feed(&zs, &in);
    if (written == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + written);
    zs.avail_out = static_cast<uInt>(std::min(out.size() - written, kMaxFeed));
    size_t room = zs.avail_out;
    rc = deflate(&zs, in.empty() ? Z_FINISH : Z_NO_FLUSH);
    written += room - zs.avail_out;
  }
  deflateEnd(&zs);
  out.resize(written);
  return out;
}

}  // namespace spanlake::http
