// End-to-end tests of the `conkit` command line: it is run as a program (through conkit::run) on
// shell programs it has never seen, with expected files written by the test.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "conkit/run.hpp"

namespace fs = std::filesystem;

namespace {

const std::string conkit_bin = CONKIT_BINARY_DIR "/bin/conkit";

struct Cli {
  int exit_code = -1;
  std::string out;  // stdout and stderr, in arrival order
};

Cli conkit_cli(std::vector<std::string> args) {
  conkit::RunOptions o;
  o.argv = {conkit_bin};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout_ms = 60000;
  o.inherit = {"TSAN_OPTIONS", "ASAN_OPTIONS", "UBSAN_OPTIONS"};
  conkit::RunResult r = conkit::run(o);
  Cli c;
  c.exit_code = r.ending == conkit::Ending::exited ? r.exit_code : -1;
  for (conkit::LineView l : r.lines) c.out += std::string(l.text) + "\n";
  return c;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("conkit-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  // `conkit check --expect t.expect ARGS...` with t.expect = two_lines_expect.
  Cli check_two_lines(const std::vector<std::string>& args);
  fs::path dir_;
};

const char* two_lines_expect =
    "# Pass proves: the program prints hello, then bye.\n"
    "scenario: cli\n"
    "model: shell\n"
    "out \"hello\" @hello\n"
    "out \"bye\"\n";

Cli CliTest::check_two_lines(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"check", "--expect", write("t.expect", two_lines_expect)};
  argv.insert(argv.end(), args.begin(), args.end());
  return conkit_cli(argv);
}

// conkit exited with `code` and printed each of `words` (the output shown when not).
void expect_exit_and_output(const Cli& c, int code, std::initializer_list<const char*> words) {
  EXPECT_EQ(c.exit_code, code) << c.out;
  for (const char* w : words) EXPECT_NE(c.out.find(w), std::string::npos) << c.out;
}

TEST_F(CliTest, VersionAndHelpDocumentEveryOption) {
  Cli v = conkit_cli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("conkit"), std::string::npos);

  Cli h = conkit_cli({"check", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* opt : {"--expect", "--unit", "--repeat", "--timeout", "--retries", "--sanitizer", "--json",
                          "--junit", "--name", "--expect-status", "--expect-finding", "--quiet"})
    EXPECT_NE(h.out.find(opt), std::string::npos) << "check --help does not document " << opt;
  Cli top = conkit_cli({"--help"});
  for (const char* sub : {"check", "list", "run", "verify"})
    EXPECT_NE(top.out.find(sub), std::string::npos) << "--help does not list " << sub;
}

TEST_F(CliTest, PassingProgramExitsZero) {
  expect_exit_and_output(check_two_lines({"--", "/bin/sh", "-c", "echo hello; echo bye"}), 0, {"PASS", "1 passed, 0 failed"});
}

TEST_F(CliTest, FailingProgramShowsAnnotatedTranscript) {
  Cli c = check_two_lines({"--", "/bin/sh", "-c", "echo bye; echo hello"});
  expect_exit_and_output(c, 1, {"FAIL"});
  EXPECT_NE(c.out.find("t.expect:5"), std::string::npos) << "the broken directive's location:\n" << c.out;
  EXPECT_NE(c.out.find("hello"), std::string::npos) << "the transcript:\n" << c.out;
}

TEST_F(CliTest, MalformedExpectedFileIsInvalidWithLocation) {
  std::string e = write("bad.expect", "scenario: x\nmodel: y\nout \"unterminated\n");
  expect_exit_and_output(conkit_cli({"check", "--expect", e, "--", "/bin/true"}), 1, {"INVALID", "bad.expect:3:"});
}

TEST_F(CliTest, Exit77IsSkip) {
  expect_exit_and_output(check_two_lines({"--", "/bin/sh", "-c", "echo 'needs a GPU' >&2; exit 77"}), 77, {"SKIP"});
}

TEST_F(CliTest, MissingProgramIsError) {
  expect_exit_and_output(check_two_lines({"--", "/nonexistent/program"}), 1, {"ERROR"});
}

TEST_F(CliTest, ExpectStatusInvertsForMetaTests) {
  EXPECT_EQ(check_two_lines({"--expect-status", "FAIL", "--", "/bin/sh", "-c", "echo bye"}).exit_code, 0);
  EXPECT_EQ(check_two_lines({"--expect-status", "FAIL", "--", "/bin/sh", "-c", "echo hello; echo bye"}).exit_code, 1);
}

TEST_F(CliTest, ExpectFindingNamesTheRuleThatBroke) {
  auto with = [&](const std::string& re) {
    return check_two_lines({"--expect-finding", re, "--expect-status", "FAIL", "--", "/bin/sh", "-c", "echo bye"});
  };
  Cli found = with("t\\.expect:[0-9]+:[0-9]+: .*hello");  // the missing first line is the rule that broke
  EXPECT_EQ(found.exit_code, 0) << found.out;
  Cli other = with("measured");                              // a FAIL, but not for a time bound
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_NE(other.out.find("NOT as expected: a finding matching /measured/"), std::string::npos) << other.out;
}

TEST_F(CliTest, BadUnitIsUsageError) {
  expect_exit_and_output(check_two_lines({"--unit", "fast", "--", "/bin/true"}), 2, {"--unit"});
}

TEST_F(CliTest, WritesJsonAndJunit) {
  std::string json = (dir_ / "out" / "r.json").string(), junit = (dir_ / "out" / "r.xml").string();
  Cli c = check_two_lines({"--json", json, "--junit", junit, "--", "/bin/sh", "-c", "echo hello; echo bye"});
  ASSERT_EQ(c.exit_code, 0) << c.out;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  ASSERT_EQ(j.at("cases").size(), 1u);
  EXPECT_EQ(j["cases"][0].at("status"), "PASS");
  std::ifstream x(junit);
  std::string xml((std::istreambuf_iterator<char>(x)), {});
  EXPECT_NE(xml.find("<testcase"), std::string::npos) << xml;
}

TEST_F(CliTest, ListAndRunReadTheManifest) {
  std::string e = write("t.expect", two_lines_expect);
  nlohmann::json m = {{"sanitizer", "none"},
                      {"unit_ms", 100},
                      {"cases",
                       {{{"name", "demo.good"}, {"scenario", "cli"}, {"model", "shell"}, {"expect", e},
                         {"argv", {"/bin/sh", "-c", "echo hello; echo bye"}}, {"labels", {"case", "shell"}}},
                        {{"name", "demo.bad"}, {"scenario", "cli"}, {"model", "shell"}, {"expect", e},
                         {"argv", {"/bin/sh", "-c", "echo nope"}}, {"labels", {"case", "broken"}}}}}};
  std::string manifest = write("cases.json", m.dump());

  Cli list = conkit_cli({"list", "--manifest", manifest});
  EXPECT_EQ(list.exit_code, 0) << list.out;
  EXPECT_NE(list.out.find("demo.good"), std::string::npos);
  EXPECT_NE(list.out.find("demo.bad"), std::string::npos);

  EXPECT_EQ(conkit_cli({"run", "--manifest", manifest, "demo.good"}).exit_code, 0);
  EXPECT_EQ(conkit_cli({"run", "--manifest", manifest, "-L", "shell"}).exit_code, 0);
  Cli all = conkit_cli({"run", "--manifest", manifest});
  EXPECT_EQ(all.exit_code, 1) << all.out;
  EXPECT_NE(all.out.find("1 passed, 1 failed"), std::string::npos) << all.out;
  EXPECT_EQ(conkit_cli({"run", "--manifest", manifest, "no.such.case"}).exit_code, 2);
}

// Ctrl-C during `conkit verify`: the running case's process group is killed, and the reports are
// still written, marked incomplete. (Started with posix_spawn: the test must signal conkit itself.)
TEST_F(CliTest, InterruptedVerifyKillsTheCaseAndWritesAnIncompleteReport) {
  const std::string pid_file = (dir_ / "case.pid").string();
  std::string e = write("t.expect", two_lines_expect);
  nlohmann::json m = {{"cases", {{{"name", "slow"}, {"scenario", "cli"}, {"model", "shell"}, {"expect", e},
                                  {"argv", {"/bin/sh", "-c", "echo $$ > " + pid_file + "; exec sleep 60"}},
                                  {"labels", {"case"}}}}}};
  nlohmann::json reg = {{"claims", {{{"id", "slow-claim"}, {"claim", "c"}, {"sources", nlohmann::json::array()},
                                     {"scopes", {{"native", {{"checks", {{{"scenario", "cli"}, {"model", "shell"},
                                                  {"fact", "x"}, {"op", "=="}, {"bound", 1}, {"reason", "r"}}}}}}}}}}}};
  std::string manifest = write("cases.json", m.dump()), registry = write("claims.json", reg.dump());
  std::string out = (dir_ / "report").string();
  // subreaper: the pid the case writes is then one this test can look for (a PID namespace has its own).
  std::vector<std::string> args{conkit_bin, "verify", "--containment", "subreaper", "--manifest", manifest,
                                "--registry", registry, "--out", out};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, conkit_bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  // Wait until the case is running (calibration comes first), then interrupt.
  pid_t case_pid = 0;
  for (int i = 0; i < 300 && case_pid == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream(pid_file) >> case_pid;
  }
  ASSERT_GT(case_pid, 0) << "the case never started";
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);  // interrupted: 128 + the signal, whatever the claims
  EXPECT_TRUE(::kill(case_pid, 0) != 0 && errno == ESRCH) << "the case " << case_pid << " is still alive";
  nlohmann::json raw = nlohmann::json::parse(std::ifstream(out + "/results.json"));
  EXPECT_EQ(raw.at("complete"), false);
  EXPECT_NE(raw.value("incomplete_reason", "").find("interrupted"), std::string::npos);
  for (const char* f : {"/claims.md", "/claims-junit.xml", "/report.html"}) EXPECT_TRUE(fs::exists(out + f)) << f;
}

}  // namespace
