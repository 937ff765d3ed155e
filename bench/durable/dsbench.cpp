// The client side of bench/durable: load for a Durable Streams server (DIGEST.md), one
// subcommand per measurement, each printing one line of key=value pairs on stdout (diagnostics
// on stderr). Plain sockets, HTTP/1.1 keep-alive, no dependency.
//
//   dsbench append  --port P --name S --conns N --seconds T [--warmup W] [--size B]
//       Creates S (application/json), then N keep-alive connections (nonblocking, on one epoll
//       thread per 64 connections) each POST one B-byte JSON object at a time (the next once
//       the answer is in) for W + T seconds; appends answered 2xx within the last T seconds are
//       counted, and the server's CPU (all threads) over those T seconds.
//   dsbench fill    --port P --name S --type json|bytes --bytes B [--chunk C]
//       Creates S (application/json or application/octet-stream) and appends B bytes of data in
//       POSTs of about C bytes (JSON: arrays of 100-byte objects, each object one message).
//   dsbench catchup --port P --name S --type json|bytes [--pid PID] [--expect-bytes B]
//       [--expect-messages M]
//       Resets the server's peak RSS (writes 5 to /proc/PID/clear_refs), then reads S from
//       offset -1 on one connection, following Stream-Next-Offset until Stream-Up-To-Date;
//       time to the first body byte, body bytes/s, responses, and the server's VmHWM after.
//   dsbench fanout  --port P --name S --subscribers N --messages M [--rate R] [--deadline D]
//       [--pid PID] [--size B] [--inflight K]
//       Creates S (application/json), connects N subscribers (one epoll thread) with
//       GET S?offset=now&live=sse, waits until each has its headers and its first control
//       event, then a writer thread POSTs M objects {"s":SEQ,"t":CLOCK_MONOTONIC ns,...}, one
//       per request on one keep-alive connection (as fast as answered, or R per second).
//       Each subscriber reads data events (a JSON array of messages) until it has all M; a
//       delivered message is one message at one subscriber, its latency receipt - t.
//
// Common: --host H (127.0.0.1), --prefix /v1/stream/. Exit 0 when the measurement is complete
// and correct, 1 when it ran but something was missing or refused (the line is printed
// anyway), 2 on bad usage or when the server could not be reached.
//
// Build: g++ -std=c++17 -O2 -pthread -o dsbench dsbench.cpp   (bench/durable/run does)

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
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double ms(int64_t ns) { return double(ns) / 1e6; }

[[noreturn]] void die(const std::string& why, int code = 2) {
  std::fprintf(stderr, "dsbench: %s\n", why.c_str());
  std::exit(code);
}

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string prefix = "/v1/stream/";
  std::string name;
  std::string type = "json";
  int pid = 0;
  int conns = 1;
  double seconds = 3;
  double warmup = 0.5;
  int size = 100;
  int64_t bytes = 100 << 20;
  int64_t chunk = 1 << 20;
  int64_t expect_bytes = -1;
  int64_t expect_messages = -1;
  int subscribers = 100;
  int messages = 1000;
  double rate = 0;
  double deadline = 0;
  int inflight = 128;
};

Options parse_options(int argc, char** argv) {
  if (argc < 2) die("usage: dsbench append|fill|catchup|fanout --port P --name S [options] (see the source)");
  Options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) die("missing value for " + a);
    const char* v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--port") o.port = std::atoi(v);
    else if (a == "--prefix") o.prefix = v;
    else if (a == "--name") o.name = v;
    else if (a == "--type") o.type = v;
    else if (a == "--pid") o.pid = std::atoi(v);
    else if (a == "--conns") o.conns = std::atoi(v);
    else if (a == "--seconds") o.seconds = std::atof(v);
    else if (a == "--warmup") o.warmup = std::atof(v);
    else if (a == "--size") o.size = std::atoi(v);
    else if (a == "--bytes") o.bytes = std::atoll(v);
    else if (a == "--chunk") o.chunk = std::atoll(v);
    else if (a == "--expect-bytes") o.expect_bytes = std::atoll(v);
    else if (a == "--expect-messages") o.expect_messages = std::atoll(v);
    else if (a == "--subscribers") o.subscribers = std::atoi(v);
    else if (a == "--messages") o.messages = std::atoi(v);
    else if (a == "--rate") o.rate = std::atof(v);
    else if (a == "--deadline") o.deadline = std::atof(v);
    else if (a == "--inflight") o.inflight = std::atoi(v);
    else die("unknown option " + a);
  }
  if (o.port <= 0 || o.port > 65535) die("--port is required");
  if (o.name.empty()) die("--name is required");
  if (o.type != "json" && o.type != "bytes") die("--type is json or bytes");
  if (o.conns <= 0 || o.seconds <= 0 || o.warmup < 0 || o.size < 40 || o.bytes <= 0 ||
      o.chunk < 1024 || o.subscribers <= 0 || o.messages <= 0 || o.rate < 0 || o.inflight <= 0)
    die("bad value");
  if (o.deadline <= 0) o.deadline = 30 + (o.rate > 0 ? o.messages / o.rate : 0);
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

// Resets VmHWM to the current RSS (Linux >= 4.0); false when it could not.
bool reset_peak(int pid) {
  if (pid <= 0) return false;
  int fd = open(("/proc/" + std::to_string(pid) + "/clear_refs").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

// Sum over the living threads of their run time (task/TID/schedstat), in ns; -1 when unknown.
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

int64_t self_cpu_ns() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_usec * 1000; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

int64_t percentile(std::vector<int64_t>& v, double q) {
  if (v.empty()) return -1;
  size_t k = std::min(v.size() - 1, size_t(q * double(v.size())));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---- a blocking HTTP/1.1 client connection ----

int connect_to(const Options& o, bool blocking) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(o.port));
  if (inet_pton(AF_INET, o.host.c_str(), &sa.sin_addr) != 1) die("--host must be an IPv4 address");
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // unless streamed to a callback
  int64_t body_bytes = 0;
  int64_t first_body_ns = 0;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using BodySink = void (*)(void* ctx, const char* p, size_t n);

class Http {
 public:
  explicit Http(const Options& o) : m_opt(o), m_buf(1 << 20) { reconnect(); }
  ~Http() {
    if (m_fd >= 0) close(m_fd);
  }
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // Sends one request and reads its response; false on a connection failure. With SINK the
  // body goes to it as it arrives (Response::body stays empty).
  bool exchange(const std::string& method, const std::string& target,
                const std::string& extra_headers, const char* body, size_t body_len,
                Response& res, BodySink sink = nullptr, void* ctx = nullptr) {
    if (m_fd < 0 && !reconnect()) return false;
    m_req.clear();
    m_req += method;
    m_req += ' ';
    m_req += target;
    m_req += " HTTP/1.1\r\nHost: ";
    m_req += m_host;
    m_req += "\r\n";
    m_req += extra_headers;
    if (body || method == "POST" || method == "PUT") {
      m_req += "Content-Length: ";
      m_req += std::to_string(body_len);
      m_req += "\r\n";
    }
    m_req += "\r\n";
    if (body && body_len <= 4096) {
      m_req.append(body, body_len);
      if (!send_all(m_req.data(), m_req.size())) return false;
    } else {
      if (!send_all(m_req.data(), m_req.size())) return false;
      if (body && !send_all(body, body_len)) return false;
    }
    return read_response(method == "HEAD", res, sink, ctx);
  }

 private:
  bool reconnect() {
    if (m_fd >= 0) close(m_fd);
    m_fd = connect_to(m_opt, true);
    m_begin = m_end = 0;
    m_host = m_opt.host + ":" + std::to_string(m_opt.port);
    return m_fd >= 0;
  }

  bool send_all(const char* p, size_t n) {
    while (n) {
      ssize_t w = send(m_fd, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        close(m_fd);
        m_fd = -1;
        return false;
      }
      p += w;
      n -= size_t(w);
    }
    return true;
  }

  // At least one more byte into the buffer; false at EOF or error.
  bool fill() {
    if (m_begin == m_end) m_begin = m_end = 0;
    if (m_end == m_buf.size()) {
      if (m_begin > 0) {
        std::memmove(m_buf.data(), m_buf.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
      } else {
        m_buf.resize(m_buf.size() * 2);
      }
    }
    for (;;) {
      ssize_t r = recv(m_fd, m_buf.data() + m_end, m_buf.size() - m_end, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        close(m_fd);
        m_fd = -1;
        return false;
      }
      m_end += size_t(r);
      return true;
    }
  }

  // One CRLF- (or LF-) terminated line, without its end; false at EOF.
  bool line(std::string& out) {
    size_t rel = 0;  // scanned so far, from m_begin (fill may move the data)
    for (;;) {
      const char* s = m_buf.data() + m_begin;
      size_t avail = m_end - m_begin;
      const void* nl = std::memchr(s + rel, '\n', avail - rel);
      if (nl) {
        size_t len = size_t(static_cast<const char*>(nl) - s);
        m_begin += len + 1;
        if (len && s[len - 1] == '\r') --len;
        out.assign(s, len);
        return true;
      }
      rel = avail;
      if (!fill()) return false;
    }
  }

  void deliver(Response& res, const char* p, size_t n, BodySink sink, void* ctx) {
    if (n == 0) return;
    if (!res.first_body_ns) res.first_body_ns = now_ns();
    res.body_bytes += int64_t(n);
    if (sink) sink(ctx, p, n);
    else res.body.append(p, n);
  }

  // Up to N bytes of body (N < 0: until EOF).
  bool body_bytes(int64_t n, Response& res, BodySink sink, void* ctx) {
    while (n != 0) {
      if (m_begin == m_end && !fill()) return n < 0;
      size_t take = m_end - m_begin;
      if (n > 0 && int64_t(take) > n) take = size_t(n);
      deliver(res, m_buf.data() + m_begin, take, sink, ctx);
      m_begin += take;
      if (n > 0) n -= int64_t(take);
    }
    return true;
  }

  bool read_response(bool head, Response& res, BodySink sink, void* ctx) {
    res = Response();
    std::string l;
    do {
      if (!line(l)) return false;
      if (l.compare(0, 5, "HTTP/") != 0) return false;
      size_t sp = l.find(' ');
      res.status = sp == std::string::npos ? 0 : std::atoi(l.c_str() + sp + 1);
      res.headers.clear();
      for (;;) {
        if (!line(l)) return false;
        if (l.empty()) break;
        size_t colon = l.find(':');
        if (colon == std::string::npos) continue;
        size_t v = colon + 1;
        while (v < l.size() && (l[v] == ' ' || l[v] == '\t')) ++v;
        size_t e = l.size();
        while (e > v && (l[e - 1] == ' ' || l[e - 1] == '\t')) --e;
        res.headers[lower(l.substr(0, colon))] = l.substr(v, e - v);
      }
    } while (res.status >= 100 && res.status < 200);
    if (head || res.status == 204 || res.status == 304) return true;
    if (lower(res.header("transfer-encoding")).find("chunked") != std::string::npos) {
      for (;;) {
        if (!line(l)) return false;
        char* end = nullptr;
        uint64_t size = std::strtoull(l.c_str(), &end, 16);
        if (end == l.c_str()) return false;
        if (size == 0) {
          do {
            if (!line(l)) return false;
          } while (!l.empty());
          return true;
        }
        if (!body_bytes(int64_t(size), res, sink, ctx)) return false;
        if (!line(l)) return false;
      }
    }
    std::string cl = res.header("content-length");
    if (!cl.empty()) return body_bytes(std::atoll(cl.c_str()), res, sink, ctx);
    bool ok = body_bytes(-1, res, sink, ctx);  // close-delimited
    return ok;
  }

  const Options& m_opt;
  int m_fd = -1;
  std::string m_host;
  std::string m_req;
  std::vector<char> m_buf;
  size_t m_begin = 0, m_end = 0;
};

std::string stream_path(const Options& o) { return o.prefix + o.name; }

const char* content_type(const std::string& type) {
  return type == "json" ? "application/json" : "application/octet-stream";
}

void create_stream(const Options& o, const std::string& type) {
  Http http(o);
  Response res;
  std::string headers = std::string("Content-Type: ") + content_type(type) + "\r\n";
  if (!http.exchange("PUT", stream_path(o), headers, "", 0, res))
    die("cannot reach the server on port " + std::to_string(o.port));
  if (res.status != 201 && res.status != 200)
    die("PUT " + stream_path(o) + ": status " + std::to_string(res.status) + ": " + res.body);
}

// A compact JSON object of exactly SIZE bytes: {"<key>":<n>,<more>"p":"xxx..."}.
std::string padded_object(const std::string& head, int size) {
  // head is e.g. "{\"i\":12,"; the rest is "\"p\":\"" + pad + "\"}"
  int pad = size - int(head.size()) - 7;
  if (pad < 0) pad = 0;
  std::string s = head;
  s += "\"p\":\"";
  s.append(size_t(pad), 'x');
  s += "\"}";
  return s;
}

// ---- append ----

// One client thread: its connections (nonblocking, one epoll), each with one POST in flight.
struct AppendConn {
  int fd = -1;
  int id = 0;
  std::string out;
  size_t sent = 0;
  std::string in;
  int64_t t0 = 0;
  int64_t n = 0;
};

struct AppendResult {
  int64_t ok = 0, errors = 0, failed_conn = 0;
  int first_bad_status = 0;
  std::vector<int64_t> lat;
};

// The length of the first complete response in IN (0: not complete yet), and its status.
size_t complete_response(const std::string& in, int& status) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  size_t sp = in.find(' ');
  status = sp == std::string::npos ? 0 : std::atoi(in.c_str() + sp + 1);
  if (status / 100 == 1) {  // an interim response: skip it
    std::string rest = in.substr(end + 4);
    size_t more = complete_response(rest, status);
    return more ? end + 4 + more : 0;
  }
  if (status == 204 || status == 304) return end + 4;
  std::string head = lower(in.substr(0, end));
  size_t cl = head.find("\ncontent-length:");
  if (cl != std::string::npos) {
    size_t total = end + 4 + size_t(std::atoll(head.c_str() + cl + 16));
    return in.size() >= total ? total : 0;
  }
  if (head.find("\ntransfer-encoding:") != std::string::npos) {
    size_t last = in.find("\r\n0\r\n\r\n", end + 2);
    return last == std::string::npos ? 0 : last + 7;
  }
  return end + 4;
}

void append_thread(const Options& o, int first, int count, const std::atomic<bool>* go,
                   std::atomic<int>* ready, const int64_t* t_measure, const int64_t* t_end,
                   AppendResult* r) {
  const std::string target = stream_path(o);
  const std::string head = "POST " + target + " HTTP/1.1\r\nHost: " + o.host + ":" +
                           std::to_string(o.port) + "\r\nContent-Type: application/json\r\nContent-Length: ";
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<AppendConn> conns(static_cast<size_t>(count));
  r->lat.reserve(1 << 18);
  for (int i = 0; i < count; ++i) {
    AppendConn& c = conns[size_t(i)];
    c.id = first + i;
    c.fd = connect_to(o, true);  // blocking connect, then nonblocking I/O
    if (c.fd < 0) die(std::string("connect: ") + std::strerror(errno));
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = uint64_t(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }
  ready->fetch_add(1);
  while (!go->load(std::memory_order_acquire)) std::this_thread::yield();
  int active = count;
  auto send_next = [&](AppendConn& c, size_t i) {
    int64_t now = now_ns();
    if (now >= *t_end) {
      epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      --active;
      return;
    }
    std::string body =
      padded_object("{\"c\":" + std::to_string(c.id) + ",\"n\":" + std::to_string(c.n++) + ",", o.size);
    c.out = head + std::to_string(body.size()) + "\r\n\r\n" + body;
    c.sent = 0;
    c.t0 = now;
    ssize_t w = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (w > 0) c.sent = size_t(w);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
      ++r->failed_conn;
      epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      --active;
      return;
    }
    if (c.sent < c.out.size()) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.u64 = uint64_t(i);
      epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    }
  };
  for (size_t i = 0; i < conns.size(); ++i) send_next(conns[i], i);
  std::vector<epoll_event> evs(size_t(std::max(count, 1)));
  char buf[65536];
  while (active > 0) {
    int k = epoll_wait(ep, evs.data(), int(evs.size()), 100);
    if (k == 0 && now_ns() > *t_end + 30000000000LL) break;  // a server that stopped answering
    for (int j = 0; j < k; ++j) {
      size_t i = size_t(evs[size_t(j)].data.u64);
      AppendConn& c = conns[i];
      if (evs[size_t(j)].events & EPOLLOUT && c.sent < c.out.size()) {
        ssize_t w = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
        if (w > 0) c.sent += size_t(w);
        if (c.sent == c.out.size()) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = uint64_t(i);
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        }
      }
      if (!(evs[size_t(j)].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      ssize_t got = recv(c.fd, buf, sizeof buf, 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) {
        ++r->failed_conn;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        --active;
        continue;
      }
      c.in.append(buf, size_t(got));
      int status = 0;
      size_t len = complete_response(c.in, status);
      if (!len) continue;
      int64_t t1 = now_ns();
      if (status / 100 != 2) {
        ++r->errors;
        if (!r->first_bad_status) {
          r->first_bad_status = status;
          std::fprintf(stderr, "dsbench: append: status %d: %s\n", status, c.in.substr(0, len).c_str());
        }
      } else if (t1 >= *t_measure && t1 < *t_end) {
        ++r->ok;
        r->lat.push_back(t1 - c.t0);
      }
      c.in.erase(0, len);
      send_next(c, i);
    }
  }
  for (auto& c : conns) close(c.fd);
  close(ep);
}

int run_append(const Options& o) {
  create_stream(o, "json");
  // One client thread for every 64 connections (more on a 2-core machine only take the
  // server's CPU); each connection one POST in flight.
  int threads = std::min(o.conns, std::max(1, (o.conns + 63) / 64));
  std::vector<AppendResult> results(static_cast<size_t>(threads));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  int64_t t_measure = 0, t_end = 0;
  std::vector<std::thread> pool;
  for (int t = 0, first = 0; t < threads; ++t) {
    int count = o.conns / threads + (t < o.conns % threads ? 1 : 0);
    pool.emplace_back(append_thread, std::cref(o), first, count, &go, &ready, &t_measure, &t_end,
                      &results[size_t(t)]);
    first += count;
  }
  while (ready.load() < threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int64_t t_start = now_ns();
  t_measure = t_start + int64_t(o.warmup * 1e9);
  t_end = t_measure + int64_t(o.seconds * 1e9);
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t_measure)));
  int64_t cpu0 = schedstat_cpu_ns(o.pid);
  int64_t self0 = self_cpu_ns();
  std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t_end)));
  int64_t cpu1 = schedstat_cpu_ns(o.pid);
  int64_t self1 = self_cpu_ns();
  for (auto& t : pool) t.join();
  int64_t ok = 0, errors = 0, failed = 0;
  std::vector<int64_t> lat;
  for (auto& r : results) {
    ok += r.ok;
    errors += r.errors;
    failed += r.failed_conn;
    lat.insert(lat.end(), r.lat.begin(), r.lat.end());
  }
  double secs = o.seconds;
  int64_t cpu = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
  std::printf("conns=%d threads=%d seconds=%g appends=%" PRId64 " appends_per_s=%.0f p50_ms=%.3f"
              " p99_ms=%.3f errors=%" PRId64 " failed_conn=%" PRId64
              " server_cpu_us_per_append=%.1f client_cpu_pct=%.0f rss_kb=%ld hwm_kb=%ld\n",
              o.conns, threads, secs, ok, double(ok) / secs, ms(percentile(lat, 0.5)),
              ms(percentile(lat, 0.99)), errors, failed,
              cpu >= 0 && ok ? double(cpu) / 1e3 / double(ok) : -1.0,
              100.0 * double(self1 - self0) / (secs * 1e9), status_kb(o.pid, "VmRSS"),
              status_kb(o.pid, "VmHWM"));
  return ok > 0 && errors == 0 && failed == 0 ? 0 : 1;
}

// ---- fill ----

int run_fill(const Options& o) {
  create_stream(o, o.type);
  Http http(o);
  Response res;
  const std::string headers = std::string("Content-Type: ") + content_type(o.type) + "\r\n";
  int64_t stored = 0, messages = 0, posts = 0;
  int64_t t0 = now_ns();
  std::string body;
  body.reserve(size_t(o.chunk) + 1024);
  while (stored < o.bytes) {
    body.clear();
    int64_t want = std::min(o.chunk, o.bytes - stored);
    if (o.type == "json") {
      body += '[';
      int64_t in_body = 0;
      while (in_body < want && stored + in_body < o.bytes) {
        if (body.size() > 1) body += ',';
        body += padded_object("{\"i\":" + std::to_string(messages) + ",", 100);
        in_body += 100;
        ++messages;
      }
      body += ']';
      stored += in_body;
    } else {
      // Printable bytes that change with the position (never one repeated page).
      for (int64_t i = 0; i < want; ++i) body += char('!' + (uint64_t(stored + i) * 2654435761u >> 7) % 90);
      stored += want;
      ++messages;
    }
    if (!http.exchange("POST", stream_path(o), headers, body.data(), body.size(), res))
      die("fill: the connection failed", 1);
    if (res.status / 100 != 2) die("fill: status " + std::to_string(res.status) + ": " + res.body, 1);
    ++posts;
  }
  int64_t t1 = now_ns();
  std::printf("type=%s bytes=%" PRId64 " messages=%" PRId64 " posts=%" PRId64
              " fill_s=%.3f fill_mb_per_s=%.1f rss_kb=%ld hwm_kb=%ld\n",
              o.type.c_str(), stored, o.type == "json" ? messages : 0, posts, double(t1 - t0) / 1e9,
              double(stored) / 1e6 / (double(t1 - t0) / 1e9), status_kb(o.pid, "VmRSS"),
              status_kb(o.pid, "VmHWM"));
  return 0;
}

// ---- catch-up ----

struct CatchupCount {
  int64_t braces = 0;
};

void count_braces(void* ctx, const char* p, size_t n) {
  static_cast<CatchupCount*>(ctx)->braces += std::count(p, p + n, '{');
}
void count_nothing(void*, const char*, size_t) {}

int run_catchup(const Options& o) {
  long rss_before = status_kb(o.pid, "VmRSS");
  bool reset = reset_peak(o.pid);
  Http http(o);
  Response res;
  CatchupCount count;
  std::string offset = "-1";
  int64_t bytes = 0, responses = 0, first_byte = 0;
  bool json = o.type == "json";
  int64_t t0 = now_ns();
  int64_t deadline = t0 + int64_t((o.deadline > 0 ? o.deadline : 120) * 1e9);
  bool done = false;
  int status = 0;
  std::string cl_note;
  while (now_ns() < deadline) {
    if (!http.exchange("GET", stream_path(o) + "?offset=" + offset, "", nullptr, 0, res,
                       json ? count_braces : count_nothing, &count)) {
      std::fprintf(stderr, "dsbench: catchup: the connection failed after %" PRId64 " bytes\n", bytes);
      break;
    }
    ++responses;
    status = res.status;
    if (res.status != 200) {
      std::fprintf(stderr, "dsbench: catchup: status %d\n", res.status);
      break;
    }
    if (!first_byte && res.first_body_ns) first_byte = res.first_body_ns - t0;
    bytes += res.body_bytes;
    std::string next = res.header("stream-next-offset");
    if (lower(res.header("stream-up-to-date")) == "true") {
      done = true;
      break;
    }
    if (next.empty() || next == offset) {
      std::fprintf(stderr, "dsbench: catchup: no progress at offset %s\n", offset.c_str());
      break;
    }
    offset = next;
  }
  int64_t t1 = now_ns();
  long hwm = status_kb(o.pid, "VmHWM");
  long rss_after = status_kb(o.pid, "VmRSS");
  double secs = double(t1 - t0) / 1e9;
  std::printf("type=%s done=%d status=%d responses=%" PRId64 " bytes=%" PRId64 " messages=%" PRId64
              " seconds=%.3f mb_per_s=%.1f ttfb_ms=%.3f rss_before_kb=%ld rss_after_kb=%ld"
              " hwm_kb=%ld hwm_reset=%d\n",
              o.type.c_str(), done ? 1 : 0, status, responses, bytes, json ? count.braces : 0, secs,
              double(bytes) / 1e6 / secs, ms(first_byte), rss_before, rss_after, hwm, reset ? 1 : 0);
  bool ok = done;
  if (json && o.expect_messages >= 0 && count.braces != o.expect_messages) {
    std::fprintf(stderr, "dsbench: catchup: %" PRId64 " messages, expected %" PRId64 "\n", count.braces,
                 o.expect_messages);
    ok = false;
  }
  if (!json && o.expect_bytes >= 0 && bytes != o.expect_bytes) {
    std::fprintf(stderr, "dsbench: catchup: %" PRId64 " bytes, expected %" PRId64 "\n", bytes, o.expect_bytes);
    ok = false;
  }
  return ok ? 0 : 1;
}

// ---- SSE fan-out ----

struct Conn {
  int fd = -1;
  enum { CONNECTING, SENDING, HEADERS, BODY, CLOSED } state = CONNECTING;
  size_t sent = 0;
  std::string head;
  bool chunked = false;
  bench::BodyLines body{64u << 20};  // the body, line by line
  bool event_data = false;  // the current event is `event: data`
  bool event_control = false;
  bool got_control = false;
  int64_t received = 0;
  int64_t next_seq = 0;
  bool complete = false;
};

struct FanStats {
  std::vector<int64_t> latencies;
  int64_t delivered = 0, data_events = 0, control_events = 0, misordered = 0, bad_status = 0,
          protocol_errors = 0;
  int64_t last_receipt = 0;
  int complete = 0, failed = 0, closed_early = 0, have_headers = 0, have_control = 0;
};

struct Fan {
  Options opt;
  int ep = -1;
  std::vector<Conn> conns;
  FanStats st;
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
    c.fd = connect_to(opt, false);
    if (c.fd < 0) {
      std::fprintf(stderr, "dsbench: connect: %s (ulimit -n is %ld)\n", std::strerror(errno),
                   sysconf(_SC_OPEN_MAX));
      c.state = Conn::CLOSED;
      ++st.failed;
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }

  // Messages in a data event's JSON array: each {"s":SEQ,"t":NS,...}.
  void on_messages(Conn& c, const char* p, size_t n, int64_t t) {
    const char* end = p + n;
    while (p < end) {
      const char* s = static_cast<const char*>(memmem(p, size_t(end - p), "\"s\":", 4));
      if (!s) return;
      char* after = nullptr;
      long long seq = std::strtoll(s + 4, &after, 10);
      const char* tt = static_cast<const char*>(memmem(after, size_t(end - after), "\"t\":", 4));
      if (!tt) {
        ++st.protocol_errors;
        return;
      }
      long long sent = std::strtoll(tt + 4, &after, 10);
      p = after;
      st.latencies.push_back(t - sent);
      if (t > st.last_receipt) st.last_receipt = t;
      ++st.delivered;
      if (seq != c.next_seq) ++st.misordered;
      c.next_seq = seq + 1;
      if (++c.received == opt.messages && !c.complete) {
        c.complete = true;
        ++st.complete;
      }
    }
  }

  void on_line(Conn& c, const char* p, size_t n, int64_t t) {
    if (n && p[n - 1] == '\r') --n;
    if (n == 0) {  // the end of an event
      if (c.event_data) ++st.data_events;
      if (c.event_control) {
        ++st.control_events;
        if (!c.got_control) {
          c.got_control = true;
          ++st.have_control;
        }
      }
      c.event_data = c.event_control = false;
      return;
    }
    if (n >= 6 && std::memcmp(p, "event:", 6) == 0) {
      const char* v = p + 6;
      size_t vn = n - 6;
      if (vn && *v == ' ') ++v, --vn;
      c.event_data = vn == 4 && std::memcmp(v, "data", 4) == 0;
      c.event_control = vn == 7 && std::memcmp(v, "control", 7) == 0;
      return;
    }
    if (n >= 5 && std::memcmp(p, "data:", 5) == 0 && c.event_data) on_messages(c, p + 5, n - 5, t);
  }

  void on_headers_done(Conn& c) {
    ++st.have_headers;
    int status = 0;
    size_t sp = c.head.find(' ');
    if (sp != std::string::npos) status = std::atoi(c.head.c_str() + sp + 1);
    if (status != 200) {
      ++st.bad_status;
      if (st.bad_status == 1) std::fprintf(stderr, "dsbench: status %d:\n%s\n", status, c.head.c_str());
    }
    std::string l = lower(c.head);
    size_t te = l.find("\ntransfer-encoding:");
    if (te != std::string::npos) {
      size_t eol = l.find('\n', te + 1);
      c.chunked = l.substr(te, eol - te).find("chunked") != std::string::npos;
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
      size_t before = c.head.size();
      c.head.append(p, n);
      size_t end = c.head.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (c.head.size() > 65536) {
          ++st.protocol_errors;
          close_conn(i);
        }
        return;
      }
      size_t body_at = end + 4 - before;
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
        if (st.failed == 0) std::fprintf(stderr, "dsbench: connect: %s\n", std::strerror(err));
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

  void poll_once(int timeout_ms) {
    static epoll_event evs[1024];
    int k = epoll_wait(ep, evs, 1024, timeout_ms);
    for (int j = 0; j < k; ++j) {
      size_t i = size_t(evs[j].data.u64);
      if (conns[i].state == Conn::CLOSED) continue;
      if (conns[i].state == Conn::CONNECTING || conns[i].state == Conn::SENDING) on_writable(i);
      else on_readable(i);
    }
  }
};

struct WriterResult {
  std::atomic<int64_t> first{0}, last{0};
  std::atomic<int> written{0};
  std::atomic<bool> failed{false};
  std::vector<int64_t> lat;  // append round trips
};

void write_messages(const Options& opt, WriterResult* out) {
  Http http(opt);
  Response res;
  const std::string target = stream_path(opt);
  const std::string headers = "Content-Type: application/json\r\n";
  int64_t t0 = now_ns();
  int64_t period = opt.rate > 0 ? int64_t(1e9 / opt.rate) : 0;
  out->lat.reserve(size_t(opt.messages));
  char head[96];
  for (int seq = 0; seq < opt.messages; ++seq) {
    if (period) {
      int64_t due = t0 + seq * period;
      timespec ts{time_t(due / 1000000000), long(due % 1000000000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
      }
    }
    int64_t t = now_ns();
    std::snprintf(head, sizeof head, "{\"s\":%d,\"t\":%" PRId64 ",", seq, t);
    std::string body = padded_object(head, opt.size);
    if (!http.exchange("POST", target, headers, body.data(), body.size(), res) || res.status / 100 != 2) {
      std::fprintf(stderr, "dsbench: writer: append %d failed (status %d)\n", seq, res.status);
      out->failed = true;
      return;
    }
    out->lat.push_back(now_ns() - t);
    if (seq == 0) out->first = t;
    out->last = t;
    out->written = seq + 1;
  }
}

int run_fanout(const Options& opt) {
  create_stream(opt, "json");
  Fan fan;
  fan.opt = opt;
  fan.ep = epoll_create1(EPOLL_CLOEXEC);
  fan.conns.resize(size_t(opt.subscribers));
  fan.request = "GET " + stream_path(opt) + "?offset=now&live=sse HTTP/1.1\r\nHost: " + opt.host + ":" +
                std::to_string(opt.port) + "\r\nAccept: text/event-stream\r\n\r\n";
  fan.st.latencies.reserve(size_t(opt.subscribers) * size_t(opt.messages));
  long rss0 = status_kb(opt.pid, "VmRSS");

  // Connect, at most --inflight waiting for their headers at a time; ready once every one has
  // its headers and its first control event (or nothing moved for 2 s after all had headers).
  const size_t n = fan.conns.size();
  int64_t connect_start = now_ns();
  int64_t progress_at = connect_start;
  size_t started = 0;
  int last_done = -1;
  const char* ready_by = "control";
  for (;;) {
    int done = fan.st.have_headers + fan.st.failed;
    while (started < n && int(started) - done < opt.inflight) fan.start(started++);
    if (size_t(fan.st.have_control + fan.st.failed) == n) break;
    fan.poll_once(20);
    int64_t t = now_ns();
    int progress = fan.st.have_headers + fan.st.have_control + fan.st.failed;
    if (progress != last_done) {
      last_done = progress;
      progress_at = t;
    } else if (t - progress_at > 2000000000LL && size_t(fan.st.have_headers + fan.st.failed) == n) {
      ready_by = "headers";
      std::fprintf(stderr, "dsbench: %d of %zu subscribers have a control event; going on\n",
                   fan.st.have_control, n);
      break;
    }
    if (t - connect_start > 30000000000LL) {
      std::fprintf(stderr, "dsbench: %d of %zu subscribers ready after 30 s; giving up\n",
                   fan.st.have_headers, n);
      return 2;
    }
  }
  int64_t connect_ms = (now_ns() - connect_start) / 1000000;
  if (fan.st.failed) std::fprintf(stderr, "dsbench: %d connections failed\n", fan.st.failed);
  if (fan.st.failed == opt.subscribers) return 2;

  for (int64_t until = now_ns() + 200000000; now_ns() < until;) fan.poll_once(20);
  long rss_idle = status_kb(opt.pid, "VmRSS");
  int64_t cpu0 = schedstat_cpu_ns(opt.pid);
  int64_t self0 = self_cpu_ns();

  WriterResult wr;
  std::thread writer(write_messages, std::cref(opt), &wr);
  int64_t write_start = now_ns();
  int64_t deadline = write_start + int64_t(opt.deadline * 1e9);
  bool timed_out = false;
  while (fan.st.complete + fan.st.closed_early + fan.st.failed < opt.subscribers) {
    if (now_ns() > deadline) {
      timed_out = true;
      break;
    }
    if (wr.failed.load()) break;
    fan.poll_once(20);
  }
  int64_t cpu1 = schedstat_cpu_ns(opt.pid);
  int64_t self1 = self_cpu_ns();
  long hwm = status_kb(opt.pid, "VmHWM");

  FanStats& st = fan.st;
  int64_t p50 = percentile(st.latencies, 0.50), p99 = percentile(st.latencies, 0.99);
  int64_t max = st.latencies.empty() ? -1 : *std::max_element(st.latencies.begin(), st.latencies.end());
  int64_t first = wr.first.load();
  int64_t elapsed = first && st.last_receipt > first ? st.last_receipt - first : 0;
  int64_t expected = int64_t(opt.subscribers) * opt.messages;
  double per_s = elapsed > 0 ? double(st.delivered) / (double(elapsed) / 1e9) : 0;
  int64_t cpu = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
  // The writer's append round trips, while the fan-out runs: only if it finished.
  int64_t write_p50 = -1;
  if (wr.written.load() == opt.messages) {
    writer.join();
    write_p50 = percentile(wr.lat, 0.5);
  }
  std::printf(
      "subscribers=%d messages=%d rate=%g ready_by=%s connect_ms=%" PRId64 " expected=%" PRId64
      " delivered=%" PRId64 " data_events=%" PRId64 " control_events=%" PRId64
      " complete=%d failed=%d closed_early=%d bad_status=%" PRId64 " misordered=%" PRId64
      " protocol_errors=%" PRId64 " timed_out=%d written=%d write_ms=%.3f append_p50_ms=%.3f"
      " elapsed_ms=%.3f events_per_s=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f"
      " rss0_kb=%ld rss_idle_kb=%ld hwm_kb=%ld cpu_ms=%.3f cpu_ns_per_event=%.1f client_cpu_ms=%.3f\n",
      opt.subscribers, opt.messages, opt.rate, ready_by, connect_ms, expected, st.delivered,
      st.data_events, st.control_events, st.complete, st.failed, st.closed_early, st.bad_status,
      st.misordered, st.protocol_errors, timed_out ? 1 : 0, wr.written.load(),
      ms(wr.last.load() - first), ms(write_p50), ms(elapsed), per_s, ms(p50), ms(p99), ms(max), rss0,
      rss_idle, hwm, cpu >= 0 ? ms(cpu) : -1.0,
      cpu >= 0 && st.delivered ? double(cpu) / double(st.delivered) : -1.0, ms(self1 - self0));
  std::fflush(stdout);
  bool ok = !timed_out && st.delivered == expected && st.misordered == 0 && st.bad_status == 0;
  if (wr.written.load() != opt.messages) writer.detach();
  _exit(ok ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Options o = parse_options(argc, argv);
  if (o.mode == "append") return run_append(o);
  if (o.mode == "fill") return run_fill(o);
  if (o.mode == "catchup") return run_catchup(o);
  if (o.mode == "fanout") return run_fanout(o);
  die("unknown subcommand " + o.mode + " (append, fill, catchup, fanout)");
}
