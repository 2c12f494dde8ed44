// --otlp URL: spans go to URL/v1/traces as OTLP/HTTP requests with protobuf
// bodies, from a thread of their own. Intake only appends to a bounded queue
// (never waits); the thread sends batches, and retries with exponential
// backoff on 429, 502, 503, 504 and connection errors (honouring a
// Retry-After in seconds). Spans that do not fit the queue, or whose batch
// could not be delivered, are dropped and counted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "export/otel/span.h"

namespace ft::otel {

struct OtlpHttpOptions {
  std::string url;  // http://host[:port][/base] or https://...
  std::vector<std::pair<std::string, std::string>> headers;
  size_t queue_spans = 16384;
  size_t batch_spans = 512;
  std::chrono::milliseconds batch_delay{1000};     // a partial batch waits at most this long
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8000};
  int max_attempts = 8;                            // per batch
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds shutdown_timeout{10000};  // to send what is queued at the end
  // Replay: a full queue makes enqueue wait instead of dropping, since the
  // file is read faster than any endpoint takes spans. Never live.
  bool block_when_full = false;
};

struct OtlpHttpStats {
  uint64_t exported = 0;   // spans the endpoint accepted
  uint64_t dropped = 0;    // spans given up: queue full, retries exhausted, rejected
  uint64_t queued = 0;     // spans waiting now
  uint64_t requests = 0;   // HTTP requests made, retries included
  uint64_t retries = 0;
};

class OtlpHttpExporter {
 public:
  // Null with `error` when the URL is not one it can send to.
  static std::unique_ptr<OtlpHttpExporter> start(OtlpHttpOptions options, Resource resource, Scope scope,
                                                 std::string& error);
  ~OtlpHttpExporter();
  OtlpHttpExporter(const OtlpHttpExporter&) = delete;
  OtlpHttpExporter& operator=(const OtlpHttpExporter&) = delete;

  // Never blocks on the network: a full queue drops the span (counted).
  void enqueue(Span&& span);
  // Sends what is queued (within shutdown_timeout), then stops the thread.
  void shutdown();

  OtlpHttpStats stats() const;
  // The last delivery error, for the message at the end ("" if none).
  std::string last_error() const;

 private:
  OtlpHttpExporter(OtlpHttpOptions options, Resource resource, Scope scope);
  void run();
  // True when the endpoint took the batch; false when it was given up.
  bool send(const std::string& body);

  OtlpHttpOptions options_;
  Resource resource_;
  Scope scope_;
  std::string scheme_host_port_, path_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Span> queue_;
  bool stopping_ = false;
  bool done_ = false;     // the thread has handled everything
  bool given_up_ = false; // the last batch was given up: try the next one once only
  bool abandon_ = false;  // shutdown's time is up: drop, do not retry
  std::string last_error_;
  std::atomic<uint64_t> exported_{0}, dropped_{0}, requests_{0}, retries_{0};
  std::thread thread_;
};

// Splits "http://host:port/base" into "http://host:port" and "/base/v1/traces".
bool parse_otlp_url(const std::string& url, std::string& scheme_host_port, std::string& path, std::string& error);

}  // namespace ft::otel
