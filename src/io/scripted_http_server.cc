#include "io/scripted_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace spanlake::io::testing {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Appends what the peer sends next; false on close or timeout.
bool ReadMore(int fd, std::string* buf) {
  char chunk[65536];
  ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buf->append(chunk, static_cast<size_t>(n));
  return true;
}

ScriptedHttpServer::Received ParseHead(const std::string& head) {
  ScriptedHttpServer::Received r;
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' ');
  size_t sp2 = first.rfind(' ');
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers.emplace_back(Lower(line.substr(0, colon)),
                             v == std::string::npos ? "" : line.substr(v));
    }
    pos = end + 2;
  }
  return r;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

std::string ScriptedHttpServer::Received::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "";
}

ScriptedHttpServer::ScriptedHttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::abort();  // a test machine without loopback cannot run these tests at all
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

void ScriptedHttpServer::Push(Reply reply) {
  std::lock_guard lock(mu_);
  replies_.push_back(std::move(reply));
}

std::vector<ScriptedHttpServer::Received> ScriptedHttpServer::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

ScriptedHttpServer::Reply ScriptedHttpServer::NextReply() {
  std::lock_guard lock(mu_);
  if (replies_.empty()) return {599, "unscripted", {}, false};
  Reply r = std::move(replies_.front());
  replies_.pop_front();
  return r;
}

void ScriptedHttpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    HandleConnection(fd);
    ::close(fd);
  }
}

void ScriptedHttpServer::HandleConnection(int fd) {
  std::string buf;
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!ReadMore(fd, &buf)) return;
  }
  Received req = ParseHead(buf.substr(0, head_end));
  size_t length = std::strtoull(req.Header("content-length").c_str(), nullptr, 10);
  std::string body = buf.substr(head_end + 4);
  while (body.size() < length && ReadMore(fd, &body)) {
  }
  req.body = std::move(body);
  {
    std::lock_guard lock(mu_);
    received_.push_back(req);
  }
  Reply reply = NextReply();
  if (reply.drop) return;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
  for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
  bool has_length = false;
  for (const auto& h : reply.headers) has_length |= Lower(h.first) == "content-length";
  if (!has_length) out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  bool head = req.method == "HEAD";
  out += "Connection: close\r\n\r\n";
  if (!head) out += reply.body;
  SendAll(fd, out);
}

}  // namespace spanlake::io::testing
