#include "export/otel/otlp_http_exporter.h"

#include <httplib.h>

#include <algorithm>

#include "export/otel/otlp_proto.h"

namespace ft::otel {

bool parse_otlp_url(const std::string& url, std::string& scheme_host_port, std::string& path, std::string& error) {
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    error = "--otlp " + url + ": give an http:// or https:// URL, such as http://localhost:4318";
    return false;
  }
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find('/', host_start);
  std::string host = url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (host.empty() || host.find_first_of("?#@ ") != std::string::npos) {
    error = "--otlp " + url + ": no host in the URL";
    return false;
  }
  std::string base = path_start == std::string::npos ? "" : url.substr(path_start);
  if (base.find_first_of("?# ") != std::string::npos) {
    error = "--otlp " + url + ": the URL may not have a query or fragment";
    return false;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  scheme_host_port = scheme + "://" + host;
  path = base + "/v1/traces";
  return true;
}

OtlpHttpExporter::OtlpHttpExporter(OtlpHttpOptions options, Resource resource, Scope scope)
    : options_(std::move(options)), resource_(std::move(resource)), scope_(std::move(scope)) {}

std::unique_ptr<OtlpHttpExporter> OtlpHttpExporter::start(OtlpHttpOptions options, Resource resource, Scope scope,
                                                          std::string& error) {
  std::unique_ptr<OtlpHttpExporter> e(new OtlpHttpExporter(std::move(options), std::move(resource), std::move(scope)));
  if (!parse_otlp_url(e->options_.url, e->scheme_host_port_, e->path_, error)) return nullptr;
  e->thread_ = std::thread([p = e.get()] { p->run(); });
  return e;
}

OtlpHttpExporter::~OtlpHttpExporter() { shutdown(); }

void OtlpHttpExporter::enqueue(Span&& span) {
  std::unique_lock lock(mutex_);
  if (options_.block_when_full)
    wake_.wait(lock, [&] { return stopping_ || queue_.size() < options_.queue_spans; });
  if (stopping_ || queue_.size() >= options_.queue_spans) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(span));
  bool full_batch = queue_.size() >= options_.batch_spans;
  lock.unlock();
  if (full_batch) wake_.notify_one();
}

void OtlpHttpExporter::shutdown() {
  if (!thread_.joinable()) return;
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // The thread sends what is left; past the deadline it is told to give up.
  {
    std::unique_lock lock(mutex_);
    if (!wake_.wait_until(lock, deadline, [&] { return done_; })) {
      abandon_ = true;
    }
  }
  wake_.notify_all();
  thread_.join();
}

void OtlpHttpExporter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty() && stopping_) break;
    if (queue_.size() < options_.batch_spans && !stopping_) {
      // Wait for a full batch, or send a partial one after batch_delay.
      wake_.wait_for(lock, options_.batch_delay,
                     [&] { return stopping_ || queue_.size() >= options_.batch_spans; });
      if (queue_.empty()) continue;
    }
    if (abandon_) {
      dropped_.fetch_add(queue_.size(), std::memory_order_relaxed);
      queue_.clear();
      break;
    }
    size_t n = std::min(queue_.size(), options_.batch_spans);
    std::vector<Span> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    wake_.notify_all();  // room in the queue for a waiting enqueue
    std::string body = encode_otlp_proto(resource_, scope_, batch);
    bool ok = send(body);
    (ok ? exported_ : dropped_).fetch_add(n, std::memory_order_relaxed);
    lock.lock();
    given_up_ = !ok;
  }
  done_ = true;  // tells shutdown() everything was handled
  lock.unlock();
  wake_.notify_all();
}

bool OtlpHttpExporter::send(const std::string& body) {
  httplib::Client client(scheme_host_port_);
  auto timeout = options_.request_timeout;
  client.set_connection_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), 0);
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), 0);
  client.set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), 0);
  client.set_keep_alive(false);
  httplib::Headers headers;
  for (const auto& [name, value] : options_.headers) headers.emplace(name, value);
  headers.emplace("User-Agent", "forktrace/" + scope_.version);

  auto backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    httplib::Result result = client.Post(path_, headers, body, "application/x-protobuf");
    std::string problem;
    bool retryable = false;
    auto wait = backoff;
    if (!result) {
      problem = "cannot reach " + scheme_host_port_ + ": " + httplib::to_string(result.error());
      retryable = true;
    } else if (result->status >= 200 && result->status < 300) {
      return true;
    } else {
      int status = result->status;
      problem = scheme_host_port_ + path_ + " answered HTTP " + std::to_string(status);
      retryable = status == 429 || status == 502 || status == 503 || status == 504;
      if (retryable && result->has_header("Retry-After")) {
        // Seconds only; an HTTP date is treated as the usual backoff.
        const std::string v = result->get_header_value("Retry-After");
        if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 6)
          wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stoi(v)), options_.max_backoff);
      }
    }
    std::unique_lock lock(mutex_);
    last_error_ = problem;
    // After a batch was given up, the endpoint is taken to be down: one try
    // per batch until one gets through, so a dead endpoint costs little.
    int attempts = given_up_ ? 1 : options_.max_attempts;
    if (!retryable || attempt >= attempts || abandon_) return false;
    retries_.fetch_add(1, std::memory_order_relaxed);
    if (wake_.wait_for(lock, wait, [&] { return abandon_; })) return false;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

OtlpHttpStats OtlpHttpExporter::stats() const {
  OtlpHttpStats s;
  s.exported = exported_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.requests = requests_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  s.queued = queue_.size();
  return s;
}

std::string OtlpHttpExporter::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace ft::otel
