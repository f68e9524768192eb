// The Beast side of the HTTP layer: an accept loop and one asynchronous
// session per connection on the I/O threads, handlers on the worker pool.
//
// A session reads one request at a time (header, then "100 Continue" if asked,
// then body), hands it to a worker, and when the worker posts the finished
// response back onto the session's strand, writes it and reads the next one.
// Only the strand touches the socket; workers touch only the request they
// were given and the response they build.
#include <utility>  // boost/asio/awaitable.hpp needs it under GCC 12 / C++20

#include "http/http.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/log.h"
#include "http/message.h"
#include "http/url.h"

namespace spanlake::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

constexpr uint32_t kHeaderLimit = 64 << 10;
// How long a connection closed after an error keeps draining what the client
// still sends, so that the kernel does not reset it before the client has
// read our error response.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string LowerAscii(beast::string_view s) {
  std::string out(s.data(), s.size());
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void CopyHeaders(const BeastRequest& breq, Request* req) {
  for (const auto& field : breq) {
    std::string name = LowerAscii(field.name_string());
    auto [it, inserted] = req->headers.emplace(std::move(name), std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());  // repeated header = list
  }
}

Request ToRequest(BeastRequest* breq, const std::string& remote_addr) {
  Request req;
  req.method = std::string(breq->method_string());
  req.target = std::string(breq->target());
  TargetParts parts = SplitTarget(req.target);
  req.path = PercentDecode(parts.path, /*plus_as_space=*/false);
  ParseQuery(parts.query, &req.query);
  CopyHeaders(*breq, &req);
  req.body = std::move(breq->body());
  req.remote_addr = remote_addr;
  return req;
}

BeastResponse ToBeast(Response res, unsigned version, bool keep_alive, bool head) {
  if (res.status < 200 || res.status > 599) {
    LogError("http: handler returned status " + std::to_string(res.status));
    res = Response::Error(500, "internal error");
  }
  BeastResponse out;
  out.version(version);
  out.result(static_cast<unsigned>(res.status));
  out.set(bhttp::field::server, "spanlake");
  bool has_body = res.status != 204 && res.status != 304;
  if (has_body && !res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) {
    if (HasLineBreak(name) || HasLineBreak(value)) {
      LogWarn("http: dropped a response header containing a line break: " + name);
      continue;
    }
    out.insert(name, value);
  }
  if (has_body) {
    out.content_length(res.body.size());  // for HEAD too: the size a GET would get
    if (!head) out.body() = std::move(res.body);
  }
  out.keep_alive(keep_alive);
  return out;
}

}  // namespace

class Session;

// The server proper; Server::Impl only owns one.
struct ServerState {
  ServerState(Options o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        workers(static_cast<size_t>(std::max(1, options.worker_threads))) {}

  Status Listen();
  void Run();
  void Stop();
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  bool Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);

  const Options options;
  const Handler handler;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};

  // Declared before the io_context: sessions still queued in it when it is
  // destroyed unregister themselves from here.
  std::mutex mu;
  bool stopped = false;                                           // guarded by mu
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;           // used only on its strand once running
  asio::steady_timer accept_retry;  // on the acceptor's strand
  asio::thread_pool workers;
  std::vector<std::thread> io_threads;
};

// One connection. Lives as long as an operation or a worker holds it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerState* server, tcp::socket socket)
      : server_(server), strand_(socket.get_executor()), stream_(std::move(socket)) {
    beast::error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_addr_ = peer.address().to_string();
  }
  ~Session() { server_->Unregister(this); }

  const asio::any_io_executor& strand() const { return strand_; }

  void Start() {
    asio::dispatch(strand_, beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // On the strand. Ends the connection; pending operations complete with errors.
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  std::chrono::seconds IdleTimeout() const {
    return std::chrono::seconds(std::max(1, server_->options.idle_timeout_seconds));
  }

  void ReadHeader();
  void OnHeader(beast::error_code ec, size_t bytes);
  void ReadBody(beast::error_code ec = {}, size_t bytes = 0);
  void OnBody(beast::error_code ec, size_t bytes);
  void OnReadError(const beast::error_code& ec);
  void Dispatch();
  void Work(BeastRequest breq);
  void Write(BeastResponse res, bool linger);
  void OnWrite(bool linger, beast::error_code ec, size_t bytes);
  void SendLayerError(Response res);
  void Linger();
  void OnLinger(beast::error_code ec, size_t bytes);

  ServerState* const server_;
  const asio::any_io_executor strand_;
  std::string remote_addr_;  // set once by the constructor
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::empty_body> continue_{bhttp::status::continue_, 11};
  BeastResponse res_;
  char drain_[4096];
};

void Session::ReadHeader() {
  if (server_->stopping) return Close();
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(static_cast<uint64_t>(server_->options.max_body_bytes));
  stream_.expires_after(IdleTimeout());
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return Dispatch();
  auto expect = parser_->get().find(bhttp::field::expect);
  if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue")) {
    stream_.expires_after(IdleTimeout());
    return bhttp::async_write(stream_, continue_,
                              beast::bind_front_handler(&Session::ReadBody, shared_from_this()));
  }
  ReadBody();
}

void Session::ReadBody(beast::error_code ec, size_t) {
  if (ec) return Close();
  stream_.expires_after(IdleTimeout());
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

void Session::OnBody(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

void Session::OnReadError(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return SendLayerError(BodyTooLarge(server_->options.max_body_bytes));
  }
  if (ec == bhttp::error::header_limit) {
    return SendLayerError(Response::Error(
        431, "request header exceeds the limit of " + std::to_string(kHeaderLimit) + " bytes"));
  }
  // end_of_stream and partial_message mean the client went away.
  if (IsHttpParseError(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return SendLayerError(Response::Error(400, "malformed HTTP request: " + ec.message()));
  }
  Close();  // timeout, reset, or Stop()
}

void Session::Dispatch() {
  stream_.expires_never();
  asio::post(server_->workers, [self = shared_from_this(), breq = parser_->release()]() mutable {
    self->Work(std::move(breq));
  });
}

// On a worker thread: everything CPU- or disk-heavy about a request.
void Session::Work(BeastRequest breq) {
  Request req = ToRequest(&breq, remote_addr_);
  Response res;
  if (IsPreflight(req)) {
    res = PreflightResponse(req);
  } else if (std::optional<Response> error = DecodeBody(&req, server_->options.max_body_bytes)) {
    res = std::move(*error);
  } else {
    try {
      res = server_->handler(req);
    } catch (const std::exception& e) {
      LogError("http: handler for " + req.method + " " + req.path + " threw: " + e.what());
      res = Response::Error(500, "internal error");
    } catch (...) {
      LogError("http: handler for " + req.method + " " + req.path + " threw");
      res = Response::Error(500, "internal error");
    }
  }
  FinishResponse(req, &res);
  BeastResponse out =
      ToBeast(std::move(res), breq.version(), breq.keep_alive(), req.method == "HEAD");
  asio::post(strand_, [self = shared_from_this(), out = std::move(out)]() mutable {
    self->Write(std::move(out), /*linger=*/false);
  });
}

void Session::Write(BeastResponse res, bool linger) {
  if (server_->stopping) return Close();
  res_ = std::move(res);
  stream_.expires_after(IdleTimeout());
  bhttp::async_write(stream_, res_,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this(), linger));
}

void Session::OnWrite(bool linger, beast::error_code ec, size_t) {
  if (ec) return Close();
  if (linger) return Linger();
  if (res_.need_eof()) {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    return Close();
  }
  res_ = {};
  ReadHeader();
}

// For errors the layer answers itself, before or instead of a handler. The
// connection is closed afterwards: its framing may be unknown (malformed) or
// the client may still be sending a body we refuse to read.
void Session::SendLayerError(Response res) {
  Request req;
  if (parser_ && parser_->is_header_done()) CopyHeaders(parser_->get(), &req);
  FinishResponse(req, &res);
  unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
  Write(ToBeast(std::move(res), version, /*keep_alive=*/false, /*head=*/false), /*linger=*/true);
}

void Session::Linger() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(kLingerTime);
  OnLinger({}, 0);
}

void Session::OnLinger(beast::error_code ec, size_t) {
  if (ec || server_->stopping) return Close();
  stream_.async_read_some(asio::buffer(drain_),
                          beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
}

Status ServerState::Listen() {
  std::string where = options.host + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty())
    return Status::IOError("cannot resolve " + where + ": " + ec.message());
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + where + ": " + ec.message());
  port = acceptor.local_endpoint(ec).port();
  return Status::Ok();
}

void ServerState::Run() {
  work.emplace(ioc.get_executor());
  asio::dispatch(acceptor.get_executor(), [this] { Accept(); });
  int n = std::max(1, options.io_threads);
  for (int i = 0; i < n; ++i) {
    io_threads.emplace_back([this] {
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          LogError(std::string("http: I/O thread caught: ") + e.what());
        }
      }
    });
  }
}

void ServerState::Accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        beast::bind_front_handler(&ServerState::OnAccept, this));
}

void ServerState::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping || !acceptor.is_open()) return;
  if (ec) {
    // Typically out of file descriptors: back off instead of spinning.
    LogWarn("http: accept failed: " + ec.message());
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  auto session = std::make_shared<Session>(this, std::move(socket));
  if (Register(session)) session->Start();
  Accept();
}

bool ServerState::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu);
  if (stopped) return false;
  sessions.emplace(session.get(), session);
  return true;
}

void ServerState::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(session);
}

void ServerState::Stop() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
    stopped = true;
    stopping = true;
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  asio::post(acceptor.get_executor(), [this] {
    beast::error_code ec;
    acceptor.close(ec);
    accept_retry.cancel();
  });
  for (auto& s : open) asio::post(s->strand(), [s] { s->Close(); });
  open.clear();
  workers.join();  // handlers in flight finish; their responses are dropped
  work.reset();    // with sockets and acceptor closed, run() runs out of work
  for (std::thread& t : io_threads) t.join();
  io_threads.clear();
}

struct Server::Impl {
  Impl(Options options, Handler handler) : state(std::move(options), std::move(handler)) {}
  ServerState state;
};

Result<std::unique_ptr<Server>> Server::Start(Options options, Handler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  RETURN_IF_ERROR(impl->state.Listen());
  impl->state.Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->state.port; }

void Server::Stop() { impl_->state.Stop(); }

}  // namespace spanlake::http
