// The logic-test runner: reads tests/logic/*.test (format in README.md),
// applies the writes to an engine on a temporary directory and runs the
// queries through query::exec::RunBtql, the code behind POST /btql. Every
// file runs in every stress mode.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/engine.h"
#include "engine/xact.h"
#include "base/datetime.h"
#include "query/exec/request.h"

namespace spanlake::logic {
namespace {

namespace fs = std::filesystem;

// Stress modes: every file must give the same results in each.
enum class Mode {
  kPlain,          // as written
  kRestartEach,    // close and reopen the engine after every statement (WAL replay)
  kSealEachWrite,  // seal the memtable into a segment after every write (segment-only reads)
  kTinySegments,   // background sealing at a few hundred bytes, tiny blocks (mixed reads)
};
const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kPlain: return "plain";
    case Mode::kRestartEach: return "restart_each";
    case Mode::kSealEachWrite: return "seal_each_write";
    case Mode::kTinySegments: return "tiny_segments";
  }
  return "?";
}

struct Record {
  enum Kind { kWrite, kQuery, kRestart, kNow, kLimits } kind = kWrite;
  int line = 0;
  std::vector<std::string> args;      // words after the directive
  std::vector<std::string> body;      // rows of a write; text of a query
  std::vector<std::string> expected;  // expected rows of a query
};

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

Result<std::vector<Record>> ParseFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Record> out;
  for (size_t i = 0; i < lines.size();) {
    if (Blank(lines[i]) || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    std::vector<std::string> w = Words(lines[i]);
    r.args.assign(w.begin() + 1, w.end());
    const std::string& d = w[0];
    ++i;
    if (d == "restart" || d == "now" || d == "limits") {
      r.kind = d == "restart" ? Record::kRestart : (d == "now" ? Record::kNow : Record::kLimits);
      out.push_back(std::move(r));
      continue;
    }
    if (d != "write" && d != "query")
      return Status::InvalidArgument(path + ":" + std::to_string(r.line) + ": unknown directive '" +
                                     d + "'");
    r.kind = d == "write" ? Record::kWrite : Record::kQuery;
    bool error = r.kind == Record::kQuery && !r.args.empty() && r.args[0] == "error";
    bool in_expected = false;
    for (; i < lines.size() && !Blank(lines[i]); ++i) {
      if (r.kind == Record::kQuery && !error && lines[i] == "----") {
        in_expected = true;
      } else {
        (in_expected ? r.expected : r.body).push_back(lines[i]);
      }
    }
    if (r.kind == Record::kQuery && !error && !in_expected) {
      return Status::InvalidArgument(path + ":" + std::to_string(r.line) +
                                     ": query without '----'");
    }
    out.push_back(std::move(r));
  }
  return out;
}

int HttpStatus(Code c) {
  switch (c) {
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kTooLarge: return 413;
    case Code::kUnavailable: return 503;
    default: return 500;
  }
}

// Whether `want` is contained in `got`: objects by want's keys, arrays element-wise.
bool Contains(const json::Value& got, const json::Value& want) {
  if (want.is_object() && got.is_object()) {
    for (const auto& [k, v] : want.as_object()) {
      const json::Value* g = got.find(k);
      if (g == nullptr || !Contains(*g, v)) return false;
    }
    return true;
  }
  if (want.is_array() && got.is_array() && want.as_array().size() == got.as_array().size()) {
    for (size_t i = 0; i < want.as_array().size(); ++i) {
      if (!Contains(got.as_array()[i], want.as_array()[i])) return false;
    }
    return true;
  }
  return got == want;
}

class Runner {
 public:
  Runner(std::string file, Mode mode) : file_(std::move(file)), mode_(mode) {}

  ~Runner() {
    engine_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void Run() {
    char tmpl[] = "/tmp/spanlake-logic-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(Open().ok());
    Result<std::vector<Record>> records = ParseFile(file_);
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    for (const Record& r : *records) {
      SCOPED_TRACE(file_ + ":" + std::to_string(r.line) + " (mode " + ModeName(mode_) + ")");
      Apply(r);
      if (mode_ == Mode::kRestartEach && r.kind != Record::kRestart) {
        ASSERT_TRUE(Restart().ok());
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    if (mode_ == Mode::kSealEachWrite && !xacts_.empty()) {
      EXPECT_GT(engine_->stats().segments, 0u) << "the seal mode wrote no segment";
    }
  }

 private:
  Status Open() {
    engine::Options options{.data_dir = dir_, .sync = false};
    if (mode_ == Mode::kSealEachWrite) options.background_seal = false;
    if (mode_ == Mode::kTinySegments) {
      options.seal_bytes = 300;
      options.segment_block_bytes = 128;
    }
    ASSIGN_OR_RETURN(engine_, engine::Engine::Open(options));
    return Status::Ok();
  }

  Status Restart() {
    engine_.reset();
    return Open();
  }

  std::string Substitute(std::string s) const {
    auto replace = [&](const std::string& var, const std::string& value) {
      for (size_t at; (at = s.find(var)) != std::string::npos;) s.replace(at, var.size(), value);
    };
    for (size_t i = xacts_.size(); i >= 1; --i)
      replace("$xact_" + std::to_string(i), xacts_[i - 1]);
    replace("$cursor", cursor_);
    replace("$now", now_text_);
    return s;
  }

  void Apply(const Record& r) {
    switch (r.kind) {
      case Record::kWrite: return Write(r);
      case Record::kQuery: return Query(r);
      case Record::kRestart: ASSERT_TRUE(Restart().ok()); return;
      case Record::kNow: {
        ASSERT_EQ(r.args.size(), 1u);
        std::optional<int64_t> t = ParseTimestamp(r.args[0]);
        ASSERT_TRUE(t.has_value()) << r.args[0];
        now_ = *t;
        now_text_ = FormatTimestamp(*t);
        return;
      }
      case Record::kLimits: return SetLimits(r);
    }
  }

  void SetLimits(const Record& r) {
    for (const std::string& a : r.args) {
      size_t eq = a.find('=');
      ASSERT_NE(eq, std::string::npos) << a;
      uint64_t v = std::stoull(a.substr(eq + 1));
      std::string k = a.substr(0, eq);
      if (k == "time_ms")
        limits_.time = std::chrono::milliseconds(v);
      else if (k == "memory_bytes")
        limits_.memory_bytes = v;
      else if (k == "result_bytes")
        limits_.result_bytes = v;
      else
        FAIL() << "unknown limit " << k;
    }
  }

  // The container of a logs3-style row, from its id fields.
  static std::string ContainerOf(const json::Object& row) {
    for (const char* kind : {"experiment", "dataset"}) {
      const json::Value* id = row.find(std::string(kind) + "_id");
      if (id != nullptr && id->is_string()) return std::string(kind) + ":" + id->as_string();
    }
    const json::Value* p = row.find("project_id");
    if (p == nullptr || !p->is_string()) return "";
    const json::Value* log = row.find("log_id");  // "p": prompts and functions
    bool functions = log != nullptr && *log == json::Value("p");
    return (functions ? "project_functions:" : "project_logs:") + p->as_string();
  }

  void Write(const Record& r) {
    std::vector<engine::RowWrite> writes;
    for (const std::string& line : r.body) {
      Result<json::Value> row = json::Value::Parse(Substitute(line));
      ASSERT_TRUE(row.ok() && row->is_object() && row->find("id")) << "bad row: " << line;
      json::Object obj = row->as_object();
      std::string container = ContainerOf(obj);
      ASSERT_FALSE(container.empty()) << "row names no container: " << line;
      if (!obj.contains("created") && !obj.contains("_object_delete")) {
        obj.set("created",
                FormatTimestamp(ParseTimestamp("2024-01-01T00:00:00Z").value() +
                                       int64_t{1000000} * rows_written_));
      }
      ++rows_written_;
      bool logs = container.rfind("project_", 0) == 0;  // project_logs, project_functions
      writes.push_back(engine::RowWrite{container, "org0", logs ? "" : "p0", std::move(obj)});
    }
    Result<uint64_t> xact = engine_->Write(std::move(writes));
    ASSERT_TRUE(xact.ok()) << xact.status().ToString();
    xacts_.push_back(engine::XactToString(*xact));
    if (mode_ == Mode::kSealEachWrite) {
      Status sealed = engine_->Seal();
      ASSERT_TRUE(sealed.ok()) << sealed.ToString();
    }
  }

  Result<query::exec::BtqlResponse> RunText(const std::string& text) {
    json::Value body;
    if (!text.empty() && text[0] == '{') {
      ASSIGN_OR_RETURN(body, json::Value::Parse(text));
    } else {
      body = json::Object{{"query", text}};
    }
    ASSIGN_OR_RETURN(query::exec::BtqlRequest request, query::exec::ParseBtqlRequest(body));
    auto resolve = [](const std::string& kind, const std::string& id) -> Result<std::string> {
      return kind + ":" + id;
    };
    return query::exec::RunBtql(*engine_, request, resolve, limits_, now_);
  }

  void Query(const Record& r) {
    std::string text;
    for (const std::string& l : r.body) text += (text.empty() ? "" : "\n") + l;
    text = Substitute(text);
    Result<query::exec::BtqlResponse> out = RunText(text);
    if (!r.args.empty() && r.args[0] == "error") return ExpectError(r, out);
    ASSERT_TRUE(out.ok()) << "query failed: " << out.status().ToString() << "\n" << text;
    cursor_ = out->cursor;
    json::Array rows;
    if (out->content_type == "application/x-ndjson") {  // fmt jsonl: one row per line
      std::istringstream lines(out->body);
      for (std::string l; std::getline(lines, l);) {
        Result<json::Value> row = json::Value::Parse(l);
        ASSERT_TRUE(row.ok()) << l;
        rows.push_back(*row);
      }
      return Compare(r, rows, text);
    }
    Result<json::Value> doc = json::Value::Parse(out->body);
    ASSERT_TRUE(doc.ok()) << out->body;
    if (const json::Value* data = doc->find("data")) {
      rows = data->as_array();
    } else {
      rows.push_back(*doc);  // explain: the whole body is the one row
    }
    Compare(r, rows, text);
  }

  void ExpectError(const Record& r, const Result<query::exec::BtqlResponse>& out) {
    ASSERT_GE(r.args.size(), 2u) << "query error needs a status and a message";
    ASSERT_FALSE(out.ok()) << "expected an error, got " << out->body;
    EXPECT_EQ(std::to_string(HttpStatus(out.status().code())), r.args[1])
        << out.status().ToString();
    std::string want;
    for (size_t i = 2; i < r.args.size(); ++i) want += (i > 2 ? " " : "") + r.args[i];
    EXPECT_NE(out.status().message().find(want), std::string::npos)
        << "message: " << out.status().message() << "\nwanted: " << want;
  }

  void Compare(const Record& r, json::Array rows, const std::string& text) {
    bool unordered = std::count(r.args.begin(), r.args.end(), "unordered") > 0;
    bool subset = std::count(r.args.begin(), r.args.end(), "subset") > 0;
    json::Array want;
    std::optional<size_t> count;
    for (const std::string& line : r.expected) {
      std::string l = Substitute(line);
      if (l.rfind("@cursor ", 0) == 0) {
        EXPECT_EQ(!cursor_.empty(), l.substr(8) == "yes") << "cursor: '" << cursor_ << "'\n"
                                                          << text;
      } else if (l.rfind("@count ", 0) == 0) {
        count = std::stoul(l.substr(7));
      } else {
        Result<json::Value> v = json::Value::Parse(l);
        ASSERT_TRUE(v.ok()) << "bad expected row: " << l;
        want.push_back(*v);
      }
    }
    if (count) {
      EXPECT_EQ(rows.size(), *count) << text;
      if (want.empty()) return;
    }
    auto by_text = [](const json::Value& a, const json::Value& b) { return a.Dump() < b.Dump(); };
    if (unordered) {
      std::sort(rows.begin(), rows.end(), by_text);
      std::sort(want.begin(), want.end(), by_text);
    }
    std::string got_text;
    for (const json::Value& g : rows) got_text += g.Dump() + "\n";
    ASSERT_EQ(rows.size(), want.size()) << text << "\ngot:\n" << got_text;
    for (size_t i = 0; i < rows.size(); ++i) {
      bool ok = subset ? Contains(rows[i], want[i]) : rows[i] == want[i];
      EXPECT_TRUE(ok) << text << "\nrow " << i << ": want " << want[i].Dump() << "\ngot:\n"
                      << got_text;
    }
  }

  std::string file_;
  Mode mode_;
  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<std::string> xacts_;
  std::string cursor_;
  int64_t now_ = 0;
  std::string now_text_;
  int64_t rows_written_ = 0;
  query::exec::Limits limits_;
};

std::vector<std::string> Files() {
  if (const char* one = getenv("SPANLAKE_LOGIC_FILE")) return {one};
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(SPANLAKE_LOGIC_DIR)) {
    if (e.path().extension() == ".test") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class LogicTest : public ::testing::TestWithParam<std::tuple<std::string, Mode>> {};

TEST_P(LogicTest, Runs) {
  Runner runner(std::get<0>(GetParam()), std::get<1>(GetParam()));
  runner.Run();
}

std::string TestName(const ::testing::TestParamInfo<LogicTest::ParamType>& info) {
  std::string name =
      fs::path(std::get<0>(info.param)).stem().string() + "_" + ModeName(std::get<1>(info.param));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, LogicTest,
                         ::testing::Combine(::testing::ValuesIn(Files()),
                                            ::testing::Values(Mode::kPlain, Mode::kRestartEach,
                                                              Mode::kSealEachWrite,
                                                              Mode::kTinySegments)),
                         TestName);

}  // namespace
}  // namespace spanlake::logic
