// The client side of bench/replay: generates recordings, and runs a command with its stdout on
// a pipe, stamping the arrival of every line with CLOCK_MONOTONIC. Prints one line of
// key=value pairs for the run script.
//
//   stamp gen --events N --duration MS [--seed S] [--start MS] [--burst P]
//       A recording (sse tail --record format) on stdout: N events, data and id "1".."N", the
//       first at t=START and the last at t=START+DURATION exactly, irregular gaps in between
//       (exponential and a few long pauses, from a seeded PRNG) and bursts: each gap is 0 with
//       probability P (default 0.15), so runs of events share one t.
//   stamp timing --recording FILE [--speed X] -- COMMAND ARG...
//       Runs COMMAND (sse replay FILE -f data ...) and stamps each line it prints; checks that
//       line i is "i", then compares the arrival times with the recording's t values:
//       duration (first to last line) against (t_last - t_first) / X, the error of each gap
//       between consecutive lines against the recorded gap / X, and the drift of each line
//       from its due time (first arrival + (t - t_first) / X). --dump FILE writes each line's
//       number, due time, arrival time and lateness (ms, from the first line) to FILE.
//   stamp rate --events N [--lines-per-event K] -- COMMAND ARG...
//       Runs COMMAND (sse replay --no-wait ...) and counts the lines it prints (K to an event:
//       3 for event-stream text with an id and one data line): the time from launch to the
//       first line (loading), to the end of its output, the events/s, and the command's CPU
//       time and peak RSS.
//
// The reader does nothing but read(2) into a 1 MiB buffer and take one clock_gettime per read:
// every complete line in that chunk gets its time. The work of checking and the statistics
// come after the command has exited.

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what)
{
  std::fprintf(stderr, "stamp: %s\n", what.c_str());
  std::exit(2);
}

std::int64_t now_ns()
{
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Args {
  std::vector<std::string> options; // before "--"
  std::vector<std::string> command; // after "--"
  std::string get(const std::string& name, const std::string& fallback = "") const
  {
    for (std::size_t i = 0; i + 1 < options.size(); ++i) {
      if (options[i] == name) {
        return options[i + 1];
      }
    }
    if (fallback.empty()) {
      die("missing " + name);
    }
    return fallback;
  }
};

Args split(int argc, char** argv)
{
  Args args;
  bool after = false;
  for (int i = 2; i < argc; ++i) {
    if (!after && std::strcmp(argv[i], "--") == 0) {
      after = true;
    } else {
      (after ? args.command : args.options).emplace_back(argv[i]);
    }
  }
  return args;
}

// --- gen --------------------------------------------------------------------------------------

// A uniform double in [0, 1) from the raw 64-bit output (std::mt19937_64 is the same
// everywhere; the std distributions are not).
double uniform(std::mt19937_64& rng)
{
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

int gen(const Args& args)
{
  const long events = std::stol(args.get("--events"));
  const long duration = std::stol(args.get("--duration"));
  const unsigned long seed = std::stoul(args.get("--seed", "1"));
  const long start = std::stol(args.get("--start", "0"));
  const double burst = std::stod(args.get("--burst", "0.15"));
  if (events < 2 || duration < 0) {
    die("gen needs --events 2 or more and --duration 0 or more");
  }
  std::mt19937_64 rng(seed);
  // Gap i (before event i+1): 0 in a burst, else exponential (mean 1), one in 50 a long pause
  // (x 8). Scaled so that the gaps add up to DURATION exactly.
  std::vector<double> gaps(static_cast<std::size_t>(events - 1));
  double total = 0;
  for (double& gap : gaps) {
    if (uniform(rng) < burst) {
      gap = 0;
    } else {
      gap = -std::log(1.0 - uniform(rng));
      if (uniform(rng) < 0.02) {
        gap *= 8;
      }
    }
    total += gap;
  }
  if (total <= 0) {
    die("every gap came out 0: lower --burst");
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(events) * 64);
  double at = 0;
  char line[128];
  for (long i = 1; i <= events; ++i) {
    if (i > 1) {
      at += gaps[static_cast<std::size_t>(i - 2)];
    }
    // Rounded from the running sum: never backwards, equal for a burst, the last exactly at
    // START + DURATION.
    const long t = i == events ? start + duration
                               : start + std::lround(at / total * static_cast<double>(duration));
    const int n = std::snprintf(line, sizeof line,
                                "{\"event\":\"message\",\"data\":\"%ld\",\"id\":\"%ld\",\"t\":%ld}\n",
                                i, i, t);
    out.append(line, static_cast<std::size_t>(n));
    if (out.size() > (1U << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// --- running a command --------------------------------------------------------------------------

struct Child {
  pid_t pid = -1;
  int out = -1;           // the read end of its stdout
  std::int64_t launched = 0;
};

Child spawn(const std::vector<std::string>& command)
{
  if (command.empty()) {
    die("no command after --");
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    die(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> argv;
  for (const auto& arg : command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  Child child;
  child.launched = now_ns();
  child.pid = fork();
  if (child.pid < 0) {
    die(std::string("fork: ") + std::strerror(errno));
  }
  if (child.pid == 0) {
    dup2(fds[1], 1);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "stamp: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  child.out = fds[0];
  return child;
}

struct Ended {
  int status = -1; // exit status, or 128 + signal
  double cpu_ms = 0;
  long maxrss_kb = 0;
};

Ended reap(const Child& child)
{
  int status = 0;
  rusage usage{};
  if (wait4(child.pid, &status, 0, &usage) < 0) {
    die(std::string("wait4: ") + std::strerror(errno));
  }
  Ended ended;
  ended.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ended.cpu_ms = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                 static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
  ended.maxrss_kb = usage.ru_maxrss;
  return ended;
}

double percentile(std::vector<double> values, double p)
{
  if (values.empty()) {
    return -1;
  }
  std::sort(values.begin(), values.end());
  // Nearest rank.
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::min(values.size(), std::max<std::size_t>(rank, 1)) - 1];
}

// --- timing -----------------------------------------------------------------------------------

// The "t" of each event line of a recording (lines with "reconnect" are skipped).
std::vector<double> read_t(const std::string& path)
{
  std::ifstream in(path);
  if (!in) {
    die("cannot read " + path);
  }
  std::vector<double> t;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"reconnect\"") != std::string::npos) {
      continue;
    }
    const auto at = line.rfind("\"t\":");
    if (at == std::string::npos) {
      die("a line without \"t\" in " + path);
    }
    t.push_back(std::strtod(line.c_str() + at + 4, nullptr));
  }
  return t;
}

int timing(const Args& args)
{
  const std::vector<double> t = read_t(args.get("--recording"));
  const double speed = std::stod(args.get("--speed", "1"));
  std::vector<std::int64_t> arrival;
  arrival.reserve(t.size() + 16);
  std::vector<std::string> lines;
  lines.reserve(t.size() + 16);

  Child child = spawn(args.command);
  std::vector<char> buffer(1 << 20);
  std::string partial;
  for (;;) {
    const ssize_t n = read(child.out, buffer.data(), buffer.size());
    const std::int64_t at = now_ns();
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    const char* p = buffer.data();
    const char* end = p + n;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (nl == nullptr) {
        partial.append(p, end);
        break;
      }
      partial.append(p, nl);
      lines.push_back(std::move(partial));
      partial.clear();
      arrival.push_back(at);
      p = nl + 1;
    }
  }
  const std::int64_t closed = now_ns();
  close(child.out);
  const Ended ended = reap(child);

  // Line i must be "i".
  std::size_t in_order = 0;
  while (in_order < lines.size() && lines[in_order] == std::to_string(in_order + 1)) {
    ++in_order;
  }
  const std::size_t n = std::min(arrival.size(), t.size());
  std::vector<double> gap_error;
  std::vector<double> drift;
  double worst = -1;
  double worst_recorded_gap = -1; // the recorded gap of the worst one
  std::size_t over_5ms = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double due = (t[i] - t[0]) / speed;
    const double actual = static_cast<double>(arrival[i] - arrival[0]) / 1e6;
    drift.push_back(std::fabs(actual - due));
    if (i == 0) {
      continue;
    }
    const double recorded_gap = (t[i] - t[i - 1]) / speed;
    const double actual_gap = static_cast<double>(arrival[i] - arrival[i - 1]) / 1e6;
    const double error = std::fabs(actual_gap - recorded_gap);
    if (error > worst) {
      worst = error;
      worst_recorded_gap = recorded_gap;
    }
    gap_error.push_back(error);
    if (error > 5.0) {
      ++over_5ms;
    }
  }
  if (const std::string dump = args.get("--dump", "-"); dump != "-") {
    // One line per event: number, due ms (from the first), arrival ms (from the first), late ms.
    std::ofstream out(dump);
    for (std::size_t i = 0; i < n; ++i) {
      const double due = (t[i] - t[0]) / speed;
      const double actual = static_cast<double>(arrival[i] - arrival[0]) / 1e6;
      out << i + 1 << ' ' << due << ' ' << actual << ' ' << actual - due << '\n';
    }
  }
  const double recorded = t.empty() ? 0 : (t.back() - t.front()) / speed;
  const double duration = n == 0 ? 0 : static_cast<double>(arrival[n - 1] - arrival[0]) / 1e6;
  std::printf("lines=%zu expected=%zu in_order=%zu status=%d", lines.size(), t.size(), in_order,
              ended.status);
  std::printf(" start_ms=%.3f", n == 0 ? -1.0 : static_cast<double>(arrival[0] - child.launched) / 1e6);
  std::printf(" end_ms=%.3f", static_cast<double>(closed - (n == 0 ? child.launched : arrival[n - 1])) / 1e6);
  std::printf(" recorded_ms=%.3f duration_ms=%.3f", recorded, duration);
  std::printf(" duration_err_pct=%.4f", recorded > 0 ? 100.0 * (duration - recorded) / recorded : 0.0);
  std::printf(" gap_p50_ms=%.3f gap_p90_ms=%.3f gap_p99_ms=%.3f gap_max_ms=%.3f gap_max_at_ms=%.1f",
              percentile(gap_error, 50), percentile(gap_error, 90), percentile(gap_error, 99),
              percentile(gap_error, 100), worst_recorded_gap);
  std::printf(" gaps=%zu gaps_over_5ms=%zu", gap_error.size(), over_5ms);
  std::printf(" drift_p99_ms=%.3f drift_max_ms=%.3f", percentile(drift, 99), percentile(drift, 100));
  std::printf(" cpu_ms=%.1f\n", ended.cpu_ms);
  return lines.size() == t.size() && in_order == t.size() && ended.status == 0 ? 0 : 1;
}

// --- rate -------------------------------------------------------------------------------------

int rate(const Args& args)
{
  const long expected = std::stol(args.get("--events"));
  const long per_event = std::stol(args.get("--lines-per-event", "1"));
  Child child = spawn(args.command);
  std::vector<char> buffer(1 << 20);
  long lines = 0;
  std::int64_t first = 0;
  for (;;) {
    const ssize_t n = read(child.out, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    if (first == 0) {
      first = now_ns();
    }
    const char* p = buffer.data();
    const char* end = p + n;
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr) {
      ++lines;
      ++p;
    }
  }
  const std::int64_t last = now_ns();
  close(child.out);
  const Ended ended = reap(child);
  lines /= per_event;
  const double elapsed = static_cast<double>(last - child.launched) / 1e6;
  const double load = first == 0 ? -1 : static_cast<double>(first - child.launched) / 1e6;
  const double output = first == 0 ? -1 : static_cast<double>(last - first) / 1e6;
  std::printf("lines=%ld expected=%ld status=%d elapsed_ms=%.1f first_ms=%.1f output_ms=%.1f",
              lines, expected, ended.status, elapsed, load, output);
  std::printf(" events_per_s=%.0f output_events_per_s=%.0f cpu_ms=%.1f maxrss_kb=%ld\n",
              elapsed > 0 ? static_cast<double>(lines) / elapsed * 1e3 : -1.0,
              output > 0 ? static_cast<double>(lines) / output * 1e3 : -1.0, ended.cpu_ms,
              ended.maxrss_kb);
  return lines == expected && ended.status == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
  const std::string mode = argc > 1 ? argv[1] : "";
  const Args args = split(argc, argv);
  try {
    if (mode == "gen") {
      return gen(args);
    }
    if (mode == "timing") {
      return timing(args);
    }
    if (mode == "rate") {
      return rate(args);
    }
  } catch (const std::exception& e) {
    die(std::string("bad argument: ") + e.what());
  }
  die("usage: stamp gen|timing|rate ... (see the head of stamp.cpp)");
}
