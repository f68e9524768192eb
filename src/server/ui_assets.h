// The web UI's files (web/dist), embedded in the binary at build time by
// cmake/embed_web_ui.cmake. Empty when the UI was not built (no node).
// Immutable static data: safe from any thread.
#pragma once

#include <cstddef>
#include <span>

namespace spanlake::server {

struct UiAsset {
  const char* path;          // "/index.html", "/assets/index-3f2a.js"
  const char* content_type;  // "text/javascript; charset=utf-8"
  const char* etag;          // quoted strong ETag from the file's SHA-256
  const unsigned char* data;
  size_t size;
};

std::span<const UiAsset> UiAssets();

}  // namespace spanlake::server
