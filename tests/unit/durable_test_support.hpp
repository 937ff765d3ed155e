#pragma once
// What the tests of the Durable Streams client, producer and reader share: a fast retry policy,
// a stream URL, scripted replies, and catching the error a call throws.

#include "durable/client/client.hpp"
#include "fake_transport.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace durable_test {

using namespace std::chrono_literals;
using test_http::FakeTransport;
using test_http::Outcome;
using test_http::refused;
using test_http::Scripted;

inline durable::RetryPolicy fast(std::uint32_t max_retries = 10)
{
  durable::RetryPolicy policy;
  policy.max_retries = max_retries;
  policy.initial = 1ms;
  policy.cap = 1ms;
  policy.seed = 1;
  return policy;
}

inline http::Request base()
{
  http::Request request;
  request.url = http::parse_url("http://127.0.0.1:1/v1/stream/s");
  return request;
}

inline Scripted reply(int status, http::Headers headers = {}, std::string body = {})
{
  Scripted scripted{status, std::move(headers), {}, Outcome::completed};
  if (!body.empty()) {
    scripted.chunks.push_back(std::move(body));
  }
  return scripted;
}

// The error F throws; fails the test when it throws none.
template <typename F> util::Error error_of(F f)
{
  try {
    f();
  } catch (const util::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return util::Error(util::Errc::runtime, "(none)");
}

// The status of the HttpError F throws; -1 for another error, 0 for none.
template <typename F> int status_of(F f)
{
  try {
    f();
  } catch (const durable::HttpError& e) {
    EXPECT_EQ(e.code(), util::Errc::http_status);
    return e.status();
  } catch (const util::Error& e) {
    ADD_FAILURE() << "not an HttpError: " << e.what();
    return -1;
  }
  ADD_FAILURE() << "no error";
  return 0;
}

inline bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

} // namespace durable_test
