#include "proc/pty_process.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto k_patience = 10s; ///< how long a test waits for what should come at once

/// Reads CHILD's output into OUT until DONE(OUT) holds, the child side is gone, or DEADLINE.
/// Returns whether DONE holds.
template <typename Done>
bool read_until(proc::PtyProcess& child, std::string& out, Done done,
                Clock::time_point deadline = Clock::now() + k_patience)
{
  while (!done(out)) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd watch{child.fd(), POLLIN, 0};
    const int ready = ::poll(&watch, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      ADD_FAILURE() << "poll: " << std::strerror(errno);
      return false;
    }
    if (ready > 0 && !child.read_available(out)) {
      return done(out);
    }
  }
  return true;
}

/// Reads everything CHILD writes until its side of the pty is gone.
std::string read_all(proc::PtyProcess& child)
{
  std::string out;
  const auto deadline = Clock::now() + k_patience;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ADD_FAILURE() << "the child side is still open; read so far: " << out;
      return out;
    }
    pollfd watch{child.fd(), POLLIN, 0};
    const int ready = ::poll(&watch, 1, static_cast<int>(left.count()));
    if (ready > 0 && !child.read_available(out)) {
      return out;
    }
  }
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

TEST(PtyProcess, LineBufferedChildOutputArrivesLineByLine)
{
  // On a pipe, Python's print is block-buffered: all three lines would come at exit.
  auto child = proc::PtyProcess::spawn(
    {"python3", "-c", "import time\nfor i in range(3): print(i); time.sleep(0.2)"});
  std::string out;
  ASSERT_TRUE(read_until(child, out, [](const std::string& text) { return contains(text, "0\n"); }))
    << out;
  EXPECT_FALSE(child.try_wait()) << "the first line came only when the child ended";
  EXPECT_FALSE(contains(out, "2")) << out;
  EXPECT_TRUE(read_until(child, out, [](const std::string& text) { return contains(text, "2\n"); }))
    << out;
  EXPECT_EQ(out, "0\n1\n2\n");
  EXPECT_EQ(child.wait_for_exit(k_patience), 0);
}

TEST(PtyProcess, NewlinesStayNewlines)
{
  auto child = proc::PtyProcess::spawn({"printf", "a\\nb\\n"});
  EXPECT_EQ(read_all(child), "a\nb\n");
  EXPECT_EQ(child.wait_for_exit(k_patience), 0);
}

TEST(PtyProcess, OutputWrittenJustBeforeExitIsStillRead)
{
  auto child = proc::PtyProcess::spawn({"printf", "last\\n"});
  // Read nothing until the child has ended and closed its side of the pty.
  EXPECT_EQ(child.wait_for_exit(k_patience), 0);
  EXPECT_EQ(read_all(child), "last\n");
}

TEST(PtyProcess, MoreOutputThanOneReadWrittenJustBeforeExitIsStillRead)
{
  // About 3.9 KB: less than the pty buffers, so the child can end before anything is read.
  auto child = proc::PtyProcess::spawn({"seq", "1000"});
  EXPECT_EQ(child.wait_for_exit(k_patience), 0);
  std::string expected;
  for (int i = 1; i <= 1000; ++i) {
    expected += std::to_string(i) + "\n";
  }
  EXPECT_EQ(read_all(child), expected);
}

TEST(PtyProcess, ReadsALotOfOutputWhileTheChildRuns)
{
  auto child = proc::PtyProcess::spawn({"seq", "200000"});
  const std::string out = read_all(child);
  EXPECT_EQ(out.size(), 1288895U);
  EXPECT_TRUE(out.ends_with("\n199999\n200000\n"));
  EXPECT_EQ(child.wait_for_exit(k_patience), 0);
}

TEST(PtyProcess, ReportsTheExitCode)
{
  auto child = proc::PtyProcess::spawn({"sh", "-c", "exit 7"});
  EXPECT_EQ(child.wait_for_exit(k_patience), 7);
  EXPECT_EQ(child.try_wait(), 7);
}

TEST(PtyProcess, ANonexistentProgramThrowsWithItsName)
{
  try {
    proc::PtyProcess::spawn({"sse-test-no-such-program", "x"});
    FAIL() << "no exception";
  } catch (const util::Error& error) {
    EXPECT_EQ(error.code(), util::Errc::runtime);
    EXPECT_STREQ(error.what(), "cannot run sse-test-no-such-program: No such file or directory");
  }
  try {
    proc::PtyProcess::spawn({"/nonexistent/sse-test"});
    FAIL() << "no exception";
  } catch (const util::Error& error) {
    EXPECT_STREQ(error.what(), "cannot run /nonexistent/sse-test: No such file or directory");
  }
  EXPECT_THROW(proc::PtyProcess::spawn({}), util::Error);
}

TEST(PtyProcess, AFileThatIsNotExecutableThrows)
{
  try {
    proc::PtyProcess::spawn({"/dev/null"});
    FAIL() << "no exception";
  } catch (const util::Error& error) {
    EXPECT_STREQ(error.what(), "cannot run /dev/null: Permission denied");
  }
}

TEST(PtyProcess, TheMasterIsNonBlockingAndCloseOnExec)
{
  auto child = proc::PtyProcess::spawn({"sleep", "1000"});
  ASSERT_GE(child.fd(), 0);
  EXPECT_NE(::fcntl(child.fd(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(child.fd(), F_GETFD) & FD_CLOEXEC, 0);
  std::string out;
  EXPECT_TRUE(child.read_available(out)); // nothing yet, but not gone
  EXPECT_EQ(out, "");
  EXPECT_EQ(::getpgid(child.pid()), child.pid());
  EXPECT_EQ(::getsid(child.pid()), child.pid());
}

TEST(PtyProcess, TerminateEndsAChild)
{
  auto child = proc::PtyProcess::spawn({"sleep", "1000"});
  EXPECT_FALSE(child.try_wait());
  const auto start = Clock::now();
  child.terminate();
  EXPECT_EQ(child.fd(), -1);
  std::string out;
  EXPECT_FALSE(child.read_available(out));
  const int status = child.wait_for_exit(k_patience);
  EXPECT_TRUE(status == 128 + SIGHUP || status == 128 + SIGTERM) << status;
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(child.try_wait(), status);
}

TEST(PtyProcess, AChildIgnoringHangupAndTermIsKilledAfterTheGrace)
{
  // The shell prints its child's pid once both ignore SIGTERM and SIGHUP.
  auto child = proc::PtyProcess::spawn(
    {"sh", "-c", "trap '' TERM HUP; sleep 1000 & echo $!; wait"});
  std::string out;
  ASSERT_TRUE(read_until(child, out, [](const std::string& text) { return contains(text, "\n"); }));
  const pid_t sleeper = std::stoi(out);
  // A pidfd tells when the grandchild, which the test cannot reap, has ended.
  const int sleeper_fd = static_cast<int>(::syscall(SYS_pidfd_open, sleeper, 0U));
  ASSERT_GE(sleeper_fd, 0) << std::strerror(errno);

  child.terminate();
  const auto start = Clock::now();
  EXPECT_EQ(child.wait_for_exit(300ms), 128 + SIGKILL);
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);

  pollfd watch{sleeper_fd, POLLIN, 0};
  EXPECT_EQ(::poll(&watch, 1, 5000), 1) << "the grandchild in the process group still runs";
  ::close(sleeper_fd);
}

TEST(PtyProcess, TheDestructorEndsTheChildPromptly)
{
  pid_t pid = -1;
  const auto start = Clock::now();
  {
    auto child = proc::PtyProcess::spawn({"sh", "-c", "trap '' TERM HUP; echo ready; sleep 1000"});
    std::string out;
    ASSERT_TRUE(read_until(child, out, [](const std::string& text) { return contains(text, "\n"); }));
    pid = child.pid();
  }
  EXPECT_LT(Clock::now() - start, 3s);
  // Reaped: no longer this process's child.
  EXPECT_LT(::waitpid(pid, nullptr, WNOHANG), 0);
  EXPECT_EQ(errno, ECHILD);
}

TEST(PtyProcess, MovingHandsOverTheChild)
{
  auto first = proc::PtyProcess::spawn({"printf", "moved\\n"});
  const pid_t pid = first.pid();
  proc::PtyProcess second = std::move(first);
  EXPECT_EQ(first.fd(), -1);   // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(first.pid(), -1);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(second.pid(), pid);
  EXPECT_EQ(read_all(second), "moved\n");
  first = std::move(second);
  EXPECT_EQ(first.wait_for_exit(k_patience), 0);
}

TEST(PtyProcess, TheChildHasOnlyStdinStdoutAndStderr)
{
  // A descriptor without close-on-exec must not reach the child either.
  std::array<int, 2> leaky{};
  ASSERT_EQ(::pipe(leaky.data()), 0);
  const int cloexec = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(cloexec, 0);

  auto child = proc::PtyProcess::spawn({"ls", "-1", "/proc/self/fd"});
  const std::string out = read_all(child);
  ::close(leaky[0]);
  ::close(leaky[1]);
  ::close(cloexec);
  // 3 is the directory ls reads.
  EXPECT_EQ(out, "0\n1\n2\n3\n");
  EXPECT_EQ(child.wait_for_exit(k_patience), 0);
}

TEST(PtyProcess, TheChildStartsWithDefaultSignals)
{
  // What a server does: block signals to read them from a signalfd, ignore SIGPIPE.
  sigset_t blocked;
  sigset_t old_mask;
  ::sigemptyset(&blocked);
  for (int signal : {SIGINT, SIGTERM, SIGCHLD, SIGHUP}) {
    ::sigaddset(&blocked, signal);
  }
  ::pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_pipe = {};
  struct sigaction old_int = {};
  ::sigaction(SIGPIPE, &ignore, &old_pipe);
  ::sigaction(SIGINT, &ignore, &old_int);

  auto child = proc::PtyProcess::spawn({"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"});
  const std::string out = read_all(child);

  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  EXPECT_EQ(out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST(PtyProcess, TheTerminalIsRawAndControlling)
{
  // No echo: what the parent writes reaches the child's stdin once, not also its output.
  auto child = proc::PtyProcess::spawn({"head", "-n", "1"});
  ASSERT_EQ(::write(child.fd(), "typed\n", 6), 6);
  EXPECT_EQ(read_all(child), "typed\n");

  auto settings = proc::PtyProcess::spawn(
    {"sh", "-c", "stty size; stty -a | tr ' ' '\\n' | grep -x -e -echo -e -icanon -e -isig -e -onlcr -e -opost | tr '\\n' ' '; "
                 "echo; tty -s < /dev/tty && echo controlling"},
    proc::PtyOptions{.stderr_to_pty = true, .rows = 30, .columns = 120});
  EXPECT_EQ(read_all(settings), "30 120\n-opost -onlcr -isig -icanon -echo \ncontrolling\n");
}

TEST(PtyProcess, StderrGoesToThePtyOnlyWhenAsked)
{
  const std::string same =
    "[ \"$(readlink /proc/$$/fd/1)\" = \"$(readlink /proc/$$/fd/2)\" ] && echo same || echo apart";
  auto apart = proc::PtyProcess::spawn({"sh", "-c", same});
  EXPECT_EQ(read_all(apart), "apart\n");
  auto joined = proc::PtyProcess::spawn({"sh", "-c", same + "; echo oops >&2"},
                                        proc::PtyOptions{.stderr_to_pty = true});
  EXPECT_EQ(read_all(joined), "same\noops\n");
}

} // namespace
