// export/otel/otlp_http_exporter: real OTLP/HTTP requests to a receiver on
// loopback that decodes every body with the official schema (protobuf
// runtime, code generated from opentelemetry-proto): retries on 503 and 429,
// every span exactly once, drops counted, headers and path.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "export/otel/ids.h"
#include "export/otel/otlp_http_exporter.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace ft::otel {
namespace {

using namespace std::chrono_literals;
using Request = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

// A receiver that answers `refuse` to its first `refusals` requests.
class Receiver {
 public:
  Receiver(int refusals, int refuse = 503, std::string retry_after = "") {
    server_.Post(".*", [this, refusals, refuse, retry_after](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      requests++;
      paths.insert(req.path);
      content_type = req.get_header_value("Content-Type");
      authorization = req.get_header_value("Authorization");
      if (requests <= refusals) {
        res.status = refuse;
        if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
        return;
      }
      Request r;
      if (!r.ParseFromString(req.body)) {
        res.status = 400;
        undecodable++;
        return;
      }
      for (const auto& rs : r.resource_spans())
        for (const auto& ss : rs.scope_spans())
          for (const auto& s : ss.spans()) span_counts[s.span_id()]++;
      times.push_back(std::chrono::steady_clock::now());
      res.status = 200;
      res.set_content("", "application/x-protobuf");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::mutex mutex_;
  int requests = 0, undecodable = 0;
  std::set<std::string> paths;
  std::string content_type, authorization;
  std::map<std::string, int> span_counts;
  std::vector<std::chrono::steady_clock::time_point> times;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

Span span_number(uint32_t i) {
  Span s;
  s.trace_id = trace_id_of("boot", 1, 1);
  s.span_id = span_id_of("boot", i, i);
  s.name = "p" + std::to_string(i);
  s.start_unix_ns = 1;
  s.end_unix_ns = 2;
  s.attributes.push_back({"process.pid", int64_t(i)});
  return s;
}

OtlpHttpOptions fast(const std::string& url) {
  OtlpHttpOptions o;
  o.url = url;
  o.initial_backoff = 20ms;
  o.max_backoff = 200ms;
  o.batch_delay = 50ms;
  o.request_timeout = 5000ms;
  return o;
}

std::unique_ptr<OtlpHttpExporter> start(OtlpHttpOptions o) {
  Resource r;
  r.attributes.push_back({"service.name", std::string("forktrace")});
  std::string error;
  auto e = OtlpHttpExporter::start(std::move(o), r, Scope{"forktrace", "test"}, error);
  EXPECT_TRUE(e) << error;
  return e;
}

TEST(OtlpHttp, RetriesOn503AndDeliversEverySpanExactlyOnce) {
  Receiver receiver(3, 503);
  auto options = fast(receiver.url() + "/base");
  options.headers.emplace_back("Authorization", "Bearer t0ken");
  auto exporter = start(options);
  constexpr uint32_t n = 1500;  // three batches
  for (uint32_t i = 1; i <= n; ++i) exporter->enqueue(span_number(i));
  exporter->shutdown();
  OtlpHttpStats s = exporter->stats();
  EXPECT_EQ(s.exported, n);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.retries, 3u);
  std::lock_guard lock(receiver.mutex_);
  EXPECT_EQ(receiver.undecodable, 0);
  EXPECT_EQ(receiver.span_counts.size(), n);
  for (const auto& [id, count] : receiver.span_counts) EXPECT_EQ(count, 1);
  EXPECT_EQ(receiver.paths, std::set<std::string>{"/base/v1/traces"});
  EXPECT_EQ(receiver.content_type, "application/x-protobuf");
  EXPECT_EQ(receiver.authorization, "Bearer t0ken");
}

TEST(OtlpHttp, HonoursRetryAfterOn429) {
  Receiver receiver(1, 429, "1");
  auto exporter = start(fast(receiver.url()));
  auto begin = std::chrono::steady_clock::now();
  exporter->enqueue(span_number(1));
  exporter->shutdown();
  EXPECT_EQ(exporter->stats().exported, 1u);
  std::lock_guard lock(receiver.mutex_);
  ASSERT_EQ(receiver.times.size(), 1u);
  // Retry-After 1 s, capped by max_backoff (200 ms here): not the 20 ms backoff.
  EXPECT_GE(receiver.times[0] - begin, 200ms);
}

TEST(OtlpHttp, ARejectedBatchIsDroppedAndCounted) {
  Receiver receiver(1000, 400);
  auto exporter = start(fast(receiver.url()));
  for (uint32_t i = 1; i <= 10; ++i) exporter->enqueue(span_number(i));
  exporter->shutdown();
  EXPECT_EQ(exporter->stats().exported, 0u);
  EXPECT_EQ(exporter->stats().dropped, 10u);
  EXPECT_EQ(exporter->stats().retries, 0u);  // 400 is not worth retrying
  EXPECT_NE(exporter->last_error().find("HTTP 400"), std::string::npos);
}

TEST(OtlpHttp, AnUnreachableEndpointIsRetriedThenGivenUp) {
  // A port bound without listen(): connections to it are refused.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto options = fast("http://127.0.0.1:" + std::to_string(port));
  options.max_attempts = 3;
  auto exporter = start(options);
  exporter->enqueue(span_number(1));
  exporter->shutdown();
  EXPECT_EQ(exporter->stats().dropped, 1u);
  EXPECT_EQ(exporter->stats().retries, 2u);
  EXPECT_NE(exporter->last_error().find("cannot reach"), std::string::npos);
  close(fd);
}

TEST(OtlpHttp, AFullQueueDropsWithoutWaiting) {
  Receiver receiver(0);
  auto options = fast(receiver.url());
  options.queue_spans = 4;
  options.batch_delay = 10s;  // nothing leaves the queue before shutdown
  auto exporter = start(options);
  auto begin = std::chrono::steady_clock::now();
  for (uint32_t i = 1; i <= 10; ++i) exporter->enqueue(span_number(i));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 100ms);
  EXPECT_EQ(exporter->stats().dropped, 6u);
  EXPECT_EQ(exporter->stats().queued, 4u);
  exporter->shutdown();
  EXPECT_EQ(exporter->stats().exported, 4u);
}

// https where the URL says so: a TLS receiver whose self-signed certificate
// (for 127.0.0.1) is the only one trusted, through OpenSSL's SSL_CERT_FILE.
TEST(OtlpHttp, SendsOverHttpsAndChecksTheCertificate) {
  std::string dir = testing::TempDir() + "forktrace-tls-" + std::to_string(getpid());
  std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  std::string make = "mkdir -p " + dir + " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                     "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0) << "openssl req";
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  std::atomic<int> spans{0};
  server.Post("/v1/traces", [&](const httplib::Request& req, httplib::Response& res) {
    Request r;
    if (r.ParseFromString(req.body)) spans += r.resource_spans(0).scope_spans(0).spans_size();
    res.status = 200;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(1ms);

  const char* old = std::getenv("SSL_CERT_FILE");
  std::string saved = old ? old : "";
  auto options = fast("https://127.0.0.1:" + std::to_string(port));
  options.max_attempts = 1;
  // Not trusted: the system's CAs do not know it.
  setenv("SSL_CERT_FILE", "/nonexistent", 1);
  auto untrusted = start(options);
  untrusted->enqueue(span_number(1));
  untrusted->shutdown();
  EXPECT_EQ(untrusted->stats().dropped, 1u);
  EXPECT_EQ(spans.load(), 0);
  setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto exporter = start(options);
  exporter->enqueue(span_number(2));
  exporter->shutdown();
  if (old) setenv("SSL_CERT_FILE", saved.c_str(), 1); else unsetenv("SSL_CERT_FILE");
  EXPECT_EQ(exporter->stats().exported, 1u) << exporter->last_error();
  EXPECT_EQ(spans.load(), 1);
  server.stop();
  thread.join();
  std::system(("rm -rf " + dir).c_str());
}

TEST(OtlpHttp, ReplayWaitsForRoomInsteadOfDropping) {
  Receiver receiver(2, 503);
  auto options = fast(receiver.url());
  options.queue_spans = 100;
  options.batch_spans = 50;
  options.block_when_full = true;
  auto exporter = start(options);
  for (uint32_t i = 1; i <= 2000; ++i) exporter->enqueue(span_number(i));
  exporter->shutdown();
  EXPECT_EQ(exporter->stats().exported, 2000u);
  EXPECT_EQ(exporter->stats().dropped, 0u);
  std::lock_guard lock(receiver.mutex_);
  EXPECT_EQ(receiver.span_counts.size(), 2000u);
}

TEST(OtlpHttp, AfterABatchWasGivenUpTheNextIsTriedOnce) {
  Receiver receiver(1'000'000, 503);
  auto options = fast(receiver.url());
  options.max_attempts = 4;
  options.batch_spans = 1;
  auto exporter = start(options);
  for (uint32_t i = 1; i <= 5; ++i) exporter->enqueue(span_number(i));
  exporter->shutdown();
  EXPECT_EQ(exporter->stats().dropped, 5u);
  EXPECT_EQ(exporter->stats().requests, 4u + 4u);  // 4 tries, then one for each of the 4 others
}

TEST(OtlpHttp, ShutdownGivesUpAfterItsTimeout) {
  Receiver receiver(1'000'000, 503);
  auto options = fast(receiver.url());
  options.max_attempts = 1'000'000;
  options.shutdown_timeout = 300ms;
  auto exporter = start(options);
  exporter->enqueue(span_number(1));
  auto begin = std::chrono::steady_clock::now();
  exporter->shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
  EXPECT_EQ(exporter->stats().dropped, 1u);
}

}  // namespace
}  // namespace ft::otel
