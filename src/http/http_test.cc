#include <utility>  // before boost/asio (GCC 12 / C++20)

#include "http/http.h"

#include <zlib.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "http/gzip.h"
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
using nlohmann::json;

// ---------------------------------------------------------------- pure parts

TEST(UrlTest, SplitsTargets) {
  EXPECT_EQ(SplitTarget("/a/b?x=1").path, "/a/b");
  EXPECT_EQ(SplitTarget("/a/b?x=1").query, "x=1");
  EXPECT_EQ(SplitTarget("/a#frag").path, "/a");
  EXPECT_EQ(SplitTarget("http://host:8000/v1/x?y=2").path, "/v1/x");
  EXPECT_EQ(SplitTarget("http://host:8000/v1/x?y=2").query, "y=2");
  EXPECT_EQ(SplitTarget("http://host").path, "/");
  EXPECT_EQ(SplitTarget("?q").path, "/");
}

TEST(UrlTest, PercentDecodes) {
  EXPECT_EQ(PercentDecode("a%20b%2fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("%E2%9C%93", false), "\xE2\x9C\x93");
}

TEST(UrlTest, ParsesQueries) {
  std::multimap<std::string, std::string> q;
  ParseQuery("a=1&b=x+y&a=2&&flag&c%3D=%26", &q);
  EXPECT_EQ(q.count("a"), 2u);
  EXPECT_EQ(q.find("b")->second, "x y");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("c=")->second, "&");
  EXPECT_EQ(q.size(), 5u);
}

TEST(MessageTest, JsonQuoteEscapes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(Response::Error(400, "bad \"x\"").body, "{\"error\":\"bad \\\"x\\\"\"}");
  EXPECT_EQ(Response::Error(400, "x").content_type, "application/json");
}

TEST(MessageTest, AcceptsGzip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip ; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

TEST(MessageTest, KnowsCompressedTypes) {
  EXPECT_TRUE(IsCompressedType("image/png"));
  EXPECT_TRUE(IsCompressedType("application/gzip"));
  EXPECT_TRUE(IsCompressedType("Application/Zip; foo=bar"));
  EXPECT_FALSE(IsCompressedType("image/svg+xml"));
  EXPECT_FALSE(IsCompressedType("application/json"));
  EXPECT_FALSE(IsCompressedType("text/plain; charset=utf-8"));
}

TEST(GzipTest, RoundTripsAndConcatenatedMembers) {
  std::string text(5000, 'x');
  std::string gz = GzipCompress(text, 6);
  ASSERT_LT(gz.size(), text.size());
  EXPECT_EQ(Inflate(gz, DeflateFormat::kGzipOrZlib, 1 << 20).value(), text);
  std::string two = GzipCompress("hello ", 1) + GzipCompress("world", 1);
  EXPECT_EQ(Inflate(two, DeflateFormat::kGzipOrZlib, 1 << 20).value(), "hello world");
  EXPECT_EQ(Inflate(GzipCompress("", 1), DeflateFormat::kGzipOrZlib, 10).value(), "");
}

TEST(GzipTest, EnforcesTheLimitAndDetectsCorruption) {
  std::string gz = GzipCompress(std::string(1000, 'a'), 6);
  EXPECT_EQ(Inflate(gz, DeflateFormat::kGzipOrZlib, 1000).value().size(), 1000u);
  EXPECT_EQ(Inflate(gz, DeflateFormat::kGzipOrZlib, 999).status().code(), Code::kTooLarge);
  EXPECT_EQ(Inflate(gz.substr(0, gz.size() - 4), DeflateFormat::kGzipOrZlib, 5000).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Inflate("not gzip", DeflateFormat::kGzipOrZlib, 5000).status().code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(Inflate(gz + "junk", DeflateFormat::kGzipOrZlib, 5000).ok());
}

// ---------------------------------------------------------------- helpers

std::string ZlibCompress(const std::string& in, bool raw) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, raw ? -15 : 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

BeastRequest MakeRequest(bhttp::verb method, const std::string& target, std::string body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
  BeastRequest req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// A blocking HTTP/1.1 client on one connection.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  BeastResponse Send(const BeastRequest& req) {
    bhttp::write(socket_, req);
    return Read(req.method() == bhttp::verb::head);
  }

  BeastResponse Read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);
    bhttp::read(socket_, buffer_, parser);
    return parser.release();
  }

  void WriteRaw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // Reads until "\r\n\r\n"; for interim responses such as 100 Continue.
  std::string ReadHeaderBlock() {
    asio::streambuf sb;
    size_t n = asio::read_until(socket_, sb, "\r\n\r\n");
    std::string all(asio::buffers_begin(sb.data()), asio::buffers_end(sb.data()));
    // Anything read past the header block belongs to the next message.
    auto extra = all.substr(n);
    buffer_.commit(asio::buffer_copy(buffer_.prepare(extra.size()), asio::buffer(extra)));
    return all.substr(0, n);
  }

  // True when the server closed the connection (EOF or reset) with nothing
  // else pending.
  bool PeerClosed() {
    if (buffer_.size() > 0) return false;
    char c;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::string Header(const BeastResponse& res, std::string_view name) {
  auto it = res.find(beast::string_view(name.data(), name.size()));
  return it == res.end() ? std::string() : std::string(it->value());
}

std::string BigBody() {
  std::string body = "[";
  for (int i = 0; i < 500; ++i)
    body += (i ? "," : "") + std::string("\"row-") + std::to_string(i) + "\"";
  return body + "]";
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(Options options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    auto started = Server::Start(options, [this](const Request& req) { return Handle(req); });
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
    ASSERT_NE(server_->port(), 0);
  }

  Response Handle(const Request& req) {
    calls_++;
    if (req.path == "/block") {
      entered_.count_down();
      release_.wait();
    }
    if (req.path == "/throw") throw std::runtime_error("boom");
    if (req.path == "/big") return Response::Json(200, BigBody());
    if (req.path == "/empty") return Response::Json(204, "");
    return Echo(req);
  }

  static Response Echo(const Request& req) {
    json j;
    j["method"] = req.method;
    j["path"] = req.path;
    j["target"] = req.target;
    j["query"] = json::array();
    for (const auto& [k, v] : req.query) j["query"].push_back({k, v});
    j["headers"] = req.headers;
    j["body"] = req.body;
    j["remote_addr"] = req.remote_addr;
    return Response::Json(200, j.dump());
  }

  json Echoed(const BeastResponse& res) {
    EXPECT_EQ(res.result_int(), 200u) << res.body();
    return json::parse(res.body());
  }

  std::atomic<int> calls_{0};
  std::latch entered_{1};
  std::latch release_{1};
  std::unique_ptr<Server> server_;  // last: stopped before the members its handler uses
};

// ---------------------------------------------------------------- server

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  for (int i = 0; i < 5; ++i) {
    std::string body = "{\"i\":" + std::to_string(i) + "}";
    BeastResponse res = client.Send(
        MakeRequest(bhttp::verb::post, "/v1/echo", body, {{"Content-Type", "application/json"}}));
    json echo = Echoed(res);
    EXPECT_EQ(echo["method"], "POST");
    EXPECT_EQ(echo["body"], body);
    EXPECT_EQ(echo["headers"]["content-type"], "application/json");
    EXPECT_EQ(echo["remote_addr"], "127.0.0.1");
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(Header(res, "Server"), "spanlake");
    EXPECT_EQ(Header(res, "Content-Length"), std::to_string(res.body().size()));
  }
  EXPECT_EQ(calls_, 5);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client client(server_->port());
  BeastResponse res =
      client.Send(MakeRequest(bhttp::verb::get, "/x", "", {{"Connection", "close"}}));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(client.PeerClosed());
}

TEST_F(HttpServerTest, ServesConcurrentClients) {
  Options options;
  options.io_threads = 2;
  options.worker_threads = 4;
  StartServer(options);
  constexpr int kThreads = 16, kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client client(server_->port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(t) + "/" + std::to_string(i);
        BeastResponse res = client.Send(MakeRequest(bhttp::verb::post, "/c", body));
        if (res.result_int() == 200 && json::parse(res.body())["body"] == body) ok++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kThreads * kRequests);
}

TEST_F(HttpServerTest, DecodesCompressedRequestBodies) {
  StartServer();
  Client client(server_->port());
  std::string body = "{\"rows\":[" + std::string(3000, ' ') + "]}";
  struct Case {
    const char* encoding;
    std::string bytes;
  } cases[] = {{"gzip", GzipCompress(body, 6)},
               {"x-gzip", GzipCompress(body, 6)},
               {"deflate", ZlibCompress(body, /*raw=*/false)},
               {"deflate", ZlibCompress(body, /*raw=*/true)},
               {"identity", body},
               {"gzip, gzip", GzipCompress(GzipCompress(body, 1), 1)}};
  for (const Case& c : cases) {
    BeastResponse res = client.Send(
        MakeRequest(bhttp::verb::post, "/logs3", c.bytes, {{"Content-Encoding", c.encoding}}));
    EXPECT_EQ(Echoed(res)["body"], body) << c.encoding;
  }
}

TEST_F(HttpServerTest, RejectsCorruptAndUnknownEncodings) {
  StartServer();
  Client client(server_->port());
  std::string gz = GzipCompress(std::string(2000, 'z'), 6);
  BeastResponse res = client.Send(MakeRequest(bhttp::verb::post, "/x", gz.substr(0, gz.size() / 2),
                                              {{"Content-Encoding", "gzip"}}));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.body(), "{\"error\":\"request body: invalid gzip data\"}");
  res = client.Send(MakeRequest(bhttp::verb::post, "/x", "plain", {{"Content-Encoding", "gzip"}}));
  EXPECT_EQ(res.result_int(), 400u);
  res = client.Send(MakeRequest(bhttp::verb::post, "/x", "abc", {{"Content-Encoding", "br"}}));
  EXPECT_EQ(res.result_int(), 415u);
  EXPECT_EQ(json::parse(res.body())["error"], "unsupported Content-Encoding: br");
  EXPECT_EQ(calls_, 0);
  // The connection survives errors found after the body was read.
  EXPECT_EQ(client.Send(MakeRequest(bhttp::verb::get, "/ok")).result_int(), 200u);
}

TEST_F(HttpServerTest, GzipsResponsesOnlyWhenAccepted) {
  StartServer();
  Client client(server_->port());
  struct Case {
    std::string accept;
    bool gzipped;
  } cases[] = {{"gzip, deflate", true}, {"br;q=1, gzip;q=0.5", true}, {"*", true}, {"", false},
               {"gzip;q=0", false},     {"deflate, br", false}};
  for (const Case& c : cases) {
    BeastRequest req = MakeRequest(bhttp::verb::get, "/big");
    if (!c.accept.empty()) req.set(bhttp::field::accept_encoding, c.accept);
    BeastResponse res = client.Send(req);
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_NE(Header(res, "Vary").find("Accept-Encoding"), std::string::npos);
    EXPECT_EQ(Header(res, "Content-Encoding"), c.gzipped ? "gzip" : "") << c.accept;
    std::string body = res.body();
    if (c.gzipped) {
      EXPECT_LT(body.size(), BigBody().size());
      body = Inflate(body, DeflateFormat::kGzipOrZlib, 1 << 20).value();
    }
    EXPECT_EQ(body, BigBody()) << c.accept;
  }
  // Small bodies are not worth compressing.
  BeastResponse small =
      client.Send(MakeRequest(bhttp::verb::get, "/s", "", {{"Accept-Encoding", "gzip"}}));
  EXPECT_EQ(Header(small, "Content-Encoding"), "");
  EXPECT_NO_THROW(json::parse(small.body()));
}

TEST_F(HttpServerTest, OverLimitBodyGets413AndTheConnectionCloses) {
  Options options;
  options.max_body_bytes = 1000;
  StartServer(options);
  {
    Client client(server_->port());
    BeastResponse res = client.Send(MakeRequest(bhttp::verb::post, "/x", std::string(5000, 'a')));
    EXPECT_EQ(res.result_int(), 413u);
    EXPECT_EQ(res.body(), "{\"error\":\"request body exceeds the limit of 1000 bytes\"}");
    EXPECT_EQ(Header(res, "Access-Control-Allow-Origin"), "*");
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(client.PeerClosed());
  }
  {
    // Streamed (chunked): the size is unknown until the body is read.
    Client client(server_->port());
    BeastRequest req = MakeRequest(bhttp::verb::post, "/x", std::string(3000, 'b'));
    req.chunked(true);
    BeastResponse res = client.Send(req);
    EXPECT_EQ(res.result_int(), 413u);
    EXPECT_TRUE(client.PeerClosed());
  }
  {
    Client client(server_->port());
    EXPECT_EQ(
        client.Send(MakeRequest(bhttp::verb::post, "/x", std::string(1000, 'c'))).result_int(),
        200u);
  }
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpServerTest, GzipBombGets413) {
  Options options;
  options.max_body_bytes = 1 << 20;
  StartServer(options);
  std::string bomb = GzipCompress(std::string(16 << 20, '\0'), 9);
  ASSERT_LT(bomb.size(), options.max_body_bytes);
  Client client(server_->port());
  BeastResponse res =
      client.Send(MakeRequest(bhttp::verb::post, "/x", bomb, {{"Content-Encoding", "gzip"}}));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_EQ(json::parse(res.body())["error"], "request body exceeds the limit of 1048576 bytes");
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, AddsCorsHeaders) {
  StartServer();
  Client client(server_->port());
  BeastResponse res =
      client.Send(MakeRequest(bhttp::verb::get, "/x", "", {{"Origin", "https://app.example.com"}}));
  EXPECT_EQ(Header(res, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(Header(res, "Access-Control-Allow-Credentials"), "true");
  EXPECT_NE(Header(res, "Vary").find("Origin"), std::string::npos);
  EXPECT_EQ(Header(res, "Access-Control-Expose-Headers"),
            "x-bt-cursor, x-bt-found-existing, x-bt-query-plan, x-amz-meta-bt_cursor");
  res = client.Send(MakeRequest(bhttp::verb::get, "/x"));
  EXPECT_EQ(Header(res, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(res.find("Access-Control-Allow-Credentials"), res.end());
}

TEST_F(HttpServerTest, AnswersPreflightWithoutTheHandler) {
  StartServer();
  Client client(server_->port());
  BeastResponse res = client.Send(MakeRequest(
      bhttp::verb::options, "/v1/project", "",
      {{"Origin", "http://localhost:3000"},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "authorization, content-type, x-bt-org-name"}}));
  EXPECT_EQ(res.result_int(), 204u);
  EXPECT_EQ(Header(res, "Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(Header(res, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(Header(res, "Access-Control-Allow-Methods"), "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(Header(res, "Access-Control-Allow-Headers"),
            "authorization, content-type, x-bt-org-name");
  EXPECT_EQ(Header(res, "Access-Control-Max-Age"), "86400");
  EXPECT_EQ(res.find(bhttp::field::content_length), res.end());
  res = client.Send(
      MakeRequest(bhttp::verb::options, "/x", "", {{"Access-Control-Request-Method", "GET"}}));
  EXPECT_NE(Header(res, "Access-Control-Allow-Headers").find("authorization"), std::string::npos);
  EXPECT_NE(Header(res, "Access-Control-Allow-Headers").find("x-bt-"), std::string::npos);
  EXPECT_EQ(calls_, 0);
  // A plain OPTIONS (no Access-Control-Request-Method) is the handler's.
  EXPECT_EQ(Echoed(client.Send(MakeRequest(bhttp::verb::options, "/x")))["method"], "OPTIONS");
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpServerTest, DecodesPathAndQuery) {
  StartServer();
  Client client(server_->port());
  json echo = Echoed(client.Send(MakeRequest(
      bhttp::verb::get, "/v1/a%20b/c%2Fd+e?x=1%2B2&y=a+b&x=3&flag&z=%E2%9C%93&&w=%zz")));
  EXPECT_EQ(echo["path"], "/v1/a b/c/d+e");
  EXPECT_EQ(echo["target"], "/v1/a%20b/c%2Fd+e?x=1%2B2&y=a+b&x=3&flag&z=%E2%9C%93&&w=%zz");
  json expected = json::array(
      {{"flag", ""}, {"w", "%zz"}, {"x", "1+2"}, {"x", "3"}, {"y", "a b"}, {"z", "\xE2\x9C\x93"}});
  EXPECT_EQ(echo["query"], expected);
}

TEST_F(HttpServerTest, LowercasesHeaderNamesAndJoinsRepeats) {
  StartServer();
  Client client(server_->port());
  client.WriteRaw(
      "GET /h HTTP/1.1\r\nHost: x\r\nX-BT-Org-Name: acme\r\nX-Multi: a\r\nx-multi: b\r\n\r\n");
  json echo = Echoed(client.Read());
  EXPECT_EQ(echo["headers"]["x-bt-org-name"], "acme");
  EXPECT_EQ(echo["headers"]["x-multi"], "a, b");
}

TEST_F(HttpServerTest, HeadHasNoBodyButTheLength) {
  StartServer();
  Client client(server_->port());
  BeastResponse get = client.Send(MakeRequest(bhttp::verb::get, "/big"));
  BeastResponse head = client.Send(MakeRequest(bhttp::verb::head, "/big"));
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_EQ(head.body(), "");
  EXPECT_EQ(Header(head, "Content-Length"), std::to_string(get.body().size()));
  // The connection is still in sync: no stray body bytes were sent.
  EXPECT_EQ(Echoed(client.Send(MakeRequest(bhttp::verb::get, "/after")))["path"], "/after");
}

TEST_F(HttpServerTest, NoContentHasNoLength) {
  StartServer();
  Client client(server_->port());
  BeastResponse res = client.Send(MakeRequest(bhttp::verb::delete_, "/empty"));
  EXPECT_EQ(res.result_int(), 204u);
  EXPECT_EQ(res.find(bhttp::field::content_length), res.end());
  EXPECT_EQ(client.Send(MakeRequest(bhttp::verb::get, "/again")).result_int(), 200u);
}

TEST_F(HttpServerTest, BlockedHandlerDoesNotBlockOtherConnections) {
  Options options;
  options.io_threads = 1;
  options.worker_threads = 2;
  StartServer(options);
  std::atomic<bool> slow_done{false};
  std::thread slow([&] {
    Client client(server_->port());
    EXPECT_EQ(client.Send(MakeRequest(bhttp::verb::post, "/block", "x")).result_int(), 200u);
    slow_done = true;
  });
  entered_.wait();  // the slow handler is running on a worker and will not return...
  Client fast(server_->port());
  EXPECT_EQ(Echoed(fast.Send(MakeRequest(bhttp::verb::get, "/fast")))["path"], "/fast");
  EXPECT_FALSE(slow_done);  // ...until released, yet the other request completed
  release_.count_down();
  slow.join();
  EXPECT_TRUE(slow_done);
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  StartServer();
  Client client(server_->port());
  BeastResponse res = client.Send(MakeRequest(bhttp::verb::get, "/throw"));
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_EQ(res.body(), "{\"error\":\"internal error\"}");
  EXPECT_EQ(client.Send(MakeRequest(bhttp::verb::get, "/ok")).result_int(), 200u);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndClose) {
  StartServer();
  Client client(server_->port());
  client.WriteRaw("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  BeastResponse res = client.Read();
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_NE(json::parse(res.body())["error"].get<std::string>().find("malformed"),
            std::string::npos);
  EXPECT_TRUE(client.PeerClosed());
  Client other(server_->port());
  other.WriteRaw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(other.Read().result_int(), 400u);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  StartServer();
  Client client(server_->port());
  client.WriteRaw("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100 << 10, 'h') +
                  "\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 431u);
}

TEST_F(HttpServerTest, SendsContinueWhenAsked) {
  StartServer();
  Client client(server_->port());
  client.WriteRaw(
      "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.ReadHeaderBlock().rfind("HTTP/1.1 100", 0), 0u);
  client.WriteRaw("hello");
  EXPECT_EQ(Echoed(client.Read())["body"], "hello");
}

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  StartServer();
  Client idle(server_->port());
  EXPECT_EQ(idle.Send(MakeRequest(bhttp::verb::get, "/x")).result_int(), 200u);
  Client partial(server_->port());
  partial.WriteRaw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Len");
  Client silent(server_->port());
  server_->Stop();
  EXPECT_TRUE(idle.PeerClosed());
  EXPECT_TRUE(partial.PeerClosed());
  EXPECT_TRUE(silent.PeerClosed());
  server_->Stop();  // idempotent
  server_.reset();
}

TEST_F(HttpServerTest, BindErrorNamesTheAddress) {
  StartServer();
  Options options;
  options.host = "127.0.0.1";
  options.port = server_->port();
  auto second = Server::Start(options, [](const Request&) { return Response::Json(200, "{}"); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kIOError);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(options.port)),
            std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace spanlake::http
