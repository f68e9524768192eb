// zlib wrappers for HTTP bodies: bounded inflation of request bodies (so a
// small "zip bomb" cannot allocate more than the body limit) and gzip
// compression of responses. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace spanlake::http {

enum class DeflateFormat {
  kGzipOrZlib,  // a gzip or zlib header, detected from the first bytes
  kRaw,         // a bare deflate stream (what some clients send as "deflate")
};

// Inflates `in`. Concatenated gzip members are decoded one after the other.
// Returns TooLarge as soon as the output would exceed `max_out` bytes (without
// allocating more than that), InvalidArgument when the data is corrupt or
// truncated.
Result<std::string> Inflate(std::string_view in, DeflateFormat format, size_t max_out);

// Compresses `in` into a single gzip member. `level` is a zlib level 1..9.
std::string GzipCompress(std::string_view in, int level);

}  // namespace spanlake::http
