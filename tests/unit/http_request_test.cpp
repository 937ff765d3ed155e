// net::RequestReader, the incremental HTTP/1.1 request reader, fed as a connection feeds it:
// every input whole, byte by byte and split in two at every position, with the bytes it did
// not consume presented again with the next ones appended; every way must give the same
// requests and the same final status. Plus the request's helpers (header, keep_alive,
// query_param) and percent_decode.

#include "net/http_request.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using net::HttpRequest;
using net::ReadStatus;
using net::RequestLimits;
using net::RequestReader;

const char* status_name(ReadStatus status)
{
  switch (status) {
  case ReadStatus::incomplete: return "incomplete";
  case ReadStatus::complete: return "complete";
  case ReadStatus::bad_request: return "bad_request";
  case ReadStatus::head_too_large: return "head_too_large";
  case ReadStatus::body_too_large: return "body_too_large";
  case ReadStatus::not_implemented: return "not_implemented";
  }
  return "?";
}

/// A request as one line of text, so that outcomes compare (and print) as strings.
std::string describe(const HttpRequest& request)
{
  std::ostringstream out;
  out << request.method << ' ' << request.target << " path=" << request.path
      << " query=" << request.query << " 1." << request.minor_version << " {";
  for (const auto& [name, value] : request.headers) {
    out << name << '=' << value << ';';
  }
  out << "} body=" << request.body.size() << ':' << request.body;
  return out.str();
}

/// What a connection got out of a byte stream: the requests, then how the reading ended
/// ("incomplete" with how many bytes still wait, or the error), one line each.
struct Outcome {
  std::vector<std::string> requests;
  std::string end;
  std::vector<HttpRequest> parsed; ///< the requests themselves, for closer looks

  std::string text() const
  {
    std::string out;
    for (const auto& request : requests) {
      out += request + "\n";
    }
    return out + "=> " + end;
  }
};

/// Feeds CHUNKS in turn the way net::Connection does: the unconsumed bytes stay at the front
/// of the buffer and the next chunk is appended to them; after a complete request the
/// reader is asked again at once.
Outcome feed(const std::vector<std::string_view>& chunks, RequestLimits limits = {})
{
  RequestReader reader(limits);
  Outcome outcome;
  std::string input;
  std::size_t pos = 0;
  HttpRequest request;
  for (const auto chunk : chunks) {
    input.append(chunk);
    while (true) {
      std::size_t consumed = 0;
      const ReadStatus status =
        reader.read(std::string_view(input).substr(pos), consumed, request);
      if (consumed > input.size() - pos) {
        outcome.end = "consumed more than given";
        return outcome;
      }
      pos += consumed;
      if (status == ReadStatus::complete) {
        outcome.requests.push_back(describe(request));
        outcome.parsed.push_back(std::move(request));
        request = HttpRequest();
        continue;
      }
      if (status == ReadStatus::incomplete) {
        break;
      }
      outcome.end = status_name(status);
      return outcome;
    }
  }
  outcome.end = "incomplete, " + std::to_string(input.size() - pos) + " unread";
  return outcome;
}

Outcome feed_whole(std::string_view input, RequestLimits limits = {})
{
  return feed({input}, limits);
}

/// Reads INPUT whole, byte by byte and split in two at every position, expects the same
/// outcome every time, and returns it.
Outcome read_every_way(std::string_view input, RequestLimits limits = {})
{
  const Outcome whole = feed_whole(input, limits);
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) {
    bytes.push_back(input.substr(i, 1));
  }
  EXPECT_EQ(feed(bytes, limits).text(), whole.text()) << "byte by byte";
  for (std::size_t split = 1; split < input.size(); ++split) {
    const Outcome two = feed({input.substr(0, split), input.substr(split)}, limits);
    EXPECT_EQ(two.text(), whole.text()) << "split at " << split;
    if (two.text() != whole.text()) {
      break; // one report per input is enough
    }
  }
  return whole;
}

RequestLimits limits(std::size_t max_head, std::size_t max_body)
{
  RequestLimits out;
  out.max_head = max_head;
  out.max_body = max_body;
  return out;
}

/// The one request INPUT holds.
HttpRequest only(std::string_view input)
{
  const Outcome outcome = feed_whole(input);
  EXPECT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  return outcome.parsed.empty() ? HttpRequest() : outcome.parsed[0];
}

// --- heads -------------------------------------------------------------------------------------

TEST(HttpRequest, ReadsASimpleGet)
{
  const Outcome outcome =
    read_every_way("GET /events?topic=a%20b HTTP/1.1\r\nHost: example.com\r\n"
                   "Accept:   text/event-stream  \r\nX-Empty:\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.end, "incomplete, 0 unread");
  const HttpRequest& request = outcome.parsed[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/events?topic=a%20b");
  EXPECT_EQ(request.path, "/events");
  EXPECT_EQ(request.query, "topic=a%20b");
  EXPECT_EQ(request.minor_version, 1);
  ASSERT_EQ(request.headers.size(), 3U);
  EXPECT_EQ(request.headers[0], std::make_pair(std::string("host"), std::string("example.com")));
  ASSERT_NE(request.header("accept"), nullptr);
  EXPECT_EQ(*request.header("accept"), "text/event-stream");
  ASSERT_NE(request.header("x-empty"), nullptr);
  EXPECT_EQ(*request.header("x-empty"), "");
  EXPECT_EQ(request.header("Accept"), nullptr) << "names are stored and looked up in lower case";
  EXPECT_EQ(request.header("missing"), nullptr);
  EXPECT_TRUE(request.body.empty());
}

TEST(HttpRequest, HeaderReturnsTheFirstOfRepeatedNames)
{
  const Outcome outcome = read_every_way("GET / HTTP/1.1\r\nX-A: one\r\nx-a: two\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(*outcome.parsed[0].header("x-a"), "one");
  EXPECT_EQ(outcome.parsed[0].headers.size(), 2U);
}

TEST(HttpRequest, BareLineFeedsWork)
{
  const Outcome outcome = read_every_way("GET /a HTTP/1.1\nHost: h\n\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].path, "/a");
  EXPECT_EQ(*outcome.parsed[0].header("host"), "h");
  EXPECT_EQ(outcome.end, "incomplete, 0 unread");
}

TEST(HttpRequest, MixedLineEndsWork)
{
  // A bare LF line followed by a CRLF blank line, and the other way round.
  const Outcome a = read_every_way("GET /a HTTP/1.1\nHost: h\n\r\n");
  ASSERT_EQ(a.parsed.size(), 1U) << a.text();
  EXPECT_EQ(*a.parsed[0].header("host"), "h");
  EXPECT_EQ(a.end, "incomplete, 0 unread");
  const Outcome b = read_every_way("GET /b HTTP/1.1\r\nHost: h\r\n\n");
  ASSERT_EQ(b.parsed.size(), 1U) << b.text();
  EXPECT_EQ(*b.parsed[0].header("host"), "h");
  EXPECT_EQ(b.end, "incomplete, 0 unread");
}

TEST(HttpRequest, NoHeadersAtAll)
{
  const Outcome outcome = read_every_way("GET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_TRUE(outcome.parsed[0].headers.empty());
  EXPECT_EQ(outcome.parsed[0].path, "/");
  EXPECT_EQ(outcome.parsed[0].query, "");
}

TEST(HttpRequest, LeadingEmptyLinesAreSkipped)
{
  const Outcome outcome = read_every_way("\r\n\n\r\nGET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.end, "incomplete, 0 unread");
  // Empty lines alone are consumed: a connection holds nothing for them.
  EXPECT_EQ(read_every_way("\r\n\r\n\n").end, "incomplete, 0 unread");
}

TEST(HttpRequest, AnUnfinishedHeadIsKeptUnconsumed)
{
  EXPECT_EQ(read_every_way("GET / HTTP/1.1\r\nHost: x\r\n").end, "incomplete, 25 unread");
  EXPECT_EQ(read_every_way("\r\nGET / HT").end, "incomplete, 8 unread");
}

TEST(HttpRequest, HttpVersions)
{
  const Outcome old = read_every_way("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(old.parsed.size(), 1U) << old.text();
  EXPECT_EQ(old.parsed[0].minor_version, 0);
  for (const char* bad : {"GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.2\r\n\r\n",
                          "GET / http/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n",
                          "GET / HTTP/1\r\n\r\n"}) {
    EXPECT_EQ(read_every_way(bad).text(), "=> bad_request") << bad;
  }
}

TEST(HttpRequest, MalformedRequestLines)
{
  for (const char* bad : {
         "GET\r\n\r\n",                    // no target, no version
         "GET /\r\n\r\n",                  // no version
         "GET  / HTTP/1.1\r\n\r\n",        // two spaces: an empty target
         "GET / x HTTP/1.1\r\n\r\n",       // a space in the target
         " GET / HTTP/1.1\r\n\r\n",        // an empty method
         "G(T / HTTP/1.1\r\n\r\n",         // not a token
         "GÉT / HTTP/1.1\r\n\r\n",         // not ASCII
         "hello world\r\n\r\n",
       }) {
    EXPECT_EQ(read_every_way(bad).text(), "=> bad_request") << bad;
  }
}

TEST(HttpRequest, MalformedHeaderLines)
{
  for (const char* bad : {
         "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
         "GET / HTTP/1.1\r\n: no name\r\n\r\n",
         "GET / HTTP/1.1\r\nHost : spaced\r\n\r\n",
         "GET / HTTP/1.1\r\nBad(Name): x\r\n\r\n",
       }) {
    EXPECT_EQ(read_every_way(bad).text(), "=> bad_request") << bad;
  }
}

TEST(HttpRequest, ObsoleteLineFoldingIsRejected)
{
  EXPECT_EQ(read_every_way("GET / HTTP/1.1\r\nX-Long: a\r\n  b\r\n\r\n").text(), "=> bad_request");
  EXPECT_EQ(read_every_way("GET / HTTP/1.1\r\nX-Long: a\r\n\tb\r\n\r\n").text(), "=> bad_request");
}

TEST(HttpRequest, HeadLimit)
{
  const std::string head = "GET / HTTP/1.1\r\nX-Pad: " + std::string(100, 'p') + "\r\n";
  // Over the limit, whether the head is finished or not.
  EXPECT_EQ(read_every_way(head + "\r\n", limits(64, 1024)).text(), "=> head_too_large");
  EXPECT_EQ(read_every_way(head, limits(64, 1024)).text(), "=> head_too_large");
  EXPECT_EQ(read_every_way(head + "\r\n", limits(head.size() - 1, 1024)).text(),
            "=> head_too_large");
  // Leading empty lines do not count.
  const Outcome padded = read_every_way("\r\n\r\n" + head + "\r\n", limits(head.size() + 2, 1024));
  EXPECT_EQ(padded.parsed.size(), 1U) << padded.text();
}

TEST(HttpRequest, AHeadOfExactlyTheLimitIsReadHoweverItArrives)
{
  // The limit is on the head up to its last header line; the blank line that ends it must
  // not tip it over when the CR of that line arrives before its LF.
  const std::string head = "GET / HTTP/1.1\r\nX-Pad: " + std::string(40, 'p') + "\r\n";
  const RequestLimits exact = limits(head.size(), 1024);
  const std::string input = head + "\r\n";
  EXPECT_EQ(feed_whole(input, exact).requests.size(), 1U) << feed_whole(input, exact).text();
  read_every_way(input, exact);
  // Bare LF: the same.
  const std::string lf_head = "GET / HTTP/1.1\nX-Pad: " + std::string(40, 'p') + "\n";
  read_every_way(lf_head + "\n", limits(lf_head.size(), 1024));
}

TEST(HttpRequest, ControlCharactersInHeaderValuesAreRefused)
{
  // RFC 9110 §5.5: CR, LF and NUL in a field value are refused, so no route can store one and
  // echo it into a response head.
  for (const std::string& value : {std::string("text/plain\rX-Injected: yes"), std::string("a\r"),
                                  std::string("\ra"), std::string("a\0b", 3),
                                  std::string("\0", 1)}) {
    const std::string input = "POST / HTTP/1.1\r\nContent-Type: " + value + "\r\n\r\n";
    EXPECT_EQ(read_every_way(input).text(), "=> bad_request") << value;
  }
  // A CR just before the CRLF is a bare CR too.
  EXPECT_EQ(read_every_way("GET / HTTP/1.1\r\nX: a\r\r\n\r\n").text(), "=> bad_request");
  // Tabs and spaces inside a value are fine.
  const Outcome tabbed = read_every_way("GET / HTTP/1.1\r\nX: a\tb c\r\n\r\n");
  ASSERT_EQ(tabbed.parsed.size(), 1U) << tabbed.text();
  EXPECT_EQ(*tabbed.parsed[0].header("x"), "a\tb c");
}

TEST(HttpRequest, ControlCharactersInTheTargetAreRefused)
{
  for (const std::string& target : {std::string("/a\rb"), std::string("/a\0b", 5),
                                   std::string("/a\tb"), std::string("/a\x7f")}) {
    EXPECT_EQ(read_every_way("GET " + target + " HTTP/1.1\r\n\r\n").text(), "=> bad_request")
      << target;
  }
}

// --- Content-Length bodies --------------------------------------------------------------------

TEST(HttpRequest, ContentLengthBody)
{
  const Outcome outcome =
    read_every_way("POST /submit HTTP/1.1\r\nContent-Length: 12\r\n\r\nhello\r\nworld");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].method, "POST");
  EXPECT_EQ(outcome.parsed[0].body, "hello\r\nworld");
  EXPECT_EQ(outcome.end, "incomplete, 0 unread");
}

TEST(HttpRequest, ContentLengthZeroHasNoBody)
{
  const Outcome outcome =
    read_every_way("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 2U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].body, "");
  EXPECT_EQ(outcome.parsed[1].path, "/next");
}

TEST(HttpRequest, AnUnfinishedBodyWaits)
{
  const Outcome outcome = read_every_way("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_TRUE(outcome.requests.empty()) << outcome.text();
  EXPECT_EQ(outcome.end, "incomplete, 0 unread"); // the body's bytes are kept inside
}

TEST(HttpRequest, DuplicateContentLengths)
{
  const Outcome same =
    read_every_way("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_EQ(same.parsed.size(), 1U) << same.text();
  EXPECT_EQ(same.parsed[0].body, "abc");
  EXPECT_EQ(
    read_every_way("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd").text(),
    "=> bad_request");
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabcd").text(),
            "=> bad_request");
}

TEST(HttpRequest, MalformedContentLengths)
{
  for (const char* value : {"abc", "-1", "+3", "3x", "0x10", "1.5", ""}) {
    const std::string input =
      std::string("POST / HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\nabc";
    EXPECT_EQ(read_every_way(input).text(), "=> bad_request") << value;
  }
}

TEST(HttpRequest, BodyLimit)
{
  const Outcome fits =
    read_every_way("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits(1024, 10));
  EXPECT_EQ(fits.parsed.size(), 1U) << fits.text();
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits(1024, 10)).text(),
            "=> body_too_large");
  EXPECT_EQ(
    read_every_way("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").text(),
    "=> body_too_large");
}

// --- chunked bodies ----------------------------------------------------------------------------

TEST(HttpRequest, ChunkedBody)
{
  const Outcome outcome = read_every_way("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         "4\r\nWiki\r\n"
                                         "5;name=value\r\npedia\r\n"
                                         "E ; a ; b=\"c\"\r\n in\r\n\r\nchunks.\r\n"
                                         "0\r\n"
                                         "\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(outcome.end, "incomplete, 0 unread");
}

TEST(HttpRequest, ChunkedBodyWithTrailersAndBareLineFeeds)
{
  const Outcome outcome = read_every_way("POST / HTTP/1.1\nTransfer-Encoding: Chunked\n\n"
                                         "a\nabcdefghij\n"
                                         "A\r\nABCDEFGHIJ\r\n"
                                         "0;last\n"
                                         "Checksum: 1234\r\n"
                                         "Another: trailer\n"
                                         "\n"
                                         "GET /after HTTP/1.1\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 2U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].body, "abcdefghijABCDEFGHIJ");
  EXPECT_EQ(outcome.parsed[0].header("checksum"), nullptr) << "trailers are dropped";
  EXPECT_EQ(outcome.parsed[1].path, "/after");
}

TEST(HttpRequest, TrailersAreBoundedByTheHeadLimit)
{
  // Each trailer line is short, but there is no end to them: the trailer section counts
  // against the same limit as the head.
  std::string input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 40; ++i) {
    input += "X-Trailer: " + std::string(20, 't') + "\r\n";
  }
  EXPECT_EQ(read_every_way(input + "\r\n", limits(512, 1024)).text(), "=> head_too_large");
  EXPECT_EQ(read_every_way(input, limits(512, 1024)).text(), "=> head_too_large");
  // Under the limit they are read (and dropped).
  const Outcome fits = read_every_way(input + "\r\n", limits(4096, 1024));
  EXPECT_EQ(fits.parsed.size(), 1U) << fits.text();
  // A trailer with a bare CR or a NUL is refused like a header.
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                           "X: a\rb\r\n\r\n")
              .text(),
            "=> bad_request");
}

TEST(HttpRequest, ExpectContinue)
{
  EXPECT_TRUE(only("POST / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n").expects_continue());
  EXPECT_FALSE(only("POST / HTTP/1.1\r\n\r\n").expects_continue());
  EXPECT_FALSE(only("POST / HTTP/1.1\r\nExpect: something\r\n\r\n").expects_continue());
  EXPECT_FALSE(only("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expects_continue())
    << "HTTP/1.0 clients do not know 100";
}

TEST(HttpRequest, TheReaderTellsWhenItWaitsForABody)
{
  RequestReader reader({});
  HttpRequest request;
  std::size_t consumed = 0;
  EXPECT_FALSE(reader.reading_body());
  const std::string input = "POST / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n";
  EXPECT_EQ(reader.read(input, consumed, request), ReadStatus::incomplete);
  EXPECT_EQ(consumed, input.size());
  EXPECT_TRUE(reader.reading_body());
  EXPECT_TRUE(request.expects_continue()) << "the head is there while the body is read";
  EXPECT_EQ(reader.read("abc", consumed, request), ReadStatus::complete);
  EXPECT_FALSE(reader.reading_body());
  EXPECT_EQ(request.body, "abc");
}

TEST(HttpRequest, ChunkedEmptyBody)
{
  const Outcome outcome =
    read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].body, "");
}

TEST(HttpRequest, AnUnfinishedChunkedBodyWaits)
{
  const Outcome outcome =
    read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npe");
  EXPECT_TRUE(outcome.requests.empty()) << outcome.text();
  EXPECT_EQ(outcome.end, "incomplete, 0 unread");
  // A chunk-size line not finished yet stays unconsumed.
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n1f")
              .end,
            "incomplete, 2 unread");
}

TEST(HttpRequest, BadChunks)
{
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* body : {
         "zz\r\nab\r\n0\r\n\r\n",         // not hex
         "\r\nab\r\n0\r\n\r\n",           // no size
         ";ext\r\nab\r\n0\r\n\r\n",       // an extension without a size
         "-2\r\nab\r\n0\r\n\r\n",         // negative
         "0x2\r\nab\r\n0\r\n\r\n",        // a C prefix
         "2\r\nabc\r\n0\r\n\r\n",         // data longer than its size
         "2\r\nab0\r\n\r\n",              // no line end after the data
         "ffffffffffffffffffff\r\n",      // does not fit any size
       }) {
    const Outcome outcome = read_every_way(head + body);
    EXPECT_TRUE(outcome.requests.empty()) << body;
    EXPECT_TRUE(outcome.end == "bad_request" || outcome.end == "body_too_large")
      << body << ": " << outcome.end;
  }
  // An endless chunk-size line.
  EXPECT_EQ(read_every_way(head + std::string(2000, '0')).text(), "=> bad_request");
}

TEST(HttpRequest, AnOverlongChunkLineIsRejectedHoweverItArrives)
{
  // A chunk-size line with a 2000-byte extension: reading it whole and reading it in pieces
  // must agree (the reader bounds the line only while its end has not arrived).
  const std::string input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3;ext=" + std::string(2000, 'x') + "\r\nabc\r\n0\r\n\r\n";
  const Outcome whole = feed_whole(input);
  EXPECT_EQ(whole.text(), "=> bad_request");
  read_every_way(input);
}

TEST(HttpRequest, ChunkedBodyLimitCountsAllChunks)
{
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const Outcome fits = read_every_way(head + "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n", limits(1024, 10));
  ASSERT_EQ(fits.parsed.size(), 1U) << fits.text();
  EXPECT_EQ(fits.parsed[0].body, "abcdefghij");
  EXPECT_EQ(read_every_way(head + "6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n", limits(1024, 10)).text(),
            "=> body_too_large");
  EXPECT_EQ(read_every_way(head + "b\r\n", limits(1024, 10)).text(), "=> body_too_large");
}

TEST(HttpRequest, TransferCodingsBeforeChunked)
{
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").text(),
            "=> not_implemented");
}

TEST(HttpRequest, TransferCodingsOtherThanChunkedLast)
{
  // RFC 9112 §6.3: when chunked is not the final coding the length cannot be known: 400.
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").text(),
            "=> bad_request");
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n").text(),
            "=> bad_request");
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n").text(),
            "=> bad_request");
  // Two header lines are one list: chunked, then gzip.
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                           "Transfer-Encoding: gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
              .text(),
            "=> bad_request");
  // Chunked twice is not a framing either (RFC 9112 §7).
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n").text(),
            "=> bad_request");
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
              .text(),
            "=> bad_request");
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n").text(),
            "=> bad_request");
  // Chunked last, after a coding this reader does not decode: 501.
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
              .text(),
            "=> not_implemented");
  // Empty list elements do not count (RFC 9110 §5.6.1); case does not matter.
  const Outcome spaced = read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: , CHUNKED ,\r\n\r\n"
                                        "1\r\nx\r\n0\r\n\r\n");
  ASSERT_EQ(spaced.parsed.size(), 1U) << spaced.text();
  EXPECT_EQ(spaced.parsed[0].body, "x");
}

TEST(HttpRequest, TransferEncodingInHttp10IsRejected)
{
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  EXPECT_EQ(read_every_way("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
              .text(),
            "=> bad_request");
}

TEST(HttpRequest, TransferEncodingWithContentLengthIsRejected)
{
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                           "\r\n0\r\n\r\n")
              .text(),
            "=> bad_request");
  EXPECT_EQ(read_every_way("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n"
                           "\r\n0\r\n\r\n")
              .text(),
            "=> bad_request");
}

// --- pipelining --------------------------------------------------------------------------------

TEST(HttpRequest, PipelinedRequestsBackToBack)
{
  const Outcome outcome = read_every_way("GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
                                         "POST /two HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                                         "POST /three HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         "3\r\nabc\r\n0\r\n\r\n"
                                         "\r\n" // a stray empty line between requests
                                         "HEAD /four HTTP/1.0\r\n\r\n"
                                         "GET /fi");
  ASSERT_EQ(outcome.parsed.size(), 4U) << outcome.text();
  EXPECT_EQ(outcome.parsed[0].path, "/one");
  EXPECT_EQ(outcome.parsed[0].body, "");
  EXPECT_EQ(outcome.parsed[1].path, "/two");
  EXPECT_EQ(outcome.parsed[1].body, "hello");
  EXPECT_EQ(outcome.parsed[2].path, "/three");
  EXPECT_EQ(outcome.parsed[2].body, "abc");
  EXPECT_EQ(outcome.parsed[3].method, "HEAD");
  EXPECT_EQ(outcome.parsed[3].minor_version, 0);
  EXPECT_EQ(outcome.end, "incomplete, 7 unread");
}

TEST(HttpRequest, AnErrorAfterAGoodRequest)
{
  const Outcome outcome = read_every_way("GET /ok HTTP/1.1\r\n\r\nBROKEN\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 1U) << outcome.text();
  EXPECT_EQ(outcome.end, "bad_request");
}

TEST(HttpRequest, TheReaderIsReusableAfterEachRequest)
{
  // Fields of one request never leak into the next.
  const Outcome outcome = read_every_way("GET /a?x=1 HTTP/1.0\r\nX-One: 1\r\n\r\n"
                                         "GET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(outcome.parsed.size(), 2U) << outcome.text();
  EXPECT_EQ(outcome.parsed[1].query, "");
  EXPECT_EQ(outcome.parsed[1].minor_version, 1);
  EXPECT_TRUE(outcome.parsed[1].headers.empty());
}

// --- keep-alive --------------------------------------------------------------------------------

TEST(HttpRequest, KeepAlive)
{
  EXPECT_TRUE(only("GET / HTTP/1.1\r\n\r\n").keep_alive());
  EXPECT_FALSE(only("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive());
  EXPECT_FALSE(only("GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n").keep_alive());
  EXPECT_TRUE(only("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n").keep_alive());
  EXPECT_TRUE(only("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n").keep_alive());
  EXPECT_FALSE(only("GET / HTTP/1.0\r\n\r\n").keep_alive());
  EXPECT_TRUE(only("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
  EXPECT_FALSE(only("GET / HTTP/1.0\r\nConnection: close\r\n\r\n").keep_alive());
}

// --- targets and queries -----------------------------------------------------------------------

TEST(HttpRequest, AbsoluteFormTargets)
{
  const HttpRequest full = only("GET http://example.com:8080/a/b?x=1&y=2 HTTP/1.1\r\n\r\n");
  EXPECT_EQ(full.target, "http://example.com:8080/a/b?x=1&y=2");
  EXPECT_EQ(full.path, "/a/b");
  EXPECT_EQ(full.query, "x=1&y=2");
  const HttpRequest bare = only("GET https://example.com HTTP/1.1\r\n\r\n");
  EXPECT_EQ(bare.path, "/");
  EXPECT_EQ(bare.query, "");
  // A path that merely contains "://" is origin-form.
  const HttpRequest origin = only("GET /redirect?to=http://x/y HTTP/1.1\r\n\r\n");
  EXPECT_EQ(origin.path, "/redirect");
  EXPECT_EQ(origin.query, "to=http://x/y");
}

TEST(HttpRequest, AbsoluteFormTargetWithAQueryButNoPath)
{
  // RFC 3986 §3.2: the authority ends at '/', '?' or '#'; the path is then empty ("/").
  const HttpRequest query_only = only("GET http://example.com?x=1 HTTP/1.1\r\n\r\n");
  EXPECT_EQ(query_only.path, "/");
  EXPECT_EQ(query_only.query, "x=1");
  EXPECT_EQ(query_only.query_param("x"), "1");
  const HttpRequest slash_in_query = only("GET http://example.com?next=/home HTTP/1.1\r\n\r\n");
  EXPECT_EQ(slash_in_query.path, "/");
  EXPECT_EQ(slash_in_query.query, "next=/home");
}

TEST(HttpRequest, QueryParam)
{
  const HttpRequest request =
    only("GET /s?a=1&b=hello+world&c=%41%62%2B&d&e=&a=2&%66%6f%6f=bar&bad=%zz&&last=x%20y "
         "HTTP/1.1\r\n\r\n");
  EXPECT_EQ(request.query_param("a"), "1") << "the first one counts";
  EXPECT_EQ(request.query_param("b"), "hello world");
  EXPECT_EQ(request.query_param("c"), "Ab+");
  EXPECT_EQ(request.query_param("d"), "") << "a key without '=' has an empty value";
  EXPECT_EQ(request.query_param("e"), "");
  EXPECT_EQ(request.query_param("foo"), "bar") << "keys are decoded too";
  EXPECT_EQ(request.query_param("bad"), std::nullopt) << "a malformed escape";
  EXPECT_EQ(request.query_param("last"), "x y");
  EXPECT_EQ(request.query_param("missing"), std::nullopt);
  EXPECT_EQ(request.query_param("A"), std::nullopt) << "names are case-sensitive";
  EXPECT_EQ(only("GET /s HTTP/1.1\r\n\r\n").query_param("a"), std::nullopt);
  EXPECT_EQ(only("GET /s? HTTP/1.1\r\n\r\n").query_param("a"), std::nullopt);
}

TEST(HttpRequest, PercentDecode)
{
  EXPECT_EQ(net::percent_decode(""), "");
  EXPECT_EQ(net::percent_decode("plain"), "plain");
  EXPECT_EQ(net::percent_decode("%41"), "A");
  EXPECT_EQ(net::percent_decode("a%2fb%2Fc"), "a/b/c");
  EXPECT_EQ(net::percent_decode("%e2%82%ac"), "\xe2\x82\xac");
  EXPECT_EQ(net::percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(net::percent_decode("100%25"), "100%");
  EXPECT_EQ(net::percent_decode("a+b"), "a+b") << "'+' is a space only in form encoding";
  EXPECT_EQ(net::percent_decode("a+b", true), "a b");
  EXPECT_EQ(net::percent_decode("%2B", true), "+");
  for (const char* bad : {"%", "%4", "abc%", "abc%4", "%4g", "%g4", "%%41", "% 41", "%-1"}) {
    EXPECT_EQ(net::percent_decode(bad), std::nullopt) << bad;
    EXPECT_EQ(net::percent_decode(bad, true), std::nullopt) << bad;
  }
}

} // namespace
