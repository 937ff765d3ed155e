#include "proc/pty_process.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

namespace proc {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds k_destructor_grace{100};
constexpr milliseconds k_kill_bound{1000};
constexpr std::size_t k_read_limit = 256 * 1024;
/// Without close_range(), the child closes descriptors one by one up to here at most.
constexpr rlim_t k_close_loop_limit = 65536;

[[noreturn]] void cannot_run(const std::string& command, int error)
{
  throw util::Error(util::Errc::runtime, "cannot run " + command + ": " + std::strerror(error));
}

/// Owns a file descriptor until released.
class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }
  void reset(int fd = -1)
  {
    if (m_fd >= 0) {
      ::close(m_fd); // never retried on EINTR: Linux has closed it already
    }
    m_fd = fd;
  }

private:
  int m_fd;
};

/// Moves FD above 2 (keeping it close-on-exec), so the child's dup2() onto 0, 1 and 2 cannot
/// overwrite it; that happens when the parent runs with one of those closed.
bool lift_above_stdio(Fd& fd)
{
  if (fd.get() > 2) {
    return true;
  }
  const int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) {
    return false;
  }
  fd.reset(lifted);
  return true;
}

/// The slave side of MASTER, close-on-exec and not becoming the caller's controlling terminal.
int open_slave(int master)
{
#ifdef TIOCGPTPEER
  // Opens the peer without a path, so it is the right one even where /dev/pts is another
  // mount (containers).
  const int fd = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd >= 0 || (errno != EINVAL && errno != ENOTTY)) {
    return fd;
  }
#endif
  std::array<char, 128> name{};
  if (const int error = ::ptsname_r(master, name.data(), name.size()); error != 0) {
    errno = error;
    return -1;
  }
  return ::open(name.data(), O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/// Everything the child needs, made before fork(): after it, the child only makes system calls.
struct ChildPlan {
  std::vector<std::string> paths; ///< where to try the program, in order
  std::vector<char*> path_list;   ///< PATHS' strings, null-terminated
  std::vector<char*> argv;        ///< null-terminated
  std::vector<char*> sh_argv;     ///< "/bin/sh", a path, argv[1...]: for a script without #!
  int slave = -1;
  int report = -1; ///< the error pipe's write end
  bool stderr_to_pty = false;
  unsigned max_fd = 0; ///< for closing descriptors one by one without close_range()
};

/// The paths execvp() would try for NAME: NAME itself if it has a slash, else NAME in each
/// directory of PATH (an empty entry is the current directory).
std::vector<std::string> search_paths(const std::string& name)
{
  if (name.empty()) {
    return {};
  }
  if (name.find('/') != std::string::npos) {
    return {name};
  }
  const char* path = std::getenv("PATH");
  const std::string search = path != nullptr ? path : "/bin:/usr/bin"; // glibc's default
  std::vector<std::string> paths;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = std::min(search.find(':', begin), search.size());
    const std::string dir = search.substr(begin, end - begin);
    paths.push_back((dir.empty() ? std::string(".") : dir) + "/" + name);
    if (end == search.size()) {
      break;
    }
    begin = end + 1;
  }
  return paths;
}

[[noreturn]] void report_and_exit(int report, int error)
{
  const char* bytes = reinterpret_cast<const char*>(&error);
  std::size_t left = sizeof error;
  while (left > 0) {
    const ssize_t wrote = ::write(report, bytes, left);
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    bytes += wrote;
    left -= static_cast<std::size_t>(wrote);
  }
  ::_exit(127);
}

/// Closes descriptors FIRST to LAST, both included.
void close_range_of(unsigned first, unsigned last, unsigned max_fd)
{
  if (first > last) {
    return;
  }
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, last, 0U) == 0) {
    return;
  }
#endif
  for (unsigned fd = first; fd <= std::min(last, max_fd); ++fd) {
    ::close(static_cast<int>(fd));
  }
}

/// Runs in the child between fork() and exec: async-signal-safe calls only, no allocation.
[[noreturn]] void run_child(ChildPlan& plan) noexcept
{
  // Every signal to its default action while all are still blocked (the parent blocked them
  // around fork()), so none of the parent's handlers can run here; ignored signals (SIGPIPE in
  // a server) would stay ignored across exec otherwise.
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal == SIGKILL || signal == SIGSTOP) {
      continue;
    }
    struct sigaction action = {};
    action.sa_handler = SIG_DFL;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr); // fails harmlessly for the C library's own signals
  }

  if (::setsid() < 0) {
    report_and_exit(plan.report, errno);
  }
  if (::ioctl(plan.slave, TIOCSCTTY, 0) < 0) {
    report_and_exit(plan.report, errno);
  }
  if (::dup2(plan.slave, STDIN_FILENO) < 0 || ::dup2(plan.slave, STDOUT_FILENO) < 0
      || (plan.stderr_to_pty && ::dup2(plan.slave, STDERR_FILENO) < 0)) {
    report_and_exit(plan.report, errno);
  }
  // Everything above 2 goes, close-on-exec or not, except the error pipe (which is, and so
  // tells the parent that exec succeeded by closing).
  const auto report = static_cast<unsigned>(plan.report);
  close_range_of(3, report - 1, plan.max_fd);
  close_range_of(report + 1, ~0U, plan.max_fd);

  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  // execvp()'s search, on paths made before fork().
  int error = ENOENT;
  bool denied = false;
  for (char* const* path = plan.path_list.data(); *path != nullptr; ++path) {
    ::execve(*path, plan.argv.data(), environ);
    error = errno;
    if (error == ENOEXEC) {
      plan.sh_argv[1] = *path;
      ::execve(plan.sh_argv[0], plan.sh_argv.data(), environ);
      report_and_exit(plan.report, errno);
    }
    if (error == EACCES) {
      denied = true;
    } else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV
               && error != ETIMEDOUT) {
      report_and_exit(plan.report, error);
    }
  }
  report_and_exit(plan.report, denied ? EACCES : error);
}

int decode_status(int raw)
{
  if (WIFEXITED(raw)) {
    return WEXITSTATUS(raw);
  }
  if (WIFSIGNALED(raw)) {
    return 128 + WTERMSIG(raw);
  }
  return raw;
}

} // namespace

PtyProcess PtyProcess::spawn(const std::vector<std::string>& argv, const PtyOptions& options)
{
  if (argv.empty()) {
    throw util::Error(util::Errc::usage, "no command to run");
  }
  const std::string& command = argv.front();

  Fd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (master.get() < 0) {
    cannot_run(command, errno);
  }
  const int flags = ::fcntl(master.get(), F_GETFL);
  if (flags < 0 || ::fcntl(master.get(), F_SETFL, flags | O_NONBLOCK) < 0
      || ::fcntl(master.get(), F_SETFD, FD_CLOEXEC) < 0 || ::grantpt(master.get()) != 0
      || ::unlockpt(master.get()) != 0) {
    cannot_run(command, errno);
  }
  Fd slave(open_slave(master.get()));
  if (slave.get() < 0 || !lift_above_stdio(slave)) {
    cannot_run(command, errno);
  }

  // Raw: no echo, no line editing, no signal characters, no output processing ("\n" is not
  // turned into "\r\n"), 8-bit clean.
  termios mode{};
  if (::tcgetattr(slave.get(), &mode) != 0) {
    cannot_run(command, errno);
  }
  ::cfmakeraw(&mode);
  mode.c_oflag &= ~static_cast<tcflag_t>(ONLCR); // no effect without OPOST; clear it anyway
  mode.c_cc[VMIN] = 1;
  mode.c_cc[VTIME] = 0;
  if (::tcsetattr(slave.get(), TCSANOW, &mode) != 0) {
    cannot_run(command, errno);
  }
  winsize size{};
  size.ws_row = options.rows;
  size.ws_col = options.columns;
  if (::ioctl(master.get(), TIOCSWINSZ, &size) != 0) {
    cannot_run(command, errno);
  }

  // The child reports a failure before or in exec through this pipe; exec closes it.
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    cannot_run(command, errno);
  }
  Fd report_read(pipe_fds[0]);
  Fd report_write(pipe_fds[1]);
  if (!lift_above_stdio(report_write)) {
    cannot_run(command, errno);
  }

  ChildPlan plan;
  plan.paths = search_paths(command);
  for (std::string& path : plan.paths) {
    plan.path_list.push_back(path.data());
  }
  plan.path_list.push_back(nullptr);
  for (const std::string& arg : argv) {
    plan.argv.push_back(const_cast<char*>(arg.c_str()));
  }
  plan.argv.push_back(nullptr);
  static char sh[] = "/bin/sh";
  plan.sh_argv.push_back(sh);
  plan.sh_argv.push_back(nullptr); // the script's path, set in the child
  plan.sh_argv.insert(plan.sh_argv.end(), plan.argv.begin() + 1, plan.argv.end());
  plan.slave = slave.get();
  plan.report = report_write.get();
  plan.stderr_to_pty = options.stderr_to_pty;
  rlimit limit{};
  plan.max_fd = static_cast<unsigned>(
    ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? std::min(limit.rlim_cur, k_close_loop_limit)
                                            : k_close_loop_limit);

  // Signals stay blocked across fork() so no handler of the parent's runs in the child before
  // it resets them.
  sigset_t all;
  sigset_t old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::fork();
  if (pid == 0) {
    run_child(plan);
  }
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    cannot_run(command, fork_error);
  }

  slave.reset();
  report_write.reset();
  int child_error = 0;
  std::size_t got = 0;
  while (got < sizeof child_error) {
    const ssize_t n = ::read(report_read.get(), reinterpret_cast<char*>(&child_error) + got,
                             sizeof child_error - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  if (got == sizeof child_error) {
    // The child is exiting right away; reap it.
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    cannot_run(command, child_error);
  }
  return PtyProcess(master.release(), pid, command);
}

PtyProcess::PtyProcess(int fd, pid_t pid, std::string command)
  : m_fd(fd), m_pid(pid), m_command(std::move(command))
{
}

PtyProcess::PtyProcess(PtyProcess&& other) noexcept
  : m_fd(std::exchange(other.m_fd, -1)), m_pid(std::exchange(other.m_pid, -1)),
    m_status(std::exchange(other.m_status, std::nullopt)),
    m_hangup(std::exchange(other.m_hangup, false)), m_command(std::move(other.m_command))
{
}

PtyProcess& PtyProcess::operator=(PtyProcess&& other) noexcept
{
  if (this != &other) {
    release();
    m_fd = std::exchange(other.m_fd, -1);
    m_pid = std::exchange(other.m_pid, -1);
    m_status = std::exchange(other.m_status, std::nullopt);
    m_hangup = std::exchange(other.m_hangup, false);
    m_command = std::move(other.m_command);
  }
  return *this;
}

PtyProcess::~PtyProcess()
{
  release();
}

void PtyProcess::release()
{
  if (m_pid > 0 && !m_status) {
    terminate();
    wait_for_exit(k_destructor_grace);
  }
  close_master();
  m_pid = -1;
  m_status.reset();
}

void PtyProcess::close_master()
{
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

bool PtyProcess::read_available(std::string& out)
{
  if (m_fd < 0 || m_hangup) {
    return false;
  }
  std::array<char, 16 * 1024> buffer; // NOLINT: filled by read()
  std::size_t total = 0;
  while (total < k_read_limit) {
    const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
    if (n > 0) {
      out.append(buffer.data(), static_cast<std::size_t>(n));
      total += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    }
    if (n == 0 || errno == EIO) {
      // Linux: EIO once no slave descriptor is open and everything written was read.
      m_hangup = true;
      return total > 0;
    }
    throw util::Error(util::Errc::runtime,
                      "cannot read the output of " + m_command + ": " + std::strerror(errno));
  }
  return true;
}

void PtyProcess::terminate()
{
  close_master();
  if (m_pid > 0 && !m_status) {
    // Until it is reaped, the child's pid (its process group's id) cannot be reused.
    ::kill(-m_pid, SIGHUP);
    ::kill(-m_pid, SIGTERM);
    ::kill(-m_pid, SIGCONT);
  }
}

std::optional<int> PtyProcess::try_wait()
{
  if (m_status || m_pid <= 0) {
    return m_status;
  }
  int raw = 0;
  pid_t reaped = 0;
  do {
    reaped = ::waitpid(m_pid, &raw, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) {
    return std::nullopt;
  }
  m_status = reaped < 0 ? -1 : decode_status(raw); // ECHILD: reaped elsewhere
  return m_status;
}

bool PtyProcess::wait_until(Clock::time_point deadline)
{
  if (try_wait()) {
    return true;
  }
  if (m_pid <= 0) {
    return false;
  }
  // A pidfd becomes readable when the process ends; without one (kernels before 5.3), poll
  // waitpid() in short naps.
  Fd pidfd;
#ifdef SYS_pidfd_open
  pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0U)));
#endif
  milliseconds nap{1};
  for (;;) {
    if (try_wait()) {
      return true;
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      return false;
    }
    const auto left = std::min(std::chrono::ceil<milliseconds>(deadline - now), milliseconds{60000});
    if (pidfd.get() >= 0) {
      pollfd watch{pidfd.get(), POLLIN, 0};
      ::poll(&watch, 1, static_cast<int>(left.count())); // EINTR: look again
    } else {
      std::this_thread::sleep_for(std::min(left, nap));
      nap = std::min(nap * 2, milliseconds{20});
    }
  }
}

int PtyProcess::wait_for_exit(milliseconds grace)
{
  if (m_pid <= 0) {
    return m_status.value_or(-1);
  }
  if (wait_until(Clock::now() + grace)) {
    return *m_status;
  }
  ::kill(-m_pid, SIGKILL);
  if (wait_until(Clock::now() + k_kill_bound)) {
    return *m_status;
  }
  return -1;
}

} // namespace proc
