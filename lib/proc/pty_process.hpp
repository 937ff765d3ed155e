#pragma once
// A child process whose stdin and stdout are a pseudo-terminal, read through the non-blocking
// master side. On a terminal, stdio line-buffers, so a child that prints with default buffering
// (a Python print loop, a shell loop) still delivers its output line by line.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace proc {

struct PtyOptions {
  /// True: the child's stderr is the pty too, mixed into what fd() reads. False: the child's
  /// stderr stays the parent's stderr.
  bool stderr_to_pty = false;
  /// The terminal's window size, for programs that ask for it.
  unsigned short rows = 24;
  unsigned short columns = 80;
};

class PtyProcess {
public:
  /// Starts ARGV[0] (searched in PATH, like execvp) with ARGV under a new pseudo-terminal in a
  /// new session: the child is a session and process group leader and the pty is its controlling
  /// terminal. The terminal is raw (no echo, no output processing so "\n" stays "\n", no signal
  /// characters), its window size OPTIONS' rows and columns. The child starts with every signal
  /// at its default action and none blocked, and with no file descriptor but 0, 1 and 2. Throws
  /// util::Error (runtime) "cannot run CMD: REASON" if the program cannot be started, including
  /// when exec fails in the child; util::Error (usage) if ARGV is empty.
  static PtyProcess spawn(const std::vector<std::string>& argv, const PtyOptions& options = {});

  PtyProcess(PtyProcess&& other) noexcept;
  PtyProcess& operator=(PtyProcess&& other) noexcept;
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;
  /// terminate(), then wait_for_exit() with a short grace (100 ms): a child that ignores
  /// SIGHUP and SIGTERM is killed. Blocks at most that long, unless the kernel is slow to kill.
  /// For a longer grace without blocking, call terminate() and poll try_wait() first.
  ~PtyProcess();

  /// The master side: non-blocking, close-on-exec; readable when the child wrote something or
  /// is gone. -1 once terminate() closed it (and in a moved-from object).
  int fd() const { return m_fd; }
  /// The child's process id, which is also its process group and session id.
  pid_t pid() const { return m_pid; }

  /// Appends the output available now to OUT (at most 256 KiB a call, so one busy child cannot
  /// hold up an event loop; fd() stays readable while more is waiting). Returns false once the
  /// child side is gone (every descriptor of the pty's slave side closed, as when the child
  /// exited) and everything it wrote has been read; a call that appends something returns true,
  /// so false always comes with nothing appended. Nothing available yet: returns true, appends
  /// nothing. After terminate(), returns false. Throws util::Error on an unexpected read error.
  bool read_available(std::string& out);

  /// Asks the child's whole process group to end: closes the master (a child blocked writing to
  /// the terminal sees a hangup), then sends SIGHUP, SIGTERM and SIGCONT (for a stopped child).
  /// Does not wait. Nothing is sent once the child has been reaped.
  void terminate();

  /// Reaps the child if it has ended, without blocking: its exit code, or 128 + the signal that
  /// killed it; -1 if someone else reaped it (SIGCHLD ignored, waitpid(-1) elsewhere). nullopt
  /// while it runs. Once reaped, returns the same status every time.
  std::optional<int> try_wait();

  /// Waits up to GRACE for the child to end, then kills its process group with SIGKILL and
  /// reaps it, waiting for that at most a second more. Returns the status as try_wait() does,
  /// or -1 if even SIGKILL did not end it in time (a process stuck in the kernel).
  int wait_for_exit(std::chrono::milliseconds grace);

private:
  PtyProcess(int fd, pid_t pid, std::string command);
  void close_master();
  /// Blocks until the child has ended and was reaped, or DEADLINE passed; true if reaped.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  void release();

  int m_fd = -1;
  pid_t m_pid = -1;
  std::optional<int> m_status;
  bool m_hangup = false; ///< a read saw the slave side gone
  std::string m_command; ///< argv[0], for messages
};

} // namespace proc
