// What the HTTP layer does to requests and responses apart from moving bytes:
// undoing Content-Encoding, content negotiation for gzip responses, CORS, and
// the JSON error bodies. Beast-free and socket-free so it is tested directly.
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/http.h"

namespace spanlake::http {

// Responses below this size are sent as they are: gzip would save little.
constexpr size_t kMinGzipBytes = 1024;

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view s);

// The 413 every over-limit body gets, whether raw or decoded.
Response BodyTooLarge(size_t max_body_bytes);

// True when an Accept-Encoding value allows gzip: "gzip" (or "x-gzip") with a
// non-zero q, or "*" with a non-zero q when gzip is not listed.
bool AcceptsGzip(std::string_view accept_encoding);

// True for content types whose bytes are already compressed (images, video,
// archives), which gzip would only make slower.
bool IsCompressedType(std::string_view content_type);

// A CORS preflight: OPTIONS carrying Access-Control-Request-Method. The layer
// answers it itself, without calling the handler.
bool IsPreflight(const Request& req);
Response PreflightResponse(const Request& req);

// Undoes the request's Content-Encoding (gzip, x-gzip, deflate, identity, or
// a comma-separated chain of them) in req->body. Headers are left as sent.
// Returns the error response to send instead (400, 413, 415) on failure.
std::optional<Response> DecodeBody(Request* req, size_t max_body_bytes);

// Adds the CORS headers and Vary, and gzips the body when the request accepts
// it and it is worth it. `res` must not be sent as is for HEAD; the caller
// drops the body after this (Content-Length still describes it).
void FinishResponse(const Request& req, Response* res);

}  // namespace spanlake::http
