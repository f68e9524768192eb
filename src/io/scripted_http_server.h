// Test support: an HTTP/1.1 server on 127.0.0.1 that answers each request
// with the next scripted reply and records what it received, so the S3
// store's retries, error mapping, addressing and multipart flow can be
// checked without a real S3 server. One connection per request
// ("Connection: close"); every socket read is bounded by a timeout.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "io/http_client.h"

namespace spanlake::io::testing {

class ScriptedHttpServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    HeaderList headers;
    bool drop = false;  // close the connection without answering
  };
  struct Received {
    std::string method;
    std::string target;  // path and query as sent
    HeaderList headers;  // names lowercased
    std::string body;
    std::string Header(std::string_view name) const;
  };

  ScriptedHttpServer();
  ~ScriptedHttpServer();

  int port() const { return port_; }
  // Queues a reply; with none queued the server answers 599 "unscripted".
  void Push(Reply reply);
  std::vector<Received> received() const;

 private:
  void Serve();
  void HandleConnection(int fd);
  Reply NextReply();

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::deque<Reply> replies_;       // guarded by mu_
  std::vector<Received> received_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace spanlake::io::testing
