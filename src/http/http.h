// The HTTP layer: Boost.Beast behind a small, Beast-free interface so that the
// rest of the server (and its compile times) never see Beast.
//
// HTTP/1.1 with keep-alive, many concurrent connections, gzip/deflate request
// bodies decoded, gzip responses when the client accepts them, CORS for
// browsers, a request body limit, and JSON error bodies {"error": "..."} for
// everything the layer itself rejects.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace spanlake::http {

struct Request {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // decoded path without the query, e.g. "/v1/project"
  std::string target;                          // raw target as sent, e.g. "/v1/project?limit=2"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;                            // after Content-Encoding is undone
  std::string remote_addr;

  // First value of a query parameter / header, or nullptr.
  const std::string* Query(const std::string& name) const;
  const std::string* Header(const std::string& lowercase_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;

  static Response Json(int status, std::string body);
  static Response Error(int status, const std::string& message);  // {"error": message}
};

// Called on a worker thread pool (never an I/O thread), so it may block on
// disk (WAL fsync) or locks. Must be thread-safe.
using Handler = std::function<Response(const Request&)>;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;                  // 0 = pick a free port (see Server::port())
  size_t max_body_bytes = 64 << 20;      // decoded body limit → 413
  int io_threads = 1;
  int worker_threads = 8;
  int idle_timeout_seconds = 120;        // keep-alive connections idle longer are closed
};

class Server {
 public:
  // Binds and starts serving in background threads. Returns the error when
  // the address cannot be bound.
  static Result<std::unique_ptr<Server>> Start(Options options, Handler handler);
  ~Server();  // Stop()s

  uint16_t port() const;  // the bound port
  void Stop();            // stops accepting, closes connections, joins threads

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spanlake::http
