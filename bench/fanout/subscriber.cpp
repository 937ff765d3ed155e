// The client side of bench/fanout: N subscribers on one event stream and the writer that feeds
// it, in one process, so that every latency is measured on one clock (CLOCK_MONOTONIC).
//
// One thread opens N connections to the server with epoll (at most --inflight at a time waiting
// for their response headers, so a short listen backlog never costs a SYN retransmit), sends
//   GET / HTTP/1.1, Host, Accept: text/event-stream
// and reads every response: chunked or close-delimited, split anywhere. Each `data:` line of the
// body must be `<seq> <ns>`: written by the writer thread into the server's stdin (a FIFO) at
// CLOCK_MONOTONIC time <ns>; receipt time minus <ns> is one latency sample.
//
// Phases, and what is read from /proc/PID of the server (--pid) between them:
//   1. RSS with no subscriber (VmRSS).
//   2. Connect all N; ready when all have their response headers (or, for a server that sends
//      none before the first event, when all requests are sent and nothing moved for 2 s).
//   3. Settle 300 ms; idle RSS; server CPU before (all threads: sum of task schedstat run time,
//      in ns; also utime+stime from stat, in clock ticks).
//   4. The writer writes --events lines: all at once (--rate 0, one write(2) per line) or paced
//      at --rate lines/s. The subscribers read until each has all of them, or --deadline.
//   5. Server CPU after, RSS and peak RSS (VmHWM) after.
// Prints one line of key=value pairs on stdout (see print_result); diagnostics on stderr.
// Exit 0 when every subscriber got every event, in order; 1 when not (the line is printed
// anyway); 2 on bad usage or when the subscribers could not connect.
//
// Build: g++ -std=c++17 -O2 -pthread -o subscriber subscriber.cpp   (bench/fanout/run does)

#include "support/body_lines.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int pid = 0;        // the server, for /proc; 0: no server figures
  std::string fifo;   // the server's stdin
  int subscribers = 100;
  int events = 1000;
  double rate = 0;    // events per second; 0: burst
  double deadline = 0; // seconds from the first write; 0: 20 + events / rate
  int inflight = 128;
};

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "subscriber: %s\nusage: subscriber --port P --fifo PATH [--pid PID] [--host H]\n"
               "       [--subscribers N] [--events E] [--rate R] [--deadline S] [--inflight K]\n",
               why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--port") o.port = std::atoi(v);
    else if (a == "--pid") o.pid = std::atoi(v);
    else if (a == "--fifo") o.fifo = v;
    else if (a == "--subscribers") o.subscribers = std::atoi(v);
    else if (a == "--events") o.events = std::atoi(v);
    else if (a == "--rate") o.rate = std::atof(v);
    else if (a == "--deadline") o.deadline = std::atof(v);
    else if (a == "--inflight") o.inflight = std::atoi(v);
    else usage(("unknown option " + a).c_str());
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.fifo.empty()) usage("--fifo is required");
  if (o.subscribers <= 0 || o.events <= 0 || o.rate < 0 || o.inflight <= 0) usage("bad value");
  if (o.deadline <= 0) o.deadline = 20 + (o.rate > 0 ? o.events / o.rate : 0);
  return o;
}

// ---- /proc of the server ----

std::string slurp(const std::string& path) {
  std::string s;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  char buf[4096];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) s.append(buf, size_t(r));
  close(fd);
  return s;
}

// A "Name:   123 kB" field of /proc/PID/status, in kB; -1 when unknown.
long status_kb(int pid, const char* name) {
  if (pid <= 0) return -1;
  std::string s = slurp("/proc/" + std::to_string(pid) + "/status");
  std::string key = std::string("\n") + name + ":";
  size_t at = s.find(key);
  if (at == std::string::npos) return -1;
  return std::strtol(s.c_str() + at + key.size(), nullptr, 10);
}

// utime + stime of the whole process (all threads, living and dead), in ns; tick resolution.
int64_t stat_cpu_ns(int pid) {
  if (pid <= 0) return -1;
  std::string s = slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close_paren = s.rfind(')');
  if (close_paren == std::string::npos) return -1;
  // After ") ": field 3 (state) ... field 14 utime, 15 stime.
  const char* p = s.c_str() + close_paren + 2;
  unsigned long long utime = 0, stime = 0;
  for (int field = 3; field <= 15 && *p; ++field) {
    if (field == 14) utime = std::strtoull(p, nullptr, 10);
    if (field == 15) stime = std::strtoull(p, nullptr, 10);
    p = std::strchr(p, ' ');
    if (!p) break;
    ++p;
  }
  long hz = sysconf(_SC_CLK_TCK);
  return int64_t((utime + stime) * (1000000000ULL / uint64_t(hz)));
}

// Sum over the living threads of their run time (first field of task/TID/schedstat), in ns;
// -1 when the kernel has no schedstat.
int64_t schedstat_cpu_ns(int pid) {
  if (pid <= 0) return -1;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  int64_t sum = 0;
  bool any = false;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string s = slurp(dir + "/" + e->d_name + "/schedstat");
    if (s.empty()) continue;
    sum += int64_t(std::strtoull(s.c_str(), nullptr, 10));
    any = true;
  }
  closedir(d);
  return any ? sum : -1;
}

// ---- the subscribers ----

struct Conn {
  int fd = -1;
  enum { CONNECTING, SENDING, HEADERS, BODY, CLOSED } state = CONNECTING;
  size_t sent = 0;
  std::string head;  // response headers, until the blank line
  bool chunked = false;
  bench::BodyLines body{1u << 20};  // the body, line by line
  int64_t received = 0;
  int64_t next_seq = 0;
  bool complete = false;
};

struct Stats {
  std::vector<int64_t> latencies;  // ns
  int64_t delivered = 0, misordered = 0, foreign = 0, bad_status = 0, protocol_errors = 0;
  int64_t last_receipt = 0;
  int complete = 0, failed = 0, closed_early = 0, have_headers = 0;
};

struct Client {
  Options opt;
  int ep = -1;
  std::vector<Conn> conns;
  Stats st;
  std::string request;

  void close_conn(size_t i) {
    Conn& c = conns[i];
    if (c.state == Conn::CLOSED) return;
    if (!c.complete) {
      if (c.state == Conn::BODY) ++st.closed_early;
      else ++st.failed;
    }
    epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    c.state = Conn::CLOSED;
  }

  void start(size_t i) {
    Conn& c = conns[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      std::fprintf(stderr, "subscriber: socket: %s (ulimit -n is %ld)\n", std::strerror(errno),
                   sysconf(_SC_OPEN_MAX));
      std::exit(2);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(opt.port));
    if (inet_pton(AF_INET, opt.host.c_str(), &sa.sin_addr) != 1) usage("--host must be an IPv4 address");
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
      std::fprintf(stderr, "subscriber: connect: %s\n", std::strerror(errno));
      close(c.fd);
      c.state = Conn::CLOSED;
      ++st.failed;
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }

  void on_line(Conn& c, const char* p, size_t n, int64_t t) {
    if (n && p[n - 1] == '\r') --n;
    if (n < 5 || std::memcmp(p, "data:", 5) != 0) return;  // id:, event:, comments, blank
    p += 5;
    n -= 5;
    if (n && *p == ' ') ++p, --n;
    // <seq> <ns>
    std::string s(p, n);
    char* end = nullptr;
    long long seq = std::strtoll(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != ' ') {
      ++st.foreign;
      return;
    }
    const char* ns_at = end + 1;
    long long sent = std::strtoll(ns_at, &end, 10);
    if (end == ns_at) {
      ++st.foreign;
      return;
    }
    st.latencies.push_back(t - sent);
    if (t > st.last_receipt) st.last_receipt = t;
    ++st.delivered;
    if (seq != c.next_seq) ++st.misordered;
    c.next_seq = seq + 1;
    if (++c.received == opt.events && !c.complete) {
      c.complete = true;
      ++st.complete;
    }
  }

  void on_headers_done(Conn& c) {
    ++st.have_headers;
    // Status line: HTTP/1.x 200 ...
    int status = 0;
    size_t sp = c.head.find(' ');
    if (sp != std::string::npos) status = std::atoi(c.head.c_str() + sp + 1);
    if (status != 200) {
      ++st.bad_status;
      if (st.bad_status == 1) std::fprintf(stderr, "subscriber: status %d:\n%s\n", status, c.head.c_str());
    }
    std::string lower = c.head;
    for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    size_t te = lower.find("\ntransfer-encoding:");
    if (te != std::string::npos) {
      size_t eol = lower.find('\n', te + 1);
      c.chunked = lower.substr(te, eol - te).find("chunked") != std::string::npos;
    }
    c.head.clear();
    c.head.shrink_to_fit();
    c.state = Conn::BODY;
  }

  void on_readable(size_t i) {
    Conn& c = conns[i];
    static char buf[1 << 16];
    ssize_t r = read(c.fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      close_conn(i);
      return;
    }
    if (r == 0) {
      close_conn(i);
      return;
    }
    int64_t t = now_ns();
    const char* p = buf;
    size_t n = size_t(r);
    if (c.state == Conn::HEADERS) {
      // Headers end at the first blank line (CRLF CRLF, or LF LF from a lax server).
      size_t before = c.head.size();
      c.head.append(p, n);
      size_t end = c.head.find("\r\n\r\n");
      size_t skip = 4;
      size_t lf = c.head.find("\n\n");
      if (lf != std::string::npos && (end == std::string::npos || lf < end)) end = lf, skip = 2;
      if (end == std::string::npos) {
        if (c.head.size() > 65536) {
          ++st.protocol_errors;
          close_conn(i);
        }
        return;
      }
      size_t body_at = end + skip - before;  // offset of the body in this read
      c.head.resize(end);
      on_headers_done(c);
      p += body_at;
      n -= body_at;
    }
    if (c.state != Conn::BODY || n == 0) return;
    const auto line = [&](const char* text, size_t len) { on_line(c, text, len, t); };
    if (c.chunked) {
      if (!c.body.feed_chunked(p, n, st.protocol_errors, line)) close_conn(i);
    } else {
      c.body.feed(p, n, st.protocol_errors, line);
    }
  }

  void on_writable(size_t i) {
    Conn& c = conns[i];
    if (c.state == Conn::CONNECTING) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) {
        if (st.failed == 0) std::fprintf(stderr, "subscriber: connect: %s\n", std::strerror(err));
        close_conn(i);
        return;
      }
      c.state = Conn::SENDING;
    }
    ssize_t w = send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno != EAGAIN && errno != EINTR) close_conn(i);
      return;
    }
    c.sent += size_t(w);
    if (c.sent < request.size()) return;
    c.state = Conn::HEADERS;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  }

  // One epoll_wait and its events; timeout in ms.
  void poll_once(int timeout_ms) {
    static epoll_event evs[1024];
    int k = epoll_wait(ep, evs, 1024, timeout_ms);
    for (int j = 0; j < k; ++j) {
      size_t i = size_t(evs[j].data.u64);
      if (conns[i].state == Conn::CLOSED) continue;
      if (conns[i].state == Conn::CONNECTING || conns[i].state == Conn::SENDING) {
        on_writable(i);
      } else {
        on_readable(i);
      }
    }
  }
};

struct WriterResult {
  std::atomic<int64_t> first{0}, last{0};
  std::atomic<int> written{0};
  std::atomic<bool> failed{false};
};

void write_events(const Options& opt, int fd, WriterResult* out) {
  int64_t t0 = now_ns();
  int64_t period = opt.rate > 0 ? int64_t(1e9 / opt.rate) : 0;
  char line[64];
  for (int seq = 0; seq < opt.events; ++seq) {
    if (period) {
      int64_t due = t0 + seq * period;
      timespec ts{time_t(due / 1000000000), long(due % 1000000000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
      }
    }
    int64_t t = now_ns();
    int len = std::snprintf(line, sizeof line, "%d %" PRId64 "\n", seq, t);
    for (int off = 0; off < len;) {
      ssize_t w = write(fd, line + off, size_t(len - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "subscriber: writing to the server's stdin: %s\n", std::strerror(errno));
        out->failed = true;
        return;
      }
      off += int(w);
    }
    if (seq == 0) out->first = t;
    out->last = t;
    out->written = seq + 1;
  }
}

double ms(int64_t ns) { return double(ns) / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse_options(argc, argv);
  signal(SIGPIPE, SIG_IGN);

  Client cl;
  cl.opt = opt;
  cl.ep = epoll_create1(EPOLL_CLOEXEC);
  cl.conns.resize(size_t(opt.subscribers));
  cl.request = "GET / HTTP/1.1\r\nHost: " + opt.host + ":" + std::to_string(opt.port) +
               "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
  cl.st.latencies.reserve(size_t(opt.subscribers) * size_t(opt.events));

  // 1. The server with no subscriber.
  long rss0 = status_kb(opt.pid, "VmRSS");

  // 2. Connect, at most --inflight waiting for their headers at a time.
  const size_t n = cl.conns.size();
  int64_t connect_start = now_ns();
  int64_t progress_at = connect_start;
  size_t started = 0;
  int last_done = 0;
  int inflight_cap = opt.inflight;
  const char* ready_by = "headers";
  for (;;) {
    int done = cl.st.have_headers + cl.st.failed;
    while (started < n && int(started) - done < inflight_cap) cl.start(started++);
    if (size_t(cl.st.have_headers + cl.st.failed) == n) break;
    cl.poll_once(50);
    int64_t t = now_ns();
    done = cl.st.have_headers + cl.st.failed;
    if (done != last_done) {
      last_done = done;
      progress_at = t;
    } else if (t - progress_at > 2000000000LL) {
      if (started < n) {
        // Maybe the server sends its headers with the first event only: stop waiting for them.
        inflight_cap = opt.subscribers;
        progress_at = t;
      } else {
        bool all_sent = true;
        for (const Conn& c : cl.conns) all_sent &= c.state != Conn::CONNECTING && c.state != Conn::SENDING;
        if (all_sent) {
          ready_by = "requests-sent";
          std::fprintf(stderr, "subscriber: %d of %zu responses have headers; going on without\n",
                       cl.st.have_headers, n);
          break;
        }
      }
    }
    if (t - connect_start > 30000000000LL) {
      std::fprintf(stderr, "subscriber: %d of %zu subscribers ready after 30 s; giving up\n",
                   cl.st.have_headers, n);
      return 2;
    }
  }
  int64_t connect_ms = (now_ns() - connect_start) / 1000000;
  if (cl.st.failed) std::fprintf(stderr, "subscriber: %d connections failed\n", cl.st.failed);
  if (cl.st.failed == opt.subscribers) return 2;

  // 3. Idle: settle, then the idle RSS and the CPU before.
  for (int64_t until = now_ns() + 300000000; now_ns() < until;) cl.poll_once(20);
  long rss_idle = status_kb(opt.pid, "VmRSS");
  int64_t cpu0 = schedstat_cpu_ns(opt.pid);
  int64_t tick0 = stat_cpu_ns(opt.pid);
  rusage ru0;
  getrusage(RUSAGE_SELF, &ru0);

  // 4. Write, and read until every subscriber has every event.
  int wfd = open(opt.fifo.c_str(), O_WRONLY | O_CLOEXEC);
  if (wfd < 0) {
    std::fprintf(stderr, "subscriber: %s: %s\n", opt.fifo.c_str(), std::strerror(errno));
    return 2;
  }
  WriterResult wr;
  std::thread writer(write_events, std::cref(opt), wfd, &wr);
  int64_t write_start = now_ns();
  int64_t deadline = write_start + int64_t(opt.deadline * 1e9);
  bool timed_out = false;
  while (cl.st.complete + cl.st.closed_early + cl.st.failed < opt.subscribers) {
    if (now_ns() > deadline) {
      timed_out = true;
      break;
    }
    cl.poll_once(50);
  }

  // 5. The server after.
  int64_t cpu1 = schedstat_cpu_ns(opt.pid);
  int64_t tick1 = stat_cpu_ns(opt.pid);
  long rss_end = status_kb(opt.pid, "VmRSS");
  long hwm = status_kb(opt.pid, "VmHWM");
  rusage ru1;
  getrusage(RUSAGE_SELF, &ru1);
  auto tv_ns = [](const timeval& tv) { return int64_t(tv.tv_sec) * 1000000000 + tv.tv_usec * 1000; };
  int64_t client_cpu = tv_ns(ru1.ru_utime) + tv_ns(ru1.ru_stime) - tv_ns(ru0.ru_utime) - tv_ns(ru0.ru_stime);

  Stats& st = cl.st;
  std::vector<int64_t>& lat = st.latencies;
  auto pct = [&](double q) -> int64_t {
    if (lat.empty()) return -1;
    size_t k = std::min(lat.size() - 1, size_t(q * double(lat.size())));
    std::nth_element(lat.begin(), lat.begin() + long(k), lat.end());
    return lat[k];
  };
  int64_t p50 = pct(0.50), p90 = pct(0.90), p99 = pct(0.99);
  int64_t max = lat.empty() ? -1 : *std::max_element(lat.begin(), lat.end());
  double mean = 0;
  for (int64_t v : lat) mean += double(v);
  if (!lat.empty()) mean /= double(lat.size());

  int64_t first = wr.first.load();
  int64_t elapsed = first && st.last_receipt > first ? st.last_receipt - first : 0;
  int64_t expected = int64_t(opt.subscribers) * opt.events;
  double events_per_s = elapsed > 0 ? double(st.delivered) / (double(elapsed) / 1e9) : 0;
  int64_t cpu = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
  int64_t ticks = tick0 >= 0 && tick1 >= 0 ? tick1 - tick0 : -1;

  std::printf(
      "subscribers=%d events=%d rate=%g ready_by=%s connect_ms=%" PRId64 " expected=%" PRId64
      " delivered=%" PRId64 " complete=%d failed=%d closed_early=%d bad_status=%" PRId64
      " misordered=%" PRId64 " foreign=%" PRId64 " protocol_errors=%" PRId64
      " timed_out=%d written=%d write_ms=%.3f elapsed_ms=%.3f events_per_s=%.0f"
      " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f"
      " rss0_kb=%ld rss_idle_kb=%ld rss_end_kb=%ld hwm_kb=%ld"
      " cpu_ms=%.3f cpu_tick_ms=%.3f cpu_ns_per_event=%.1f client_cpu_ms=%.3f\n",
      opt.subscribers, opt.events, opt.rate, ready_by, connect_ms, expected, st.delivered,
      st.complete, st.failed, st.closed_early, st.bad_status, st.misordered, st.foreign,
      st.protocol_errors, timed_out ? 1 : 0, wr.written.load(), ms(wr.last.load() - first),
      ms(elapsed), events_per_s, ms(p50), ms(p90), ms(p99), ms(max), mean / 1e6, rss0, rss_idle,
      rss_end, hwm, cpu >= 0 ? ms(cpu) : -1.0, ticks >= 0 ? ms(ticks) : -1.0,
      cpu >= 0 && st.delivered ? double(cpu) / double(st.delivered) : -1.0, ms(client_cpu));
  std::fflush(stdout);

  bool ok = !timed_out && st.delivered == expected && st.misordered == 0 && st.bad_status == 0;
  // The writer may still be blocked on a server that stopped reading: do not join it.
  if (wr.written.load() == opt.events || wr.failed.load()) writer.join();
  else writer.detach();
  _exit(ok ? 0 : 1);
}
